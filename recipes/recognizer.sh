#!/usr/bin/env bash
# The bundled recognizer (ocrmodels/weights/crnn_small.keras), from nothing but synthgen data:
#   bash recipes/recognizer.sh [WORK_DIR]       (run from the repository root; CPU is enough)
# 400,000 grey 32x128 crops (half product-catalog text, half English words, both with re-cased
# words, 10% random strings, half of them tight cuts of small words enlarged as a reader enlarges
# detected words), 8,000 validation crops from other seeds, then 4 epochs of the
# small CRNN (1.7M parameters) in bfloat16 compute; then thirteen fine-tuning stages (below): tight
# cuts, born-digital words drawn small, words with signs outside the vocabulary (drawn, not
# labelled), all bundled fonts, short words, letter-spaced words, words cut at the ink (two stages),
# photographed words (the camera configs, two stages), and legible photographed and born-digital words with
# punctuation beside them and plates behind them (three stages, in float32).
# Re-running continues where it stopped. The bundled weights were trained when 66 (stages 1-4) and then 106 fonts
# were bundled; run now, every stage draws from all 146, so the weights and figures differ somewhat.
# PRECISION: the training precision flag; default --mixed-precision (bfloat16 compute, as the bundled weights were
# trained: fast on CPUs with AMX or AVX512-BF16). PRECISION= bash recipes/recognizer.sh trains in float32 instead,
# about 2.8 times as fast on CPUs without them (the weights then differ from the bundled ones). Stages 12-14 were
# trained in float32 and always are.
set -euo pipefail
W=${1:-recognizer-run}
BIN=${BIN:-.venv/bin}
PRECISION=${PRECISION---mixed-precision}
gen() {  # name count seed split [more synthgen generate options]
  "$BIN/synthgen" generate --out "$W/$1" --count "$2" --seed "$3" --split "$4" --workers 2 --shard-size "${SHARD:-10000}" \
    --config "recipes/recognizer-${1#*-}.yaml" "${@:5}" $([ -e "$W/$1" ] && echo --resume)
}
train() {  # model name, then the stage's own train-recognizer arguments
  local out=$1
  shift
  "$BIN/ocrmodels" train-recognizer --out "$W/$out.keras" --batch-size 64 --workers 2 $PRECISION "$@" \
    $([ -e "$W/$out.train/state.json" ] && echo --resume)
}
gen train-catalog 200000 11 train
gen train-english 200000 12 train
gen val-catalog 4000 21 val
gen val-english 4000 22 val
train crnn_small --data "$W/train-catalog" "$W/train-english" --val "$W/val-catalog" "$W/val-english" \
  --size small --epochs 4 --lr 1e-3 --seed 0
# stage 2: fine-tune 3 epochs on 200,000 crops that are 80% tight cuts (the detector -> recognizer case)
gen tune-catalog-tight 100000 13 train
gen tune-english-tight 100000 14 train
gen val-catalog-tight 4000 23 val
gen val-english-tight 4000 24 val
train crnn_small_tuned --data "$W/tune-catalog-tight" "$W/tune-english-tight" \
  --val "$W/val-catalog-tight" "$W/val-english-tight" --init "$W/crnn_small.keras" --epochs 3 --lr 3e-4 --seed 1
# stage 3: fine-tune 2 epochs on born-digital words (200,000 colour crops of text drawn small, hinted, cut tight)
# mixed with the first 50,000 crops of each stage-2 set (shards 0-4 of 10)
gen tune-catalog-small 100000 15 train
gen tune-english-small 100000 16 train
gen val-catalog-small 4000 25 val
gen val-english-small 4000 26 val
train crnn_small_bd --data "$W/tune-catalog-small" "$W/tune-english-small" \
  "$W/tune-catalog-tight/train-0000[0-4]-of-00010.h5" "$W/tune-english-tight/train-0000[0-4]-of-00010.h5" \
  --val "$W/val-catalog-small" "$W/val-english-small" "$W/val-catalog-tight" "$W/val-english-tight" \
  --init "$W/crnn_small_tuned.keras" --epochs 2 --lr 3e-4 --seed 2
