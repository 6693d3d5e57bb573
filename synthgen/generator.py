"""One word crop: text -> font -> render -> geometry -> background -> colours -> effects -> encode.

Every random choice of a sample comes from one ``numpy.random.Generator``; the shard writer
derives it from ``(seed, sample index, attempt)``, so a sample does not depend on which
process made it, nor on the shard size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from . import camera
from . import effects as fx
from .backgrounds import PROCEDURAL_KINDS, BackgroundLibrary, bundled_backgrounds_dir, procedural_background
from .camera import CAMERA_PARAM_FIELDS
from .charset import Charset
from .config import resolve_config
from .distractors import bundled_photos_dir, plate_mask
from .fonts import FontLibrary, NoFontCoversText, bundled_fonts_dir
from .geometry import quads_bounds, scale_matrix, transform_quads, translation_matrix
from .lettering import LETTERING_STYLES, draw_lettering, hollow_ring
from .render import GlyphCache, render_text
from .text import TextSource, default_catalog_path, load_catalog

__all__ = ["Sample", "WordGenerator", "SampleRejected", "PARAM_FIELDS", "sample_rng", "encode_image", "decode_image",
           "ink_legibility"]

#: Per-sample parameters stored with every crop (float32 each; 0 where an effect is off).
PARAM_FIELDS = (
    "font_size", "char_spacing", "text_height", "rotation", "shear", "perspective", "curve",
    "curve_amplitude", "stroke_width", "shadow", "underline", "brightness", "contrast",
    "blur_sigma", "downscale", "noise_sigma", "jpeg_quality", "text_r", "text_g", "text_b",
    "contrast_ratio", "attempt", "tight_crop", "small_render", "lettering",
) + CAMERA_PARAM_FIELDS


class SampleRejected(ValueError):
    """A candidate sample was rejected (counted by ``reason``); the caller tries the next one."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass
class Sample:
    """One generated crop.

    Attributes:
        image: uint8 ``[H, W]`` (grey) or ``[H, W, 3]`` (RGB); exactly what the shard stores
            (with JPEG storage, the decoded stored bytes, decoded on first access).
        text: the label.
        char_quads: float32 ``[n, 4, 2]``, one per non-space character, crop pixels, clockwise from top-left.
        word_quads: float32 ``[m, 4, 2]``, one per word.
        font: font id in the generator's font table.
        background: background id in the generator's background table.
        params: the sampled parameters, keyed by :data:`PARAM_FIELDS`.
        encoded: the stored bytes (JPEG/PNG) or ``None`` for raw storage.
        debug: with ``debug=True``: the layer, its per-character patches and the 3x3 matrix
            from layer to crop.
    """

    pixels: np.ndarray = field(repr=False)
    text: str
    char_quads: np.ndarray
    word_quads: np.ndarray
    font: int
    background: int
    params: dict
    encoded: bytes | None = None
    debug: dict = field(default_factory=dict, repr=False)
    lossy: bool = False

    @property
    def image(self) -> np.ndarray:
        if self.lossy:
            self.pixels = decode_image(self.encoded, 3 if self.pixels.ndim == 3 else 1)
            self.lossy = False
        return self.pixels


