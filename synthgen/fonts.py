"""Font library: scan folders, index glyph coverage, pick a font that covers a word.

Coverage is decided twice: the font's cmap must map the character (fontTools), and the glyph
must render as real ink (Pillow): an empty bitmap, one bitmap shared by three or more code
points (a ``.notdef`` box behind a full cmap), or a lowercase letter drawn exactly as its
capital (all-caps display fonts) does not count. The index is cached on disk by file hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .charset import Charset

__all__ = [
    "FONT_SUFFIXES",
    "FontInfo",
    "FontLibrary",
    "NoFontCoversText",
    "bundled_fonts_dir",
    "cache_dir",
]

FONT_SUFFIXES = (".ttf", ".otf")
_INDEX_VERSION = 2
_CHECK_SIZE = 32
_REF_SIZE = 100


class NoFontCoversText(ValueError):
    """No font in the library covers every character of a text (a typed, counted reject)."""

    def __init__(self, text: str, missing: list[str]):
        self.text = text
        self.missing = missing
        super().__init__(
            f"No font covers every character of {text!r} (uncovered: {missing!r}). "
            "Add a font that has these glyphs, or remove the characters from the charset."
        )


def cache_dir() -> Path:
    """Where indexes are cached: ``$SYNTHGEN_CACHE``, else ``$XDG_CACHE_HOME/synthgen``, else ``~/.cache/synthgen``."""
    if os.environ.get("SYNTHGEN_CACHE"):
        return Path(os.environ["SYNTHGEN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "synthgen"


def _asset_dir(name: str) -> Path:
    here = Path(__file__).resolve().parent
    for cand in (here.parent / name, here / "_assets" / name):
        if cand.is_dir():
            return cand
    import sys

    return Path(sys.prefix) / "share" / "synthgen" / name


def bundled_fonts_dir() -> Path:
    """The ``fonts/`` folder shipped with the project."""
    return _asset_dir("fonts")


@dataclass(frozen=True)
class FontInfo:
    """One indexed font file.

    Attributes:
        path: absolute path of the file.
        name: a stable label: the path relative to its folder, prefixed by the folder's name.
        sha1: hex digest of the file's bytes.
        full_name: the font's own full name (name table id 4).
    """

    path: str
    name: str
    sha1: str
    full_name: str


def _sha1(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _render_glyph(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
    """Tight ink bitmap of one character (empty array when it has no ink)."""
    left, top, right, bottom = font.getbbox(ch, anchor="ls")
    w, h = max(right - left, 1), max(bottom - top, 1)
    im = Image.new("L", (w + 2, h + 2), 0)
    ImageDraw.Draw(im).text((1 - left, 1 - top), ch, font=font, fill=255, anchor="ls")
    a = np.asarray(im)
    ys, xs = np.nonzero(a > 24)
    if len(ys) == 0:
        return np.zeros((0, 0), np.uint8)
    return a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _index_font(path: Path, charset: Charset) -> dict:
    """Coverage and metrics of one font file. Raises on an unreadable font."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True, fontNumber=0) as tt:
        cmap = tt.getBestCmap() or {}
        try:
            full_name = tt["name"].getDebugName(4) or path.stem
        except Exception:  # a name table is optional
            full_name = path.stem
    font = ImageFont.truetype(str(path), _CHECK_SIZE)
    bitmaps = {}
    for c in charset.chars:
        if c == " " or ord(c) not in cmap:
            continue
        bm = _render_glyph(font, c)
        if bm.size:
            bitmaps[c] = hashlib.sha1(bm.tobytes() + bytes(str(bm.shape), "ascii")).hexdigest()
    groups: dict[str, list[str]] = {}
    for c, h in bitmaps.items():
        groups.setdefault(h, []).append(c)
    covered = []
    for c in charset.chars:
        if c == " ":
            covered.append(True)
            continue
        h = bitmaps.get(c)
        ok = h is not None and len(groups[h]) < 3
        if ok and c.islower() and c.upper() != c and bitmaps.get(c.upper()) == h:
            ok = False
        covered.append(ok)
    ref = ImageFont.truetype(str(path), _REF_SIZE)
    asc, desc = ref.getmetrics()
    adv = [float(ref.getlength(c)) if ok else 0.0 for c, ok in zip(charset.chars, covered)]
    return {
        "full_name": full_name,
        "covered": "".join("1" if ok else "0" for ok in covered),
        "ascent": float(asc),
        "descent": float(desc),
        "advance": adv,
    }