# stage 4: fine-tune 2 epochs on words with signs outside the vocabulary (pound, euro, yen, cent, degree, registered,
# copyright: drawn, left out of the labels) and fresh stage-3 crops with the catalog's signs drawn the same way,
# mixed with replays of stages 3, 2 and 1 (240,000 crops in all)
SIGNS='unlabelled_chars="£€¥¢®©°"'
[ -e "$W/symbols.txt" ] || "$BIN/python" recipes/symbol_words.py "$W/symbols.txt" --count 20000 --seed 0
gen tune-symbols-small 40000 17 train --catalog "$W/symbols.txt"
gen tune4-catalog-small 30000 18 train --set "$SIGNS"
gen tune4-english-small 30000 19 train --set "$SIGNS"
gen val-symbols-small 4000 28 val --catalog "$W/symbols.txt"
train crnn_small_sym --data "$W/tune-symbols-small" "$W/tune4-catalog-small" "$W/tune4-english-small" \
  "$W/tune-catalog-small/train-0000[0-1]-of-00010.h5" "$W/tune-english-small/train-0000[0-1]-of-00010.h5" \
  "$W/tune-catalog-tight/train-0000[0-2]-of-00010.h5" "$W/tune-english-tight/train-0000[0-2]-of-00010.h5" \
  "$W/train-catalog/train-0000[0-1]-of-00020.h5" "$W/train-english/train-0000[0-1]-of-00020.h5" \
  --val "$W/val-catalog-small" "$W/val-english-small" "$W/val-symbols-small" "$W/val-catalog-tight" "$W/val-english-tight" \
  --init "$W/crnn_small_bd.keras" --epochs 2 --lr 1e-4 --seed 3
# stage 5: fine-tune 2 epochs on crops drawn from all 106 bundled fonts (the first four stages saw the 66 of an
# earlier release; run from scratch, they draw from all of them): fresh born-digital words with signs, symbol words
# and tight cuts, mixed with replays of stages 4, 3, 2 and 1 (320,000 crops in all)
gen tune5-catalog-small 50000 31 train --set "$SIGNS"
gen tune5-english-small 50000 32 train --set "$SIGNS"
gen tune5-symbols-small 20000 33 train --catalog "$W/symbols.txt"
gen tune5-catalog-tight 30000 34 train
gen tune5-english-tight 30000 35 train
gen val5-catalog-small 3000 41 val --set "$SIGNS"
gen val5-english-small 3000 42 val --set "$SIGNS"
train crnn_small_fonts --data "$W/tune5-catalog-small" "$W/tune5-english-small" "$W/tune5-symbols-small" \
  "$W/tune5-catalog-tight" "$W/tune5-english-tight" "$W/tune-symbols-small/train-0000[0-1]-of-00004.h5" \
  "$W/tune-catalog-small/train-0000[2-3]-of-00010.h5" "$W/tune-english-small/train-0000[2-3]-of-00010.h5" \
  "$W/tune-catalog-tight/train-0000[3-4]-of-00010.h5" "$W/tune-english-tight/train-0000[3-4]-of-00010.h5" \
  "$W/train-catalog/train-0000[2-3]-of-00020.h5" "$W/train-english/train-0000[2-3]-of-00020.h5" \
  --val "$W/val5-catalog-small" "$W/val5-english-small" "$W/val-symbols-small" "$W/val-catalog-small" "$W/val-english-small" \
  --init "$W/crnn_small_sym.keras" --epochs 2 --lr 1e-4 --seed 5