def sample_rng(seed: int, index: int, attempt: int = 0) -> np.random.Generator:
    """The generator of sample ``index`` (its ``attempt``-th candidate) for ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=(index, attempt))))


def encode_image(img: np.ndarray, codec: str, quality: int) -> bytes | None:
    if codec == "raw":
        return None
    if codec == "jpeg":
        ok, buf = cv2.imencode(".jpg", _to_cv(img), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    else:
        ok, buf = cv2.imencode(".png", _to_cv(img), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    if not ok:
        raise RuntimeError(f"OpenCV failed to encode a {img.shape} image as {codec}")
    return buf.tobytes()


def decode_image(data, channels: int) -> np.ndarray:
    """Decode stored JPEG/PNG bytes to uint8 ``[H, W]`` (grey) or ``[H, W, 3]`` RGB."""
    buf = np.frombuffer(data, np.uint8) if not isinstance(data, np.ndarray) else data
    img = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE if channels == 1 else cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError("image bytes do not decode")
    return img if channels == 1 else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _to_cv(img):
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)


def _resolve_folders(value, bundled: Path) -> list[str]:
    return [str(bundled)] if value is None else list(value)


class _GeneratorBase:
    """What word and scene generators share: config, vocabulary, text, fonts, backgrounds, glyph cache."""

    kind = "words"

    def __init__(self, config: dict | None = None, *, titles: list[str] | None = None, kind: str = "words"):
        cfg = resolve_config(config, kind)
        self.config = cfg
        self.charset = Charset(cfg["charset"])
        # characters drawn but not labelled (words only) extend the charset the text, fonts and renderer use
        self._unlabelled = frozenset(cfg.get("unlabelled_chars") or "")
        self._draw_charset = Charset(self.charset.chars + cfg["unlabelled_chars"]) if self._unlabelled else self.charset
        # typographic quotes drawn for ASCII ones (labelled ASCII): fonts must cover them too
        self._typographic = float(cfg.get("typographic_prob", 0.0)) if kind == "words" else 0.0
        text_charset = self._draw_charset  # what the text source draws from: never the typographic forms
        if self._typographic > 0:
            extra = "".join(c for c in TYPOGRAPHIC if c not in self._draw_charset)
            self._draw_charset = Charset(self._draw_charset.chars + extra)
        if titles is None:
            catalog = cfg["catalog"] or default_catalog_path()
            titles = load_catalog(catalog, column=cfg["catalog_column"])
        self._raw_titles = titles
        self.text = TextSource(
            titles,
            text_charset,
            oov_policy=cfg["oov_policy"],
            min_length=cfg["min_length"],
            max_length=cfg["max_length"],
            length_distribution=cfg["length_distribution"],
            word_weighting=cfg["word_weighting"],
            phrase_prob=cfg.get("phrase_prob", 0.0),
            max_phrase_words=cfg.get("max_phrase_words", 3),
            case_weights=cfg.get("case_weights"),
            random_text_prob=cfg.get("random_text_prob", 0.0),
            punctuation_prob=cfg.get("punctuation_prob", 0.0),
            apostrophe_prob=cfg.get("apostrophe_prob", 0.0),
        )
        self.fonts = FontLibrary(_resolve_folders(cfg["fonts"], bundled_fonts_dir()) + list(cfg["extra_fonts"]),
                                 self._draw_charset)
        self.backgrounds = BackgroundLibrary(_resolve_folders(cfg["backgrounds"], bundled_backgrounds_dir()))
        self._glyphs = GlyphCache(self.fonts)
        self._proc_cum = np.cumsum(cfg["procedural_weights"])
        if cfg["image_background_prob"] > 0 and len(self.backgrounds) == 0:
            self._img_bg_prob = 0.0
        else:
            self._img_bg_prob = cfg["image_background_prob"]

    def background_table(self) -> list[dict]:
        """Rows of the shards' ``background_table``: image backgrounds, procedural kinds, then (word
        crops with ``photo_background_prob``) the photos as ``photo:NAME``."""
        rows = self.backgrounds.table()
        photos = getattr(self, "photos", None)
        if self.kind == "words" and photos is not None:
            rows += [{"id": len(rows) + i, "name": f"photo:{n}"} for i, n in enumerate(photos.names)]
        return rows

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_glyphs"] = GlyphCache(self.fonts)
        state.pop("_noise_bank", None)
        return state

    def sample_at(self, seed: int, index: int, *, debug: bool = False):
        """Sample ``index`` of the run with ``seed``: tries candidates until one is accepted.

        Returns the sample and the count of rejected candidates by reason (for scenes, the
        rejected text blocks too).
        """
        rejects: dict = {}

        def count(items):
            for k, v in items:
                rejects[k] = rejects.get(k, 0) + v

        for attempt in range(self.config["max_attempts"]):
            try:
                s = self.make_sample(sample_rng(seed, index, attempt), debug=debug)
            except (SampleRejected, NoFontCoversText) as e:
                reason = e.reason if isinstance(e, SampleRejected) else "no_font_covers_text"
                count([(reason, 1)] + list(getattr(e, "rejects", {}).items()))
                continue
            count(getattr(s, "rejects", {}).items())
            s.params["attempt"] = attempt
            return s, rejects
        hint = self._never_accepted
        if 2 * rejects.get("illegible", 0) >= sum(rejects.values()):
            hint = (f"most were illegible: lower min_legibility ({self.config['min_legibility']}) or the blur, noise "
                    "and camera effects.")
        raise RuntimeError(f"{'Scene' if self.kind == 'scenes' else 'Sample'} {index} was rejected "
                           f"{self.config['max_attempts']} times in a row ({rejects}); {hint}")

    _never_accepted = ("the fonts, charset or size options cannot produce valid crops. Check that the fonts cover the "
                       "catalog text and that the crop size fits the text lengths.")

    def _background(self, rng, H, W, C):
        if self._img_bg_prob > 0 and rng.random() < self._img_bg_prob:
            i = int(rng.integers(len(self.backgrounds)))
            crop = self.backgrounds.crop(i, H, W, C, rng, self.config["background_scale"])
            if crop is not None:
                return crop, i
        k = int(np.searchsorted(self._proc_cum, rng.random() * self._proc_cum[-1], side="right"))
        kind = PROCEDURAL_KINDS[min(k, len(PROCEDURAL_KINDS) - 1)]
        return procedural_background(kind, H, W, C, rng), self.backgrounds.procedural_id(kind)


class WordGenerator(_GeneratorBase):
    """Makes word crops from a resolved config (see :mod:`synthgen.config`).

    Args:
        config: option overrides (a dict); unknown keys or bad values raise ``ValueError``.
        titles: catalog titles to use instead of the ``catalog`` option (for tests and notebooks).

    The object pickles without its caches, so it can be sent to worker processes.
    """

    def __init__(self, config: dict | None = None, *, titles: list[str] | None = None):
        super().__init__(config, titles=titles, kind="words")
        cfg = self.config
        self._raw_titles = None
        self.channels = 3 if cfg["color"] else 1
        self.height, self.width = cfg["height"], cfg["width"]
        self.photos = None
        if cfg["photo_background_prob"] > 0:
            photos = BackgroundLibrary(_resolve_folders(cfg["photos"], bundled_photos_dir()))
            if len(photos) == 0:
                raise ValueError(f"photo_background_prob is {cfg['photo_background_prob']} but the photos folders "
                                 f"{cfg['photos']} hold no readable image: add photos or set photo_background_prob: 0")
            self.photos = photos
        self._n_backgrounds = len(self.backgrounds.table())
        lo, hi = cfg["min_font_size"], cfg["max_font_size"]
        grid = {lo, hi}
        v = float(lo)
        while v < hi:
            grid.add(int(round(v)))
            v *= 1.1
        self._size_grid = np.array(sorted(g for g in grid if lo <= g <= hi))
        self._log_grid = np.log(self._size_grid)
        self._align_cum = np.cumsum(cfg["align"])
        self._lettering_cum = np.cumsum(cfg["lettering_weights"])

    @property
    def image_shape(self) -> tuple:
        return (self.height, self.width) if self.channels == 1 else (self.height, self.width, 3)

    # ------------------------------------------------------------------ sampling
    def _context(self, rng, layer, font_id: int, size: int, spacing: float, m: np.ndarray, W: int, H: int) -> np.ndarray:
        """float32 ``[H, W]`` alpha of neighbouring text (same font, size and geometry as the word, placed by
        :func:`_context_offsets` in the word's layer and moved by the word's matrix ``m``), 0 over the word."""
        out = np.zeros((H, W), np.float32)
        taken = [layer.line_box]
        for _ in range(int(rng.integers(self.config["context_words"][0], self.config["context_words"][1] + 1))):
            other = self.text.sample(rng)
            ids = self._draw_charset.indices(other.replace(" ", ""))
            if len(ids) == 0 or font_id not in self.fonts.covering(ids):  # the word's font lacks a character
                continue
            nb = render_text(other, font_id, size, self._glyphs, spacing=spacing)
            if nb.char_quads.shape[0] == 0:
                continue
            off = _context_offsets(rng, layer.line_box, nb.line_box, size)
            nbox = nb.line_box + off.astype(np.float32)
            if any(_boxes_overlap(nbox, t) for t in taken):
                continue
            taken.append(nbox)
            a = fx.warp_layer(nb.alpha, m @ translation_matrix(float(off[0]), float(off[1])), W, H)
            np.maximum(out, a.astype(np.float32) * np.float32(1 / 255), out=out)
        return out

    def make_sample(self, rng: np.random.Generator, *, text: str | None = None, debug: bool = False) -> Sample:
        """One crop from ``rng``; raises :class:`SampleRejected` or :class:`NoFontCoversText` for a bad candidate."""
        cfg = self.config
        H, W, C = self.height, self.width, self.channels
        small = cfg["small_render_prob"] > 0 and rng.random() < cfg["small_render_prob"]
        if text is None:
            text = self.text.sample(rng)
        if self._unlabelled and self._unlabelled.issuperset(text.replace(" ", "")):
            raise SampleRejected("only_unlabelled_chars", repr(text))  # before drawing what no label keeps
        label = None
        if self._typographic > 0 and rng.random() < self._typographic and ("'" in text or '"' in text):
            label, text = text, typographic_quotes(text)  # drawn curly, labelled straight (same length)
        font_id = self.fonts.pick(text, rng)
        p = dict.fromkeys(PARAM_FIELDS, 0.0)

        # ---- sizes: render near the displayed size (render_scale), fit the crop
        ids = self._draw_charset.indices(text)
        spacing_frac = rng.uniform(*cfg["char_spacing"])
        th = rng.uniform(*cfg["text_height"])
        margin = rng.uniform(*cfg["margin"]) * H
        render_scale = rng.uniform(*cfg["render_scale"])
        line100 = float(self.fonts.ascent[font_id] + self.fonts.descent[font_id])
        n_sp = text.count(" ")
        width100 = float(self.fonts.advance[font_id, ids].sum()) + 100 * spacing_frac * max(len(text) - 1, 0) + 28.0 * n_sp
        if small:
            # born-digital small text: the font size that gives about the drawn ink height (a word's ink is
            # ~70% of the line), drawn 1:1 on a canvas sized to it; the tight cut below lays it out
            lo, hi = cfg["small_render_height"]
            disp = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) / 0.7 * 100.0 / line100
            render_scale = 1.0
            margin = 2.0 + 0.15 * disp * line100 / 100.0
        else:
            disp = 100.0 * min(th * H / line100, (W - 2 * margin) / max(width100, 1.0))
        # rendered sizes come from a geometric grid (10% steps) so glyph caches stay small and hot;
        # the warp below scales the rest of the way
        want = np.log(max(disp * render_scale, 1.0))
        size = int(self._size_grid[np.abs(self._log_grid - want).argmin()])
        spacing = spacing_frac * size

        # ---- style and geometry choices
        stroke = int(rng.integers(cfg["stroke_width"][0], cfg["stroke_width"][1] + 1)) if rng.random() < cfg["stroke_prob"] else 0
        shadow = rng.random() < cfg["shadow_prob"]
        curve = None
        if cfg["cylinder_prob"] > 0 and rng.random() < cfg["cylinder_prob"] and len(ids) > 1:
            arc, elev = rng.uniform(*cfg["cylinder_arc"]), rng.uniform(*cfg["cylinder_elevation"])
            curve = ("cylinder", float(np.radians(arc)), float(np.radians(elev)))
            p["curve"] = 3.0
            p["curve_amplitude"] = arc
        elif rng.random() < cfg["curve_prob"] and len(ids) > 2:
            amp = rng.uniform(*cfg["curve_amplitude"]) * size
            if rng.random() < cfg["curve_arc_prob"]:
                curve = ("arc", float(amp * rng.choice([-1.0, 1.0])))
                p["curve"] = 1.0
            else:
                period = max(width100 * size / 100.0, 1.0) * rng.uniform(*cfg["curve_wave_period"])
                curve = ("wave", float(amp), float(period), float(rng.uniform(0, 2 * np.pi)))
                p["curve"] = 2.0
            p["curve_amplitude"] = amp
        underline = curve is None and rng.random() < cfg["underline_prob"]
        rotation = rng.uniform(*cfg["rotation"]) if rng.random() < cfg["rotation_prob"] else 0.0
        shear = rng.uniform(*cfg["shear"]) if rng.random() < cfg["shear_prob"] else 0.0
        persp = None
        if rng.random() < cfg["perspective_prob"]:
            mag = rng.uniform(*cfg["perspective"])
            persp = rng.uniform(-mag, mag, (4, 2))
            p["perspective"] = mag
        tilt = None
        if cfg["camera_tilt_prob"] > 0 and rng.random() < cfg["camera_tilt_prob"]:
            tilt = (rng.uniform(*cfg["camera_tilt"]), rng.uniform(0, 180), rng.uniform(*cfg["camera_focal"]))
            p["camera_tilt"] = tilt[0]

        layer = render_text(text, font_id, size, self._glyphs, spacing=spacing, grow=stroke, curve=curve, underline=underline)
        if layer.char_quads.shape[0] == 0:
            raise SampleRejected("empty_text", repr(text))

        # ---- one matrix: distortion about the line centre, then scale and place in the crop
        box = layer.line_box
        lq = layer.char_quads
        ink_box = np.array(quads_bounds(lq), np.float32)
        x0, y0 = min(box[0, 0], ink_box[0]), min(box[0, 1], ink_box[1])
        x1, y1 = max(box[2, 0], ink_box[2]), max(box[2, 1], ink_box[3])
        full = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
        d = fx.distortion_matrix(full, rotation=rotation, shear=shear, perspective=persp)
        if tilt is not None:
            d = camera.tilt_matrix(full, *tilt) @ d
        pts = transform_quads(np.concatenate([full, lq.reshape(-1, 2)]), d)
        bx0, by0 = pts.min(0)
        bx1, by1 = pts.max(0)
        bw, bh = max(bx1 - bx0, 1e-3), max(by1 - by0, 1e-3)
        line_h = float(box[3, 1] - box[0, 1])
        if small:  # drawn 1:1 (the glyphs as the rasteriser hinted them) on a canvas that holds the word
            scale = 1.0
            W = int(np.ceil(bw + 2 * margin)) + 1
            H = int(np.ceil(bh + 2 * margin)) + 1
            th = line_h / H
        else:
            scale = min(th * H / max(line_h, 1.0), (H - 2 * margin) / bh, (W - 2 * margin) / bw)
        if scale <= 0:
            raise SampleRejected("does_not_fit", repr(text))
        free_x = W - 2 * margin - bw * scale
        free_y = H - 2 * margin - bh * scale
        a = int(np.searchsorted(self._align_cum, rng.random() * self._align_cum[-1], side="right"))
        fxo = 0.5 if a == 0 else (0.0 if a == 1 else rng.random())
        # pixel centres sit at integers, so the crop spans -0.5 .. W - 0.5
        ox = margin - 0.5 + max(free_x, 0) * fxo
        oy = margin - 0.5 + max(free_y, 0) * rng.uniform(0.2, 0.8)
        if small:  # whole-pixel shifts keep an undistorted layer's pixels exact
            ox, oy = bx0 + np.floor(ox - bx0 + 0.5), by0 + np.floor(oy - by0 + 0.5)
        m = translation_matrix(ox, oy) @ scale_matrix(scale) @ translation_matrix(-bx0, -by0) @ d
        alpha = fx.warp_layer(layer.alpha, m, W, H)
        char_quads = transform_quads(lq, m)
        context = None
        if cfg["context_prob"] > 0 and rng.random() < cfg["context_prob"] and curve is None:
            context = self._context(rng, layer, font_id, size, spacing, m, W, H)
            # as a loose cut of the word's box shows them: only what lies within a margin of it
            pad = rng.uniform(0.15, 0.8, 2) * line_h * scale
            (qx0, qy0), (qx1, qy1) = char_quads.reshape(-1, 2).min(0), char_quads.reshape(-1, 2).max(0)
            x_lo, y_lo = max(0, int(qx0 - pad[0])), max(0, int(qy0 - pad[1]))
            x_hi, y_hi = max(0, int(np.ceil(qx1 + pad[0])) + 1), max(0, int(np.ceil(qy1 + pad[1])) + 1)
            keep = np.zeros_like(context)
            keep[y_lo:y_hi, x_lo:x_hi] = context[y_lo:y_hi, x_lo:x_hi]
            context = keep
            p["context"] = 1.0
        word_boxes = []
        for s, e in layer.word_spans:
            q = lq[s : e + 1].reshape(-1, 2)
            wx0, wy0 = q.min(0)
            wx1, wy1 = q.max(0)
            word_boxes.append([[wx0, wy0], [wx1, wy0], [wx1, wy1], [wx0, wy1]])
        word_quads = transform_quads(np.array(word_boxes, np.float32).reshape(-1, 4, 2), m)
        lim = np.array([W - 0.5, H - 0.5], np.float32)
        if (char_quads < -0.5 - 1e-3).any() or (char_quads > lim + 1e-3).any():
            raise SampleRejected("outside_crop", repr(text))
        np.clip(char_quads, -0.5, lim, out=char_quads)
        np.clip(word_quads, -0.5, lim, out=word_quads)

        # ---- background and colours
        bg = None
        if self.photos is not None and rng.random() < cfg["photo_background_prob"]:
            i = int(rng.integers(len(self.photos)))
            bg = self.photos.crop(i, H, W, C, rng, cfg["background_scale"])
            bg_id = self._n_backgrounds + i
            p["photo_background"] = 1.0
        if bg is None:
            bg, bg_id = self._background(rng, H, W, C)
        if cfg["word_plate_prob"] > 0 and rng.random() < cfg["word_plate_prob"]:
            bg = _plate(bg, full, m, line_h, cfg["word_plate_pad"], rng)
            p["plate"] = 1.0
        a32 = alpha.astype(np.float32) * np.float32(1 / 255)
        wsum = float(a32.sum())
        if wsum < 1.0:
            raise SampleRejected("no_ink", repr(text))
        bg_mean = (bg * a32[..., None]).reshape(-1, C).sum(0) / wsum
        bg_lum = float(fx.relative_luminance(bg_mean if C == 3 else bg_mean[0]))
        color = fx.pick_text_color(bg_lum, cfg["min_contrast"], rng)
        text_lum = float(fx.relative_luminance(color))
        color_c = color if C == 3 else np.array([255.0 * text_lum ** (1 / 2.2)])
        p["contrast_ratio"] = float(fx.contrast_ratio(text_lum, bg_lum))
        out = bg
        style = None  # sign lettering (drawn only where it is on, so other configs draw the same bytes)
        if cfg["lettering_prob"] > 0 and rng.random() < cfg["lettering_prob"]:
            j = int(np.searchsorted(self._lettering_cum, rng.random() * self._lettering_cum[-1], side="right"))
            style = LETTERING_STYLES[j]
            p["lettering"] = float(j + 1)
        if shadow:
            dx, dy = rng.uniform(*cfg["shadow_offset"], 2) * rng.choice([-1.0, 1.0], 2)
            sh = cv2.warpAffine(alpha, np.float32([[1, 0, dx], [0, 1, dy]]), (W, H)).astype(np.float32) * np.float32(1 / 255)
            sb = rng.uniform(*cfg["shadow_blur"])
            if sb > 0.05:
                sh = cv2.GaussianBlur(sh, (0, 0), sb)
            opacity = rng.uniform(*cfg["shadow_opacity"])
            scol = np.zeros(C) if text_lum > 0.3 else np.full(C, 255.0 if bg_lum < 0.2 else 0.0)
            out = fx.blend(out, sh * opacity, scol)
            p["shadow"] = 1.0
        salpha = None
        if stroke:
            k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * stroke + 1, 2 * stroke + 1))
            salpha = fx.warp_layer(cv2.dilate(layer.alpha, k), m, W, H).astype(np.float32) * np.float32(1 / 255)
            scol = fx.pick_text_color(text_lum, cfg["min_contrast"], rng)
            if C == 1:
                scol = np.array([255.0 * float(fx.relative_luminance(scol)) ** (1 / 2.2)])
            out = fx.blend(out, salpha, scol)
            p["stroke_width"] = stroke
        if context is not None:
            out = fx.blend(out, context, color_c)
        face = alpha  # the ink as drawn, for the legibility check
        if style is None:
            out = fx.blend(out, a32, color_c)
        else:
            ring = None
            if style == "hollow":  # an outline centred on the glyphs' edges, 5-10% of the font size wide
                outer, inner = hollow_ring(layer.alpha, int(round(size * rng.uniform(0.05, 0.1))))
                ring = np.clip(fx.warp_layer(outer, m, W, H).astype(np.float32)
                               - fx.warp_layer(inner, m, W, H).astype(np.float32), 0, 255) * np.float32(1 / 255)
                face = np.round(ring * 255).astype(np.uint8)  # hollow letters: only the outline is ink
            out = draw_lettering(out, a32, color_c, style, line_h * scale, rng, text_lum=text_lum, bg_lum=bg_lum,
                                 min_contrast=cfg["min_contrast"], ring=ring, depth=cfg["lettering_depth"])
        p["underline"] = float(underline)

        # ---- photometric effects
        out = fx.brightness_contrast_blur(out, cfg, rng, p)
        out = camera.camera_effects(out, cfg, rng, p)
        if rng.random() < cfg["downscale_prob"]:
            p["downscale"] = rng.uniform(*cfg["downscale"])
            out = fx.downscale_upscale(out, p["downscale"])
        if rng.random() < cfg["noise_prob"]:
            p["noise_sigma"] = rng.uniform(*cfg["noise_sigma"])
            out = fx.gaussian_noise(out, p["noise_sigma"], rng)
        img = np.clip(out + 0.5, 0, 255).astype(np.uint8)
        img = img[..., 0] if C == 1 else img
        if rng.random() < cfg["jpeg_prob"]:
            p["jpeg_quality"] = int(rng.integers(cfg["jpeg_quality"][0], cfg["jpeg_quality"][1] + 1))
            img = fx.jpeg_artifacts(img, p["jpeg_quality"])
        if cfg["min_legibility"] > 0:
            legibility = ink_legibility(img, face)
            if legibility < cfg["min_legibility"]:
                raise SampleRejected("illegible", f"{text!r}: {legibility:.2f}")
        if small or (cfg["tight_crop_prob"] > 0 and rng.random() < cfg["tight_crop_prob"]):
            ink = line = None
            if cfg["tight_crop_box"] == "ink":
                drawn = alpha if face is alpha else np.maximum(alpha, face)
                ink = _ink_box(drawn if salpha is None else np.maximum(drawn, salpha * 255))
            elif cfg["tight_crop_box"] == "line":  # the line's ascent..descent and pen extent, as the text moved
                line = transform_quads(full, m)
            img, char_quads, word_quads, tight, p["tight_crop"] = _tight_crop(img, char_quads, word_quads, cfg, rng,
                                                                              self.height, self.width, shrink=not small,
                                                                              ink=ink, line=line)
            m = np.vstack([tight, (0, 0, 1)]) @ m
            p["small_render"] = float(small)
        if label is not None:
            text = label
        if self._unlabelled:
            text, char_quads, word_quads = _unlabel(text, char_quads, word_quads, self._unlabelled)
        encoded = encode_image(img, cfg["image_codec"], cfg["storage_quality"])

        p.update(font_size=size, char_spacing=spacing_frac, text_height=th, rotation=rotation, shear=shear,
                 text_r=color[0], text_g=color[1], text_b=color[2])
        dbg = {}
        if debug:
            dbg = {"layer": layer, "matrix": m, "alpha": alpha, "context": context}
        # with JPEG storage the sample's image is the decoded stored bytes (decoded when first read)
        return Sample(img, text, char_quads, word_quads, font_id, bg_id, p, encoded, dbg, lossy=cfg["image_codec"] == "jpeg")


def ink_legibility(img: np.ndarray, alpha: np.ndarray) -> float:
    """How much of a word's ink survives in a finished crop: ``|corr|`` between the crop in grey (as
    :func:`~synthgen.effects.to_grey` makes it) and the word's clean alpha ``[H, W]`` (same geometry), over the ink
    and 2 px round it. 1: the crop shows the ink as drawn (any colours, any contrast); near 0: blur, noise or
    clutter left nothing of it. 0 for a crop with no variation there."""
    g = (fx.to_grey(img) if img.ndim == 3 else img).astype(np.float64)
    a = alpha.astype(np.float64)
    near = cv2.dilate((alpha > 25).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    x, y = g[near], a[near]
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return 0.0
    return float(abs(np.corrcoef(x, y)[0, 1]))


def _plate(bg: np.ndarray, box: np.ndarray, m: np.ndarray, line_h: float, pad, rng) -> np.ndarray:
    """``bg`` with a plate behind the word: ``box`` (the line's box in layer pixels) grown by ``pad`` line heights
    on each side, moved by ``m`` like the text, corners rounded by up to 0.6 line heights, filled with a colour that
    stands out from the background it covers (contrast ratio >= 1.5)."""
    H, W, C = bg.shape
    g = rng.uniform(pad[0], pad[1], 4) * line_h  # left, top, right, bottom
    (x0, y0), (x1, y1) = box[0], box[2]
    quad = np.array([[x0 - g[0], y0 - g[1]], [x1 + g[2], y0 - g[1]], [x1 + g[2], y1 + g[3]], [x0 - g[0], y1 + g[3]]],
                    np.float32)
    scale = float(np.sqrt(abs(np.linalg.det(m[:2, :2]))))
    px0, py0, a = plate_mask(transform_quads(quad[None], m)[0], H, W, radius=rng.uniform(0, 0.6) * line_h * scale)
    covered = float(a.sum())
    if covered < 1.0:
        return bg
    roi = bg[py0 : py0 + a.shape[0], px0 : px0 + a.shape[1]]
    under = (roi * a[..., None]).reshape(-1, C).sum(0) / covered
    color = fx.pick_text_color(float(fx.relative_luminance(under if C == 3 else under[0])), 1.5, rng)
    if C == 1:
        color = np.array([255.0 * float(fx.relative_luminance(color)) ** (1 / 2.2)])
    out = bg.copy()
    out[py0 : py0 + a.shape[0], px0 : px0 + a.shape[1]] = fx.blend(roi, a, color)
    return out


def _boxes_overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Axis-aligned boxes given as ``[4, 2]`` quads (tl, tr, br, bl) overlap."""
    return bool(a[0, 0] < b[2, 0] and b[0, 0] < a[2, 0] and a[0, 1] < b[2, 1] and b[0, 1] < a[2, 1])


def _context_offsets(rng, box: np.ndarray, nbox: np.ndarray, size: float) -> np.ndarray:
    """Where a neighbour's line box ``nbox`` goes (a translation in the main layer's pixels): before or after
    the main line ``box`` at a word space, or a line above or below."""
    x0, y0, x1, y1 = float(box[0, 0]), float(box[0, 1]), float(box[2, 0]), float(box[2, 1])
    nx0, ny0, nx1, ny1 = float(nbox[0, 0]), float(nbox[0, 1]), float(nbox[2, 0]), float(nbox[2, 1])
    side = int(rng.integers(4))
    gap = rng.uniform(0.25, 0.6) * size
    if side == 0:  # before, on the same line
        return np.array([x0 - gap - nx1, y0 - ny0])
    if side == 1:  # after
        return np.array([x1 + gap - nx0, y0 - ny0])
    lead = (y1 - y0) * rng.uniform(1.0, 1.35)
    dx = rng.uniform(x0 - 0.5 * (nx1 - nx0), x1 - 0.5 * (nx1 - nx0)) - nx0
    return np.array([dx, y0 - lead - ny0]) if side == 2 else np.array([dx, y0 + lead - ny0])


#: The typographic apostrophe and quotes ``typographic_prob`` draws for ASCII ``'`` and ``"``.
TYPOGRAPHIC = "\u2018\u2019\u201c\u201d"


def typographic_quotes(text: str) -> str:
    """``text`` with ASCII quotes as print sets them: a quote opening a word (after a space, a bracket or at the
    start, before a non-space) turns to its opening form (``\u2018``, ``\u201c``), every other one to the closing
    form (``\u2019``, ``\u201d``: apostrophes included). Same length, so the char boxes stay in step."""
    out = []
    for i, c in enumerate(text):
        if c in "'\"":
            opening = (i == 0 or text[i - 1] in " ([{") and i + 1 < len(text) and not text[i + 1].isspace()
            c = ("\u2018" if opening else "\u2019") if c == "'" else ("\u201c" if opening else "\u201d")
        out.append(c)
    return "".join(out)


def _unlabel(text: str, char_quads: np.ndarray, word_quads: np.ndarray, unlabelled: frozenset):
    """Leave drawn characters of ``unlabelled`` out of the text and the boxes (a word of nothing else too)."""
    chars = [c for c in text if c != " "]
    keep = np.array([c not in unlabelled for c in chars], bool)
    if keep.all():
        return text, char_quads, word_quads
    words = [w for w in text.split(" ") if w]
    word_keep = np.array([any(c not in unlabelled for c in w) for w in words], bool)
    new_text = " ".join("".join(c for c in w if c not in unlabelled) for w, k in zip(words, word_keep) if k)
    return new_text, char_quads[keep], word_quads[word_keep]


def _ink_box(alpha: np.ndarray):
    """``(r0, r1, c0, c1)`` (ends exclusive) of the pixels covered at least half as much as the most covered one
    (thin strokes drawn small, or resampled, never cover a whole pixel), or None for no ink."""
    peak = float(alpha.max())
    if peak <= 0:
        return None
    mask = alpha >= 0.5 * peak
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _tight_crop(img, char_quads, word_quads, cfg, rng, out_h, out_w, *, shrink=True, ink=None, line=None):
    """Cut ``img`` to the box around the ink, shrink it to a small source height (unless ``shrink`` is
    false), lay it out in ``out_h x out_w`` with :func:`effects.fit_box`. Returns the crop, the moved char
    and word quads, the ``[2, 3]`` affine and the ink height of the cut in its source pixels.

    The box is that of the char quads, or ``ink`` ``(r0, r1, c0, c1)``: the ink's pixel rows and columns, or
    ``line``: a ``[4, 2]`` quad of the text line (ascent to descent, pen extent) in crop pixels, which also
    measures the pad (the shrink still goes by the char quads' height)."""
    H, W = img.shape[:2]
    if line is not None:
        _, y0, _, y1 = quads_bounds(char_quads)
        ly0, ly1 = quads_bounds(line)[1::2]
        box = line
    elif ink is None:
        x0, y0, x1, y1 = quads_bounds(char_quads)
        box = char_quads
    else:  # a box through the centres of the outermost ink pixels: pad 0 cuts exactly those
        r0, r1, c0, c1 = ink
        y0, y1 = r0 - 0.5, r1 - 0.5
        box = np.array([[c0, r0], [c1 - 1, r0], [c1 - 1, r1 - 1], [c0, r1 - 1]], np.float64)
    pad = rng.uniform(*cfg["tight_crop_pad"], 4) * ((ly1 - ly0) if line is not None else (y1 - y0))
    r0, r1, c0, c1 = fx.tight_box(box, pad, H, W)
    cut = img[r0:r1, c0:c1]
    if shrink:
        lo, hi = cfg["tight_crop_source_height"]
        shrink = min(1.0, float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) / max(y1 - y0, 1.0))
    else:
        shrink = 1.0
    d = np.array([[1.0, 0.0, -c0], [0.0, 1.0, -r0]])
    if shrink < 1.0:
        h, w = cut.shape[:2]
        nh, nw = max(1, round(h * shrink)), max(1, round(w * shrink))
        cut = cv2.resize(cut, (nw, nh), interpolation=cv2.INTER_AREA).reshape((nh, nw) + cut.shape[2:])
        sx, sy = nw / w, nh / h  # pixel centres u -> (u + 0.5) * s - 0.5
        d = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5]]) @ np.vstack([d, (0, 0, 1)])
    out, a = fx.fit_box(cut, out_h, out_w, cfg["tight_crop_height"])
    a = a @ np.vstack([d, (0, 0, 1)])
    lim = np.array([out_w - 0.5, out_h - 0.5], np.float32)
    moved = []
    for q in (char_quads, word_quads):
        m = (q.reshape(-1, 2).astype(np.float64) @ a[:, :2].T + a[:, 2]).astype(np.float32)
        moved.append(np.clip(m, -0.5, lim).reshape(q.shape))
    return out, moved[0], moved[1], a, (y1 - y0) * shrink

