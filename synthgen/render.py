"""Text -> alpha layer with exact per-character quads.

Glyphs are rasterised once per (font, size, character) with Pillow and cached per process;
a word is laid out by pasting cached bitmaps, so a word costs a few array slices, not a
text draw. Curved baselines place each glyph with its own rotation, and the glyph's quad
comes from the same 2x3 matrix as its pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["Glyph", "GlyphCache", "Layer", "render_text"]


@dataclass
class Glyph:
    """A cached glyph: tight ink bitmap and its offset from the pen position on the baseline.

    ``mask`` is uint8 ``[h, w]``; its pixel ``(i, j)`` lies at ``(pen_x + left + j, baseline + top + i)``.
    """

    mask: np.ndarray
    left: int
    top: int
    advance: float


@dataclass
class Layer:
    """A rendered text layer.

    Attributes:
        alpha: uint8 ``[H, W]`` coverage of the text (fill, plus underline when drawn).
        char_quads: float32 ``[n, 4, 2]``, one per non-space character, in layer pixels.
        line_box: float32 ``[4, 2]`` quad of the text line (pen extent x ascent..descent).
        word_spans: ``(first, last)`` char index ranges (inclusive) of each word.
        patches: per character ``(mask, x, y)``: its bitmap and integer top-left in the layer
            (the layer is the max over patches), kept for tests and maps.
    """

    alpha: np.ndarray
    char_quads: np.ndarray
    line_box: np.ndarray
    word_spans: list
    patches: list = field(default_factory=list)
    font_size: int = 0


class GlyphCache:
    """Per-process cache of Pillow fonts and glyph bitmaps of a :class:`~synthgen.fonts.FontLibrary`.

    Advances come from the library's index (measured at size 100, scaled linearly), so a
    cache miss costs one FreeType rasterisation.
    """

    def __init__(self, fonts):
        self.fonts = fonts
        self._index = {c: i for i, c in enumerate(fonts.charset.chars)}
        self._fonts: dict = {}
        self._metrics: dict = {}
        self._glyphs: dict = {}

    def __getstate__(self):
        return {"fonts": self.fonts, "_index": self._index, "_fonts": {}, "_metrics": {}, "_glyphs": {}}

    def font(self, font_id: int, size: int) -> ImageFont.FreeTypeFont:
        key = (font_id, size)
        f = self._fonts.get(key)
        if f is None:
            f = ImageFont.truetype(self.fonts.fonts[font_id].path, size)
            self._fonts[key] = f
        return f

    def metrics(self, font_id: int, size: int) -> tuple[int, int]:
        key = (font_id, size)
        m = self._metrics.get(key)
        if m is None:
            m = self._metrics[key] = self.font(font_id, size).getmetrics()
        return m

    def glyph(self, font_id: int, size: int, ch: str) -> Glyph:
        key = (font_id, size, ch)
        g = self._glyphs.get(key)
        if g is None:
            i = self._index.get(ch)
            adv = float(self.fonts.advance[font_id, i]) * size / 100.0 if i is not None else None
            g = self._render(self.font(font_id, size), ch, adv)
            self._glyphs[key] = g
        return g

    @staticmethod
    def _render(font: ImageFont.FreeTypeFont, ch: str, adv: float | None = None) -> Glyph:
        if adv is None:
            adv = float(font.getlength(ch))
        try:
            core, (left, top) = font.getmask2(ch, mode="L", anchor="ls")
            a = np.asarray(Image.Image()._new(core))
        except (AttributeError, TypeError):  # no private core access: draw it the public way
            left, top, right, bottom = font.getbbox(ch, anchor="ls")
            im = Image.new("L", (max(right - left, 1), max(bottom - top, 1)), 0)
            ImageDraw.Draw(im).text((-left, -top), ch, font=font, fill=255, anchor="ls")
            a = np.asarray(im)
        rows = np.flatnonzero(a.any(1))
        if len(rows) == 0:
            return Glyph(np.zeros((0, 0), np.uint8), 0, 0, adv)
        cols = np.flatnonzero(a.any(0))
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        mask = np.ascontiguousarray(a[y0:y1, x0:x1])
        return Glyph(mask, int(left + x0), int(top + y0), adv)


def render_text(
    text: str,
    font_id: int,
    size: int,
    cache: GlyphCache,
    *,
    spacing: float = 0.0,
    grow: float = 0.0,
    curve: tuple | None = None,
    underline: bool = False,
) -> Layer:
    """Lay out ``text`` with one font.

    Args:
        text: characters to draw; spaces advance the pen and get no quad.
        font_id, size: the font (an id of the cache's library) and its pixel size.
        cache: the glyph cache.
        spacing: extra pixels between characters.
        grow: pixels added around every char quad (an outline's width).
        curve: ``("arc", sagitta)`` for a parabolic baseline dropping ``sagitta`` pixels from its
            middle to its ends (negative: rising), or
            ``("wave", amplitude, period, phase)`` for ``y = amplitude * sin(2 pi x / period + phase)``, or
            ``("cylinder", arc, elevation)`` for text wrapped round a can or bottle: the line covers
            ``arc`` radians of the cylinder's circumference, seen from its axis's normal (glyphs near
            the ends narrow as the surface turns away), from ``elevation`` radians above (positive:
            the ends rise, as on a can seen from above) or below.
        underline: draw a line under the text (straight baselines only).
    """
    asc, desc = cache.metrics(font_id, size)
    # A quad encloses the ink pixels' whole bilinear footprint (one pixel around each pixel
    # centre), so resampled ink never leaks out of it; curved glyphs are resampled twice.
    grow = grow + (0.5 if curve is None else 1.0)
    space_adv = None
    placed = []  # (glyph, pen_x)
    spans, start, idx = [], None, 0
    x = 0.0
    for ch in text:
        if ch == " ":
            if space_adv is None:
                space_adv = cache.glyph(font_id, size, " ").advance
            x += space_adv + spacing
            if start is not None:
                spans.append((start, idx - 1))
                start = None
            continue
        g = cache.glyph(font_id, size, ch)
        placed.append((g, x))
        if start is None:
            start = idx
        idx += 1
        x += g.advance + spacing
    if start is not None:
        spans.append((start, idx - 1))
    pen_end = x - spacing
    n = len(placed)
    quads = np.zeros((n, 4, 2), np.float32)
    patches = []
    if curve is None:
        for i, (g, px) in enumerate(placed):
            h, w = g.mask.shape
            ix, iy = int(round(px + g.left)), g.top
            patches.append((g.mask, ix, iy))
            x0, y0, x1, y1 = ix - 0.5 - grow, iy - 0.5 - grow, ix + w - 0.5 + grow, iy + h - 0.5 + grow
            quads[i] = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    else:
        xc = pen_end / 2.0
        sx_of = None
        if curve[0] == "cylinder":
            radius = max(pen_end, 1.0) / max(curve[1], 1e-3)
            lift = np.sin(curve[2]) * radius  # seen from above, the ends (further back) rise

            def f(u):
                phi = (u - xc) / radius
                return -lift * (1.0 - np.cos(phi)), -np.sin(curve[2]) * np.tan(phi)

            def sx_of(u):  # where the glyph centre lands, and how much the surface turned away narrows it
                phi = (u - xc) / radius
                return xc + radius * np.sin(phi), np.cos(phi)
        elif curve[0] == "arc":
            k = curve[1] / max(xc * xc, 1.0)

            def f(u):
                return k * (u - xc) ** 2, 2 * k * (u - xc)
        else:
            amp, period, phase = curve[1], curve[2], curve[3]
            om = 2 * np.pi / period

            def f(u):
                return amp * np.sin(om * u + phase), amp * om * np.cos(om * u + phase)

        for i, (g, px) in enumerate(placed):
            h, w = g.mask.shape
            cx = px + g.left + w / 2.0
            dy, slope = f(cx)
            t = np.arctan(slope)
            c, s = np.cos(t), np.sin(t)
            # local glyph pixel coords -> layer: (narrow,) rotate about the bitmap centre, then place
            lc = np.array([(w - 1) / 2.0, (h - 1) / 2.0])
            gc = np.array([px + g.left + (w - 1) / 2.0, g.top + (h - 1) / 2.0 + dy])
            r = np.array([[c, -s], [s, c]])
            if sx_of is not None:  # the cylinder's axis stays upright: strokes along it keep their direction,
                # the baseline follows the ellipse (a shear, not a turn)
                gc[0], narrow = sx_of(gc[0])
                r = np.array([[narrow, 0.0], [slope * narrow, 1.0]])
            m = np.hstack([r, (gc - r @ lc)[:, None]])
            corners = np.array([[-0.5 - grow, -0.5 - grow], [w - 0.5 + grow, -0.5 - grow],
                                [w - 0.5 + grow, h - 0.5 + grow], [-0.5 - grow, h - 0.5 + grow]])
            q = corners @ m[:, :2].T + m[:, 2]
            quads[i] = q
            if g.mask.size == 0:
                patches.append((g.mask, 0, 0))
                continue
            ox, oy = int(np.floor(q[:, 0].min())) - 1, int(np.floor(q[:, 1].min())) - 1
            pw, ph = int(np.ceil(q[:, 0].max())) - ox + 2, int(np.ceil(q[:, 1].max())) - oy + 2
            m_local = m.copy()
            m_local[:, 2] -= (ox, oy)
            patch = cv2.warpAffine(g.mask, m_local, (pw, ph), flags=cv2.INTER_LINEAR, borderValue=0)
            patches.append((patch, ox, oy))
    lx0, lx1 = 0.0, pen_end
    if curve is not None and curve[0] == "cylinder":  # the line's ends come closer as the surface turns away
        lx0, lx1 = sx_of(0.0)[0], sx_of(pen_end)[0]
    line = np.array([[lx0, -asc], [lx1, -asc], [lx1, desc], [lx0, desc]], np.float32)
    ul = None
    if underline and curve is None and n:
        th = max(1, int(round(size * 0.06)))
        uy = int(round(desc * 0.45))
        x0 = int(np.floor(quads[:, :, 0].min() + grow + 0.5))
        x1 = int(np.ceil(quads[:, :, 0].max() - grow - 0.5))
        ul = (x0, uy, max(x1 - x0 + 1, 1), th)
    # allocate the layer around every patch, quad, the line box and the underline
    pts = [quads.reshape(-1, 2), line]
    if ul is not None:
        pts.append(np.array([[ul[0], ul[1]], [ul[0] + ul[2], ul[1] + ul[3]]], np.float32))
    allp = np.concatenate(pts)
    ox = int(np.floor(allp[:, 0].min())) - 2
    oy = int(np.floor(allp[:, 1].min())) - 2
    for mask, px, py in patches:
        if mask.size:
            ox, oy = min(ox, px - 1), min(oy, py - 1)
    W = int(np.ceil(allp[:, 0].max())) - ox + 3
    H = int(np.ceil(allp[:, 1].max())) - oy + 3
    for mask, px, py in patches:
        if mask.size:
            W = max(W, px - ox + mask.shape[1] + 1)
            H = max(H, py - oy + mask.shape[0] + 1)
    alpha = np.zeros((H, W), np.uint8)
    shifted = []
    for mask, px, py in patches:
        px, py = px - ox, py - oy
        if mask.size:
            h, w = mask.shape
            sub = alpha[py : py + h, px : px + w]
            np.maximum(sub, mask, out=sub)
        shifted.append((mask, px, py))
    if ul is not None:
        alpha[ul[1] - oy : ul[1] - oy + ul[3], ul[0] - ox : ul[0] - ox + ul[2]] = 255
    off = np.array([ox, oy], np.float32)
    quads -= off
    line -= off
    return Layer(alpha, quads, line, spans, shifted, size)