# stage 6: fine-tune 2 epochs on short words (recipes/short_words.py: single letters and digits, two random
# characters, words of two to four letters), drawn as stage 3 draws words but down to 5 px of ink, mixed with
# replays of born-digital words drawn down to 5 px and of stages 5, 4, 3, 2 and 1 (170,000 crops in all)
TINY='small_render_height=[5.0, 20.0]'
[ -e "$W/short.txt" ] || "$BIN/python" recipes/short_words.py "$W/short.txt" --count 20000 --seed 0
[ -e "$W/short-val.txt" ] || "$BIN/python" recipes/short_words.py "$W/short-val.txt" --count 3000 --seed 1
gen tiny6-catalog-small 60000 36 train --set "$SIGNS" --set "$TINY"  # stages 6-9 read shards 0, 5, 4 and 3
gen tiny6-english-small 10000 37 train --set "$SIGNS" --set "$TINY"
gen vtiny6-catalog-small 3000 46 val --set "$SIGNS" --set "$TINY"
gen tune6-catalog-small 40000 38 train --catalog "$W/short.txt" --set "$TINY"
gen val6-catalog-small 3000 48 val --catalog "$W/short-val.txt" --set "$TINY"
train crnn_small_short --data "$W/tune6-catalog-small" "$W/tiny6-catalog-small/train-00000-of-00006.h5" "$W/tiny6-english-small" \
  "$W/tune5-catalog-small/train-00002-of-00005.h5" "$W/tune5-english-small/train-00002-of-00005.h5" \
  "$W/tune5-catalog-tight/train-00001-of-00003.h5" "$W/tune-symbols-small/train-00002-of-00004.h5" \
  "$W/tune-catalog-small/train-00006-of-00010.h5" "$W/tune-english-small/train-00006-of-00010.h5" \
  "$W/tune-catalog-tight/train-00007-of-00010.h5" "$W/tune-english-tight/train-00007-of-00010.h5" \
  "$W/train-catalog/train-00006-of-00020.h5" "$W/train-english/train-00006-of-00020.h5" \
  --val "$W/val6-catalog-small" "$W/vtiny6-catalog-small" "$W/val5-english-small" "$W/val-symbols-small" \
  --init "$W/crnn_small_fonts.keras" --epochs 2 --lr 1e-4 --seed 7
# stage 7: fine-tune 2 epochs on letter-spaced words (char_spacing 0.2-1.0 of the font size, as banners and packaging
# space out capitals) and tightly tracked ones (-0.08-0.04), drawn as stage 3 draws words, with 20,000 fresh short words,
# mixed with replays of stage 6's short and tiny words, of symbol words and of stages 5 to 1 (310,000 crops in all)
SPACED='char_spacing=[0.2, 1.0]'
TRACKED='char_spacing=[-0.08, 0.04]'
[ -e "$W/short7.txt" ] || "$BIN/python" recipes/short_words.py "$W/short7.txt" --count 20000 --seed 2
gen tune7-catalog-small 40000 51 train --set "$SIGNS" --set "$SPACED"
gen tune7-english-small 40000 52 train --set "$SIGNS" --set "$SPACED"
gen tight7-catalog-small 20000 39 train --set "$SIGNS" --set "$TRACKED"
gen tight7-english-small 20000 40 train --set "$SIGNS" --set "$TRACKED"
gen short7-catalog-small 20000 54 train --catalog "$W/short7.txt" --set "$TINY"
gen val7-english-small 3000 53 val --set "$SIGNS" --set "$SPACED"
train crnn_small_spaced --data "$W/tune7-catalog-small" "$W/tune7-english-small" \
  "$W/tight7-catalog-small" "$W/tight7-english-small" "$W/tiny6-catalog-small/train-00005-of-00006.h5" \
  "$W/tune6-catalog-small" "$W/short7-catalog-small" \
  "$W/tune5-symbols-small/train-00000-of-00002.h5" "$W/tune-symbols-small/train-00002-of-00004.h5" \
  "$W/tune5-catalog-small/train-00004-of-00005.h5" "$W/tune5-english-small/train-00004-of-00005.h5" \
  "$W/tune5-catalog-tight/train-00002-of-00003.h5" "$W/tune-symbols-small/train-00003-of-00004.h5" \
  "$W/tune-catalog-small/train-00008-of-00010.h5" "$W/tune-english-small/train-00008-of-00010.h5" \
  "$W/tune-catalog-tight/train-00009-of-00010.h5" "$W/tune-english-tight/train-00009-of-00010.h5" \
  "$W/train-catalog/train-00008-of-00020.h5" "$W/train-english/train-00008-of-00020.h5" \
  --val "$W/val7-english-small" "$W/vtiny6-catalog-small" "$W/val5-english-small" "$W/val-symbols-small" \
  --init "$W/crnn_small_short.keras" --epochs 2 --lr 1e-4 --seed 11
