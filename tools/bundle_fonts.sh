#!/usr/bin/env bash
# Rebuild fonts/ from Debian font packages (all OFL, Apache-2.0, CC0 or public domain).
# Usage: bash tools/bundle_fonts.sh   (needs apt-get and dpkg; run from the repo root)
set -euo pipefail
repo=$(pwd)
work=$(mktemp -d)
pkgs="fonts-liberation2 fonts-roboto-unhinted fonts-roboto-slab fonts-open-sans fonts-lato
fonts-cantarell fonts-crosextra-carlito fonts-crosextra-caladea fonts-lobster fonts-lobstertwo
fonts-dancingscript fonts-kaushanscript fonts-breip fonts-bebas-neue fonts-league-spartan
fonts-league-mono fonts-inconsolata fonts-jetbrains-mono fonts-firacode fonts-anonymous-pro
fonts-courier-prime fonts-ebgaramond fonts-oldstandard fonts-sil-charis fonts-comfortaa
fonts-quicksand fonts-cabin fonts-yanone-kaffeesatz fonts-tuffy fonts-humor-sans
fonts-noto-core fonts-inter fonts-clear-sans fonts-karla fonts-manrope fonts-sora fonts-dosis fonts-play
fonts-oxygen fonts-comic-neue fonts-averia-sans-gwf fonts-vollkorn fonts-national-park fonts-cabinsketch
fonts-cherrybomb fonts-leckerli-one fonts-kristi fonts-allerta fonts-apropal fonts-bajaderka
fonts-blankenburg fonts-eurofurence fonts-le-murmure fonts-millimetre fonts-opendin
fonts-rampart fonts-train fonts-rocknroll fonts-yusei-magic fonts-stick fonts-okolaks
fonts-routed-gothic fonts-havana fonts-quattrocento fonts-arapey fonts-compagnon fonts-sil-andika
fonts-sil-gentiumplus fonts-junction fonts-karmilla fonts-linuxlibertine fonts-mononoki fonts-gamaliel
fonts-klaudia-berenika fonts-fantasma fonts-prociono fonts-goudybookletter fonts-croscore fonts-averia-gwf
fonts-averia-serif-gwf fonts-hermit fonts-ocr-b"
(cd "$work" && apt-get download $pkgs >/dev/null)
for f in "$work"/*.deb; do dpkg -x "$f" "$work/x"; done
src="$work/x/usr/share/fonts"
doc="$work/x/usr/share/doc"
# package | destination family folder | font files (relative to $src)
while IFS='|' read -r pkg fam files; do
  [ -n "$pkg" ] || continue
  mkdir -p "$repo/fonts/$fam"
  IFS=';' read -ra arr <<<"$files"
  for f in "${arr[@]}"; do cp "$src/$f" "$repo/fonts/$fam/$(basename "$f" | tr ' ' '-')"; done
  cp "$doc/$pkg/copyright" "$repo/fonts/$fam/LICENSE"
done <<'LIST'
fonts-liberation2|liberation|truetype/liberation2/LiberationSans-Regular.ttf;truetype/liberation2/LiberationSans-Bold.ttf;truetype/liberation2/LiberationSans-Italic.ttf;truetype/liberation2/LiberationSerif-Regular.ttf;truetype/liberation2/LiberationSerif-Bold.ttf;truetype/liberation2/LiberationSerif-Italic.ttf;truetype/liberation2/LiberationMono-Regular.ttf;truetype/liberation2/LiberationMono-Bold.ttf
fonts-roboto-unhinted|roboto|truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf;truetype/roboto/unhinted/RobotoTTF/Roboto-Black.ttf;truetype/roboto/unhinted/RobotoTTF/Roboto-LightItalic.ttf;truetype/roboto/unhinted/RobotoCondensed-Regular.ttf;truetype/roboto/unhinted/RobotoCondensed-Bold.ttf;truetype/roboto/unhinted/RobotoCondensed-Italic.ttf
fonts-roboto-slab|roboto-slab|opentype/roboto/slab/RobotoSlab-Regular.otf;opentype/roboto/slab/RobotoSlab-Bold.otf
fonts-open-sans|open-sans|truetype/open-sans/OpenSans-Regular.ttf;truetype/open-sans/OpenSans-ExtraBold.ttf;truetype/open-sans/OpenSans-Italic.ttf;truetype/open-sans/OpenSans-CondBold.ttf;truetype/open-sans/OpenSans-CondLight.ttf
fonts-lato|lato|truetype/lato/Lato-Regular.ttf;truetype/lato/Lato-Heavy.ttf;truetype/lato/Lato-LightItalic.ttf
fonts-cantarell|cantarell|opentype/cantarell/Cantarell-Regular.otf;opentype/cantarell/Cantarell-ExtraBold.otf
fonts-crosextra-carlito|carlito|truetype/crosextra/Carlito-Regular.ttf;truetype/crosextra/Carlito-BoldItalic.ttf
fonts-crosextra-caladea|caladea|truetype/crosextra/Caladea-Regular.ttf;truetype/crosextra/Caladea-Bold.ttf
fonts-lobster|lobster|opentype/lobster/lobster.otf
fonts-lobstertwo|lobster-two|opentype/lobstertwo/LobsterTwo-Regular.otf;opentype/lobstertwo/LobsterTwo-Bold.otf
fonts-dancingscript|dancing-script|opentype/dancingscript/DancingScript-Regular.otf;opentype/dancingscript/DancingScript-Bold.otf
fonts-kaushanscript|kaushan-script|opentype/kaushanscript/KaushanScript-Regular.otf
fonts-breip|breip|truetype/breip/Breip.ttf
fonts-bebas-neue|bebas-neue|opentype/bebas-neue/BebasNeue-Regular.otf
fonts-league-spartan|league-spartan|opentype/league-spartan/LeagueSpartan-Bold.otf;opentype/league-spartan/LeagueSpartan-Light.otf
fonts-league-mono|league-mono|opentype/league-mono/LeagueMono-NarrowRegular.otf;opentype/league-mono/LeagueMono-WideBold.otf
fonts-inconsolata|inconsolata|truetype/inconsolata/Inconsolata.otf
fonts-jetbrains-mono|jetbrains-mono|truetype/jetbrains-mono/JetBrainsMono-Regular.ttf;truetype/jetbrains-mono/JetBrainsMono-BoldItalic.ttf
fonts-firacode|fira-code|truetype/firacode/FiraCode-Regular.ttf
fonts-anonymous-pro|anonymous-pro|truetype/anonymous-pro/Anonymous Pro.ttf
fonts-courier-prime|courier-prime|opentype/courier-prime/Courier Prime.otf;opentype/courier-prime/Courier Prime Bold.otf
fonts-ebgaramond|eb-garamond|opentype/ebgaramond/EBGaramond12-Regular.otf;opentype/ebgaramond/EBGaramond12-Italic.otf
fonts-oldstandard|old-standard|truetype/fonts-oldstandard/OldStandard-Regular.ttf;truetype/fonts-oldstandard/OldStandard-Bold.ttf
fonts-sil-charis|charis|truetype/charis/CharisSIL-Regular.ttf;truetype/charis/CharisSIL-BoldItalic.ttf
fonts-comfortaa|comfortaa|truetype/comfortaa/Comfortaa-Regular.ttf;truetype/comfortaa/Comfortaa-Bold.ttf
fonts-quicksand|quicksand|truetype/quicksand/Quicksand-Regular.ttf;truetype/quicksand/Quicksand-Bold.ttf
fonts-cabin|cabin|opentype/cabin/Cabin-Regular.otf;opentype/cabin/Cabin-SemiBoldItalic.otf
fonts-yanone-kaffeesatz|yanone-kaffeesatz|opentype/yanone-kaffeesatz/YanoneKaffeesatz-Regular.otf;opentype/yanone-kaffeesatz/YanoneKaffeesatz-Bold.otf
fonts-tuffy|tuffy|truetype/tuffy/Tuffy.ttf;truetype/tuffy/Tuffy_Bold.ttf
fonts-humor-sans|humor-sans|truetype/humor-sans/Humor-Sans.ttf
fonts-noto-core|noto|truetype/noto/NotoSansDisplay-Bold.ttf;truetype/noto/NotoSans-BoldItalic.ttf;truetype/noto/NotoSerif-Bold.ttf
fonts-inter|inter|opentype/inter/Inter-Black.otf;opentype/inter/Inter-ExtraBoldItalic.otf;opentype/inter/Inter-Medium.otf;opentype/inter/InterDisplay-Bold.otf
fonts-clear-sans|clear-sans|truetype/clear-sans/ClearSans-Bold.ttf;truetype/clear-sans/ClearSans-Light.ttf
fonts-karla|karla|truetype/karla/Karla-ExtraBold.otf;truetype/karla/Karla-Italic.otf
fonts-manrope|manrope|truetype/manrope/Manrope-ExtraBold.ttf;truetype/manrope/Manrope-Light.ttf
fonts-sora|sora|opentype/sora/Sora-Bold.otf;opentype/sora/Sora-ExtraLight.otf
fonts-dosis|dosis|opentype/dosis/Dosis-ExtraBold.otf;opentype/dosis/Dosis-Medium.otf
fonts-play|play|truetype/play/Play-Bold.ttf
fonts-oxygen|oxygen|truetype/oxygen/Oxygen-Sans-Bold.ttf
fonts-comic-neue|comic-neue|opentype/comic-neue/ComicNeue-Bold.otf;opentype/comic-neue/ComicNeue-Italic.otf
fonts-averia-sans-gwf|averia-sans|truetype/averia-gwf/AveriaSansGWF-Bold.ttf
fonts-vollkorn|vollkorn|truetype/vollkorn/Vollkorn-Black.ttf
fonts-national-park|national-park|opentype/national-park/NationalPark-Heavy.otf;opentype/national-park/NationalPark-Outline.otf
fonts-cabinsketch|cabin-sketch|truetype/cabinsketch/CabinSketch-Bold.ttf
fonts-cherrybomb|cherry-bomb|opentype/cherrybomb/CherryBomb-Regular.otf
fonts-leckerli-one|leckerli-one|truetype/leckerli-one/LeckerliOne-Regular.ttf
fonts-kristi|kristi|truetype/kristi/Kristi.ttf
fonts-allerta|allerta|opentype/allerta/allerta_medium.otf;opentype/allerta/allerta_stencil.otf
fonts-apropal|apropal|opentype/apropal/Apropal-Bold.otf
fonts-bajaderka|bajaderka|opentype/bajaderka/Bajaderka-Regular.otf
fonts-blankenburg|blankenburg|truetype/blankenburg/Blankenburg_UNZ1A.ttf
fonts-eurofurence|eurofurence|truetype/eurofurence/eurof75.ttf;truetype/eurofurence/eurofc36.ttf
fonts-le-murmure|le-murmure|opentype/le-murmure/le-murmure.otf
fonts-millimetre|millimetre|opentype/millimetre/millimetreA Bold 01.otf;opentype/millimetre/millimetreA Extrablack 01.otf
fonts-opendin|open-din|truetype/opendin/OSP-DIN.ttf
fonts-rampart|rampart|truetype/rampart/RampartOne-Regular.ttf
fonts-train|train|truetype/train/TrainOne-Regular.ttf
fonts-rocknroll|rocknroll|truetype/rocknroll/RocknRollOne-Regular.ttf
fonts-yusei-magic|yusei-magic|truetype/yusei-magic/YuseiMagic-Regular.ttf
fonts-stick|stick|truetype/stick/Stick-Regular.ttf
fonts-okolaks|okolaks|truetype/okolaks/okolaksBold.ttf;truetype/okolaks/okolaksRegularItalic.ttf
fonts-routed-gothic|routed-gothic|truetype/routed-gothic/routed-gothic-wide.ttf;truetype/routed-gothic/routed-gothic-narrow-italic.ttf
fonts-havana|havana|opentype/havana/Havana-Regular.otf
fonts-quattrocento|quattrocento|opentype/quattrocento/Quattrocento-Regular.otf
fonts-arapey|arapey|opentype/arapey/Arapey-Black-Display.otf;opentype/arapey/Arapey-Thin.otf
fonts-compagnon|compagnon|opentype/compagnon/Compagnon-Bold.otf;opentype/compagnon/Compagnon-Italic.otf
fonts-sil-andika|andika|truetype/andika/Andika-Bold.ttf;truetype/andika/Andika-Italic.ttf
fonts-sil-gentiumplus|gentium-plus|truetype/gentiumplus/GentiumBookPlus-Bold.ttf;truetype/gentiumplus/GentiumPlus-Italic.ttf
fonts-junction|junction|opentype/junction/Junction.otf
fonts-karmilla|karmilla|truetype/karmilla/Karmilla-Bold.ttf;truetype/karmilla/Karmilla-Italic.ttf
fonts-linuxlibertine|linux-libertine|opentype/linux-libertine/LinBiolinum_RB.otf;opentype/linux-libertine/LinLibertine_RZI.otf;opentype/linux-libertine/LinLibertine_DR.otf
fonts-mononoki|mononoki|truetype/mononoki/mononoki-Bold.ttf
fonts-gamaliel|gamaliel|truetype/gamaliel/Gamaliel.ttf
fonts-klaudia-berenika|klaudia-berenika|truetype/klaudia-berenika/Klaudia-Bold.ttf;truetype/klaudia-berenika/Berenika-Oblique.ttf
fonts-fantasma|fantasma|opentype/fantasma/Fantasma-Bold.otf
fonts-prociono|prociono|opentype/fonts-prociono/Prociono.otf
fonts-goudybookletter|goudy-bookletter|opentype/sortsmill/GoudyBookletter1911.otf
fonts-croscore|croscore|truetype/croscore/Arimo-BoldItalic.ttf;truetype/croscore/Tinos-Bold.ttf;truetype/croscore/Cousine-Regular.ttf
fonts-averia-gwf|averia|truetype/averia-gwf/AveriaGWF-Gruesa.ttf;truetype/averia-gwf/AveriaGWF-LightItalic.ttf
fonts-averia-serif-gwf|averia-serif|truetype/averia-gwf/AveriaSerifGWF-Bold.ttf
fonts-hermit|hermit|truetype/hermit/Hermit-bold.otf
fonts-ocr-b|ocr-b|opentype/ocr-b/OCRB.otf
LIST
# Fontworks' Japanese fonts (OFL, no Reserved Font Name) carry thousands of kana and kanji glyphs: keep
# Latin, Latin-1 and the common signs, as the OFL allows, so each is tens of kilobytes instead of megabytes
for f in "$repo"/fonts/{rampart,train,stick,rocknroll,yusei-magic}/*.ttf; do
  "${PYTHON:-.venv/bin/python}" -m fontTools.subset "$f" --output-file="$f.tmp" --layout-features='*' \
    --unicodes='U+0020-007E,U+00A0-00FF,U+2013-2014,U+2018-201E,U+2022,U+2026,U+20AC,U+2122'
  mv "$f.tmp" "$f"
done
rm -rf "$work"
echo "fonts: $(find "$repo/fonts" -name '*.[ot]tf' | wc -l) files"