class FontLibrary:
    """Fonts from one or more folders, with a glyph-coverage index.

    Args:
        folders: folders scanned recursively for ``.ttf``/``.otf`` files, in order.
        charset: the vocabulary coverage is indexed for.
        use_cache: read and write the on-disk index cache (:func:`cache_dir`).

    Unreadable fonts and fonts that cover no character are skipped with a warning naming them.
    """

    def __init__(self, folders, charset: Charset, *, use_cache: bool = True):
        if isinstance(folders, (str, os.PathLike)):
            folders = [folders]
        self.charset = charset
        self.fonts: list[FontInfo] = []
        files = []
        for folder in folders:
            folder = Path(folder)
            if not folder.is_dir():
                raise FileNotFoundError(f"Font folder not found: {str(folder)!r}. Pass an existing folder of .ttf/.otf files.")
            found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
            if not found:
                raise ValueError(f"Font folder {str(folder)!r} holds no .ttf or .otf file. Add fonts or drop the folder.")
            files += [(folder, p) for p in found]
        cache = _IndexCache(charset) if use_cache else None
        covered, ascents, descents, advances = [], [], [], []
        for folder, p in files:
            try:
                sha = _sha1(p)
                entry = cache.get(sha) if cache else None
                if entry is None:
                    entry = _index_font(p, charset)
                    if cache:
                        cache.put(sha, entry)
            except Exception as e:  # any parse failure means the file is not a usable font
                warnings.warn(f"Skipping unreadable font {str(p)!r}: {type(e).__name__}: {e}", stacklevel=2)
                continue
            cov = np.array([c == "1" for c in entry["covered"]], dtype=bool)
            if not cov[[i for i, c in enumerate(charset.chars) if c != " "]].any():
                warnings.warn(f"Skipping font {str(p)!r}: it covers no character of the charset.", stacklevel=2)
                continue
            label = f"{folder.name}/{p.relative_to(folder).as_posix()}"
            self.fonts.append(FontInfo(str(p.resolve()), label, sha, entry["full_name"]))
            covered.append(cov)
            ascents.append(entry["ascent"])
            descents.append(entry["descent"])
            advances.append(entry["advance"])
        if cache:
            cache.save()
        if not self.fonts:
            raise ValueError(
                f"No usable font in {[str(f) for f in folders]!r}: every file was unreadable or covers none of "
                "the charset. Add .ttf/.otf fonts that cover the text."
            )
        #: bool [n_fonts, n_chars]: font f covers charset character c.
        self.coverage = np.stack(covered)
        #: float [n_fonts]: ascent and descent in pixels at size 100.
        self.ascent = np.array(ascents, np.float32)
        self.descent = np.array(descents, np.float32)
        #: float [n_fonts, n_chars]: advance widths in pixels at size 100.
        self.advance = np.array(advances, np.float32)
        self._covering_cache: dict = {}

    def __len__(self) -> int:
        return len(self.fonts)

    def table(self) -> list[dict]:
        """The font table written into shards: id order, name and hash."""
        return [{"id": i, "name": f.name, "sha1": f.sha1, "full_name": f.full_name} for i, f in enumerate(self.fonts)]

    def covering(self, char_ids: np.ndarray) -> np.ndarray:
        """Ids of the fonts that cover every character id in ``char_ids``."""
        if len(char_ids) == 0:
            return np.arange(len(self.fonts))
        return np.flatnonzero(self.coverage[:, char_ids].all(axis=1))

    def pick(self, text: str, rng: np.random.Generator) -> int:
        """A random font id covering every character of ``text``; raises :class:`NoFontCoversText`."""
        ok = self._covering_cache.get(text)
        if ok is None:
            if len(self._covering_cache) > 200_000:
                self._covering_cache = {}
            ids = self.charset.indices(text)
            ok = self._covering_cache[text] = self.covering(ids)
        if len(ok) == 0:
            ids = self.charset.indices(text)
            missing = sorted({self.charset.chars[i] for i in ids if not self.coverage[:, i].any()})
            raise NoFontCoversText(text, missing)
        return int(ok[rng.integers(len(ok))])


class _IndexCache:
    """JSON cache of font index entries, keyed by file hash, charset and index version."""

    def __init__(self, charset: Charset):
        key = hashlib.sha1(f"{_INDEX_VERSION}|{charset.chars}".encode()).hexdigest()[:16]
        self.path = cache_dir() / f"font-index-{key}.json"
        self.data = {}
        self.dirty = False
        try:
            with open(self.path, encoding="utf-8") as f:
                self.data = json.load(f)
        except (OSError, ValueError):
            self.data = {}

    def get(self, sha: str):
        return self.data.get(sha)

    def put(self, sha: str, entry: dict) -> None:
        self.data[sha] = entry
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.data, f)
            os.replace(tmp, self.path)
        except OSError:  # a read-only cache only costs re-indexing next time
            pass