# stage 8: fine-tune 3 epochs on words cut at the ink (tight_crop_box: ink, as annotators box words; the cuts of
# stages 2-7 keep about a pixel of ground around small ink): born-digital catalog and English words with signs,
# letter-spaced words, words drawn down to 5 px, tight cuts and fresh short words, mixed with replays of stages 7 to 1
# (340,000 crops in all)
INK='tight_crop_box="ink"'
[ -e "$W/short8.txt" ] || "$BIN/python" recipes/short_words.py "$W/short8.txt" --count 15000 --seed 3
gen ink8-catalog-small 30000 71 train --set "$SIGNS" --set "$INK"
gen ink8-english-small 30000 72 train --set "$SIGNS" --set "$INK"
gen inksp8-catalog-small 15000 73 train --set "$SIGNS" --set "$INK" --set "$SPACED"
gen inktiny8-english-small 15000 74 train --set "$SIGNS" --set "$INK" --set "$TINY"
gen ink8-catalog-tight 15000 75 train --set "$SIGNS" --set "$INK"
gen inkshort8-catalog-small 15000 76 train --catalog "$W/short8.txt" --set "$INK" --set "$TINY"
gen tight8-catalog-small 40000 39 train --set "$SIGNS" --set "$TRACKED"  # the first 20,000 are tight7-catalog-small
gen val8-english-small 3000 77 val --set "$SIGNS" --set "$INK"
train crnn_small_ink --data "$W/ink8-catalog-small" "$W/ink8-english-small" "$W/inksp8-catalog-small" \
  "$W/inktiny8-english-small" "$W/ink8-catalog-tight" "$W/inkshort8-catalog-small" \
  "$W/tune7-catalog-small/train-0000[1-2]-of-00004.h5" "$W/tune7-english-small/train-0000[1-2]-of-00004.h5" \
  "$W/tight8-catalog-small/train-00003-of-00004.h5" "$W/short7-catalog-small" \
  "$W/tune6-catalog-small/train-0000[1-2]-of-00004.h5" "$W/tiny6-catalog-small/train-00004-of-00006.h5" \
  "$W/tune5-symbols-small" "$W/tune-symbols-small/train-00001-of-00004.h5" \
  "$W/tune5-catalog-small/train-00003-of-00005.h5" "$W/tune5-english-small/train-00003-of-00005.h5" \
  "$W/tune-catalog-tight/train-00007-of-00010.h5" "$W/train-catalog/train-00007-of-00020.h5" "$W/train-english/train-00007-of-00020.h5" \
  "$W/train-catalog/train-00010-of-00020.h5" "$W/train-english/train-00010-of-00020.h5" \
  "$W/tune-catalog-tight/train-00008-of-00010.h5" "$W/tune-english-tight/train-00007-of-00010.h5" \
  --val "$W/val8-english-small" "$W/val7-english-small" "$W/val5-english-small" "$W/val-symbols-small" \
  --init "$W/crnn_small_spaced.keras" --epochs 3 --lr 1e-4 --seed 17
# stage 9: fine-tune 2 epochs on 120,000 fresh words cut at the ink (stage 8's six sets, other seeds) and stage 8's
# catalog and English ones, mixed with stage 8's replays (the letter-spaced, short and tiny ones from other shards;
# 400,000 crops in all)
[ -e "$W/short9.txt" ] || "$BIN/python" recipes/short_words.py "$W/short9.txt" --count 15000 --seed 4
gen ink9-catalog-small 30000 81 train --set "$SIGNS" --set "$INK"
gen ink9-english-small 30000 82 train --set "$SIGNS" --set "$INK"
gen inksp9-catalog-small 15000 83 train --set "$SIGNS" --set "$INK" --set "$SPACED"
gen inktiny9-english-small 15000 84 train --set "$SIGNS" --set "$INK" --set "$TINY"
gen ink9-catalog-tight 15000 85 train --set "$SIGNS" --set "$INK"
gen inkshort9-catalog-small 15000 86 train --catalog "$W/short9.txt" --set "$INK" --set "$TINY"
train crnn_small_ink2 --data "$W/ink9-catalog-small" "$W/ink9-english-small" "$W/inksp9-catalog-small" \
  "$W/inktiny9-english-small" "$W/ink9-catalog-tight" "$W/inkshort9-catalog-small" "$W/ink8-catalog-small" \
  "$W/ink8-english-small" \
  "$W/tune7-catalog-small/train-0000[03]-of-00004.h5" "$W/tune7-english-small/train-0000[03]-of-00004.h5" \
  "$W/tight8-catalog-small/train-00003-of-00004.h5" "$W/short7-catalog-small" \
  "$W/tune6-catalog-small/train-0000[03]-of-00004.h5" "$W/tiny6-catalog-small/train-00003-of-00006.h5" \
  "$W/tune5-symbols-small" "$W/tune-symbols-small/train-00001-of-00004.h5" \
  "$W/tune5-catalog-small/train-00003-of-00005.h5" "$W/tune5-english-small/train-00003-of-00005.h5" \
  "$W/tune-catalog-tight/train-00007-of-00010.h5" "$W/train-catalog/train-00007-of-00020.h5" "$W/train-english/train-00007-of-00020.h5" \
  "$W/train-catalog/train-00010-of-00020.h5" "$W/train-english/train-00010-of-00020.h5" \
  "$W/tune-catalog-tight/train-00008-of-00010.h5" "$W/tune-english-tight/train-00007-of-00010.h5" \
  --val "$W/val8-english-small" "$W/val7-english-small" "$W/val5-english-small" "$W/val-symbols-small" \
  --init "$W/crnn_small_ink.keras" --epochs 2 --lr 1e-4 --seed 19
