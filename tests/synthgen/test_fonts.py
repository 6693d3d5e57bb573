import shutil
import warnings

import numpy as np
import pytest
from fontTools.ttLib import TTFont

from synthgen.charset import Charset
from synthgen.fonts import FontLibrary, NoFontCoversText, bundled_fonts_dir

LIBERATION = bundled_fonts_dir() / "liberation" / "LiberationSans-Regular.ttf"


def _broken_font(path, *, drop=(), notdef=()):
    """A copy of Liberation Sans whose cmap lacks ``drop`` and maps ``notdef`` to the .notdef box."""
    f = TTFont(str(LIBERATION))
    for table in f["cmap"].tables:
        for c in drop:
            table.cmap.pop(ord(c), None)
        for c in notdef:
            if ord(c) in table.cmap:
                table.cmap[ord(c)] = ".notdef"
    f.save(str(path))


def test_bundled_library_is_large_and_covering():
    lib = FontLibrary(bundled_fonts_dir(), Charset())
    assert len(lib) >= 40
    full = lib.coverage.all(axis=1)
    assert full.sum() >= 40
    names = [f.name for f in lib.fonts]
    bebas = names.index("fonts/bebas-neue/BebasNeue-Regular.otf")
    cs = Charset()
    # all-caps font: lower-case code points draw capitals, so they are not coverage
    assert not lib.coverage[bebas, cs.index("a")] and lib.coverage[bebas, cs.index("A")]


def test_every_bundled_font_loads_and_has_its_licence():
    root = bundled_fonts_dir()
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".ttf", ".otf"))
    cs = Charset()
    lib = FontLibrary(root, cs)
    assert len(lib) == len(files)  # none skipped as unreadable or empty
    for p in files:
        assert (p.parent / "LICENSE").is_file(), f"{p.parent.name} has no LICENSE"
    # every font draws nearly all capitals and digits (I aside: some draw I, l and | alike)
    caps_digits = [cs.index(c) for c in "ABCDEFGHJKLMNOPQRSTUVWXYZ0123456789"]
    assert lib.coverage[:, caps_digits].mean(axis=1).min() > 0.9


def test_missing_and_notdef_glyphs_are_not_coverage(tmp_path):
    _broken_font(tmp_path / "broken.ttf", drop="Z", notdef="QRS")
    shutil.copy(bundled_fonts_dir() / "roboto" / "Roboto-Regular.ttf", tmp_path / "good.ttf")
    cs = Charset()
    lib = FontLibrary(tmp_path, cs)
    broken = [f.name for f in lib.fonts].index(f"{tmp_path.name}/broken.ttf")
    for c in "ZQRS":
        assert not lib.coverage[broken, cs.index(c)], c
    assert lib.coverage[broken, cs.index("A")]
    rng = np.random.default_rng(0)
    for word in ("Zero", "QR", "Sale", "aZ9"):
        assert {lib.pick(word, rng) for _ in range(30)} == {1 - broken}
    assert {lib.pick("Milk", rng) for _ in range(60)} == {0, 1}


def test_no_font_covers_text_is_typed(tmp_path):
    _broken_font(tmp_path / "only.ttf", drop="Z")
    lib = FontLibrary(tmp_path, Charset())
    with pytest.raises(NoFontCoversText, match="'Z'") as e:
        lib.pick("ZIP", np.random.default_rng(0))
    assert e.value.missing == ["Z"]


def test_unreadable_font_is_skipped_with_a_warning(tmp_path):
    (tmp_path / "junk.ttf").write_bytes(b"this is not a font")
    shutil.copy(LIBERATION, tmp_path / "ok.ttf")
    with pytest.warns(UserWarning, match="junk.ttf"):
        lib = FontLibrary(tmp_path, Charset())
    assert len(lib) == 1


def test_empty_or_useless_font_folders_are_errors(tmp_path):
    with pytest.raises(ValueError, match="holds no .ttf"):
        FontLibrary(tmp_path, Charset())
    with pytest.raises(FileNotFoundError, match="not found"):
        FontLibrary(tmp_path / "missing", Charset())
    (tmp_path / "junk.otf").write_bytes(b"\x00" * 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="No usable font"):
            FontLibrary(tmp_path, Charset())


def test_font_covering_nothing_is_skipped(tmp_path):
    shutil.copy(LIBERATION, tmp_path / "latin.ttf")
    shutil.copy(LIBERATION, tmp_path / "latin2.ttf")
    with pytest.warns(UserWarning, match="covers no character"):
        with pytest.raises(ValueError, match="No usable font"):
            FontLibrary(tmp_path, Charset("\u4e2d\u6587"))


def test_index_is_cached(tmp_path, monkeypatch):
    import synthgen.fonts as fonts

    monkeypatch.setenv("SYNTHGEN_CACHE", str(tmp_path / "cache"))
    shutil.copy(LIBERATION, tmp_path / "a.ttf")
    FontLibrary(tmp_path, Charset())
    assert list((tmp_path / "cache").glob("font-index-*.json"))
    calls = []
    monkeypatch.setattr(fonts, "_index_font", lambda *a: calls.append(a))
    lib = FontLibrary(tmp_path, Charset())
    assert calls == [] and len(lib) == 1