# stage 10: fine-tune 2 epochs on photographed words: 300,000 crops of the camera configs (the text's plane seen at an
# angle or round a can, rotated in loose upright cuts with neighbouring words, photographs as backgrounds, uneven light,
# glare, blur, noise, low resolution and JPEG), mixed with 185,000 fresh born-digital crops of stage 9's six kinds
# (485,000 crops in all)
[ -e "$W/short10.txt" ] || "$BIN/python" recipes/short_words.py "$W/short10.txt" --count 15000 --seed 10
gen cam10-catalog-camera 150000 101 train
gen cam10-english-camera 150000 102 train
gen ink10-catalog-small 60000 103 train --set "$SIGNS" --set "$INK"
gen ink10-english-small 60000 104 train --set "$SIGNS" --set "$INK"
gen inksp10-catalog-small 15000 105 train --set "$SIGNS" --set "$INK" --set "$SPACED"
gen inktiny10-english-small 15000 106 train --set "$SIGNS" --set "$INK" --set "$TINY"
gen inkshort10-catalog-small 15000 107 train --catalog "$W/short10.txt" --set "$INK" --set "$TINY"
gen tight10-catalog-tight 20000 108 train --set "$SIGNS" --set "$INK"
gen val10-catalog-camera 3000 111 val
gen val10-english-camera 3000 112 val
gen val10-english-small 3000 113 val --set "$SIGNS" --set "$INK"
train crnn_small_cam --data "$W/cam10-catalog-camera" "$W/cam10-english-camera" "$W/ink10-catalog-small" \
  "$W/ink10-english-small" "$W/inksp10-catalog-small" "$W/inktiny10-english-small" "$W/inkshort10-catalog-small" \
  "$W/tight10-catalog-tight" \
  --val "$W/val10-catalog-camera" "$W/val10-english-camera" "$W/val10-english-small" \
  --init "$W/crnn_small_ink2.keras" --epochs 2 --lr 1e-4 --seed 101
# stage 11: 1 epoch at a lower learning rate on 80,000 fresh born-digital crops cut at the ink and 60,000 of stage 10's
# camera crops (stage 10 read born-digital hold-outs 1-2 points worse than stage 9)
gen ink11-catalog-small 40000 121 train --set "$SIGNS" --set "$INK"
gen ink11-english-small 40000 122 train --set "$SIGNS" --set "$INK"
train crnn_small_cam2 --data "$W/ink11-catalog-small" "$W/ink11-english-small" \
  "$W/cam10-catalog-camera/train-0000[0-2]-of-00015.h5" "$W/cam10-english-camera/train-0000[0-2]-of-00015.h5" \
  --val "$W/val10-catalog-camera" "$W/val10-english-camera" "$W/val10-english-small" \
  --init "$W/crnn_small_cam.keras" --epochs 1 --lr 3e-5 --seed 111
# stage 12: 1 epoch on legible photographed words with punctuation beside them (camera configs with min_legibility 0.6
# and punctuation_prob 0.2: SALE!, day;, #1, (new)) and born-digital words cut at the ink with punctuation_prob 0.1
# (230,000 crops in all); stages 12 and 13 train in float32 (as the bundled weights were made) whatever PRECISION says
LEG='min_legibility=0.6'
SHARD=5000 gen cam12-catalog-camera 75000 1201 train --set "$LEG" --set punctuation_prob=0.2
SHARD=5000 gen cam12-english-camera 75000 1202 train --set "$LEG" --set punctuation_prob=0.2
SHARD=5000 gen ink12-catalog-small 40000 1203 train --set "$SIGNS" --set "$INK" --set punctuation_prob=0.1
SHARD=5000 gen ink12-english-small 40000 1204 train --set "$SIGNS" --set "$INK" --set punctuation_prob=0.1
SHARD=5000 gen val12-catalog-camera 2000 1211 val --set "$LEG" --set punctuation_prob=0.2
SHARD=5000 gen val12-english-camera 2000 1212 val --set "$LEG" --set punctuation_prob=0.2
SHARD=5000 gen val12-english-small 2000 1213 val --set "$SIGNS" --set "$INK"
PRECISION= train crnn_small_punct --data "$W/cam12-catalog-camera" "$W/cam12-english-camera" "$W/ink12-catalog-small" \
  "$W/ink12-english-small" --val "$W/val12-catalog-camera" "$W/val12-english-camera" "$W/val12-english-small" \
  --init "$W/crnn_small_cam2.keras" --epochs 1 --lr 5e-5 --seed 121
# stage 13: 1 epoch at twice the learning rate on fresh crops of the same kinds with more punctuation, and plates behind
# the words (word_plate_prob: sign panels, price tags, labels whose edges the cut shows): 200,000 crops in all
SHARD=5000 gen cam13-catalog-camera 60000 1301 train --set "$LEG" --set punctuation_prob=0.3 --set word_plate_prob=0.3
SHARD=5000 gen cam13-english-camera 60000 1302 train --set "$LEG" --set punctuation_prob=0.3 --set word_plate_prob=0.3
SHARD=5000 gen ink13-catalog-small 40000 1303 train --set "$SIGNS" --set "$INK" --set punctuation_prob=0.2 --set word_plate_prob=0.15
SHARD=5000 gen ink13-english-small 40000 1304 train --set "$SIGNS" --set "$INK" --set punctuation_prob=0.2 --set word_plate_prob=0.15
SHARD=5000 gen val13-catalog-camera 2000 1311 val --set "$LEG" --set punctuation_prob=0.3 --set word_plate_prob=0.3
SHARD=5000 gen val13-english-camera 2000 1312 val --set "$LEG" --set punctuation_prob=0.3 --set word_plate_prob=0.3
SHARD=5000 gen val13-english-small 2000 1313 val --set "$SIGNS" --set "$INK" --set punctuation_prob=0.2 --set word_plate_prob=0.15
PRECISION= train crnn_small_plate --data "$W/cam13-catalog-camera" "$W/cam13-english-camera" "$W/ink13-catalog-small" \
  "$W/ink13-english-small" --val "$W/val13-catalog-camera" "$W/val13-english-camera" "$W/val13-english-small" \
  --init "$W/crnn_small_punct.keras" --epochs 1 --lr 1e-4 --seed 131
# stage 14: 1 epoch at a lower learning rate on 120,000 fresh crops of the same kinds with less punctuation and fewer
# plates (stage 13 read plain catalog camera crops half a point worse than stage 11)
SHARD=5000 gen cam14-catalog-camera 40000 1401 train --set "$LEG" --set punctuation_prob=0.1 --set word_plate_prob=0.1
SHARD=5000 gen cam14-english-camera 40000 1402 train --set "$LEG" --set punctuation_prob=0.2 --set word_plate_prob=0.2
SHARD=5000 gen ink14-catalog-small 20000 1403 train --set "$SIGNS" --set "$INK" --set punctuation_prob=0.15 --set word_plate_prob=0.1
SHARD=5000 gen ink14-english-small 20000 1404 train --set "$SIGNS" --set "$INK" --set punctuation_prob=0.15 --set word_plate_prob=0.1
PRECISION= train crnn_small_signs --data "$W/cam14-catalog-camera" "$W/cam14-english-camera" "$W/ink14-catalog-small" \
  "$W/ink14-english-small" --val "$W/val13-catalog-camera" "$W/val13-english-camera" "$W/val13-english-small" \
  --init "$W/crnn_small_plate.keras" --epochs 1 --lr 3e-5 --seed 141
echo "copy $W/crnn_small_signs.keras to ocrmodels/weights/crnn_small.keras to bundle it"
