"""Sign lettering: display text drawn as shop signs, posters and packaging draw it rather than in one flat colour.

A word's glyphs filled with a metallic or two-colour gradient, extruded into 3D block letters, bevelled (lit on one
side, shaded on the other), glowing like neon, or hollow (only their outline drawn). Every function takes the crop
being drawn (float32 ``[H, W, C]``), the word's coverage ``a`` (float32 ``[H, W]`` in 0..1, in the crop's geometry)
and its text colour (``[C]``, 0..255) and returns the crop with the word drawn. Colours are moved away from the
background's luminance, never towards it, so the face keeps the contrast the generator picked for it.
"""

from __future__ import annotations

import cv2
import numpy as np

from .effects import blend, contrast_ratio, relative_luminance

__all__ = ["LETTERING_STYLES", "away_from_ground", "second_color", "gradient_fill", "extrude", "bevel", "glow", "hollow_ring",
           "draw_lettering"]

#: The styles, in the order of the ``lettering_weights`` option; a sample's ``lettering`` parameter is 1 + the index.
LETTERING_STYLES = ("gradient", "extrude", "bevel", "glow", "hollow")


def away_from_ground(color, text_lum: float, bg_lum: float, t: float) -> np.ndarray:
    """``color`` moved a fraction ``t`` towards white when the text is lighter than the ground, black otherwise."""
    color = np.asarray(color, np.float32)
    target = 255.0 if text_lum >= bg_lum else 0.0
    return color + (np.float32(target) - color) * np.float32(t)


def second_color(color, text_lum: float, bg_lum: float, min_contrast: float, rng: np.random.Generator,
                 n_try: int = 16) -> np.ndarray:
    """Another text colour on the same side of the ground's luminance as ``color`` (both lighter or both darker)
    with at least ``min_contrast`` against it: a random one when one of ``n_try`` passes, else ``color`` moved
    halfway away from the ground."""
    cand = rng.uniform(0, 255, (n_try, 3)).astype(np.float32)
    lum = relative_luminance(cand)
    ok = np.flatnonzero(((lum >= bg_lum) == (text_lum >= bg_lum)) & (contrast_ratio(lum, bg_lum) >= min_contrast))
    if len(ok) == 0:
        return away_from_ground(color, text_lum, bg_lum, 0.5)
    c = cand[ok[0]]
    color = np.asarray(color, np.float32)
    if color.shape[0] == 1:  # grey crops
        return np.float32([255.0 * float(relative_luminance(c)) ** (1 / 2.2)])
    return c


def gradient_fill(out, a, color, color2, *, band: float | None = 0.5) -> np.ndarray:
    """The word filled from ``color`` to ``color2`` over its ink's height (image rows): a bright band at ``band``
    (0 = top of the ink, 1 = bottom) fading to ``color`` at both ends, as polished metal or chrome lettering; ``None``:
    top to bottom, as a two-colour gradient."""
    h = a.shape[0]
    rows = np.flatnonzero(a.max(1) > 0.1)
    y0, y1 = (rows[0], rows[-1]) if len(rows) else (0, h - 1)
    t = (np.arange(h, dtype=np.float32) - y0) / max(float(y1 - y0), 1.0)
    if band is None:
        w = np.clip(t, 0.0, 1.0)
    else:
        w = np.clip(1.0 - np.abs(t - band) / max(band, 1.0 - band), 0.0, 1.0)
    c1, c2 = np.asarray(color, np.float32), np.asarray(color2, np.float32)
    fill = c1 + (c2 - c1) * w[:, None]
    return blend(out, a, fill[:, None, :])


def extrude(a: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """The coverage swept ``(dx, dy)`` pixels: the side faces of block letters extruded that way (the glyph included)."""
    n = int(np.ceil(max(abs(dx), abs(dy)))) + 1
    k = np.zeros((2 * n + 1, 2 * n + 1), np.uint8)
    cv2.line(k, (n, n), (n - int(round(dx)), n - int(round(dy))), 1, 1)
    return cv2.dilate(a, k, anchor=(n, n), borderType=cv2.BORDER_CONSTANT, borderValue=0)


def bevel(a: np.ndarray, sigma: float, light_deg: float) -> np.ndarray:
    """Shading in -1..1 of a bevelled glyph lit from ``light_deg`` (image angle, y down): the slope of the coverage
    blurred by ``sigma`` pixels, facing the light > 0, facing away < 0, flat tops 0."""
    b = cv2.GaussianBlur(a, (0, 0), max(sigma, 0.3))
    gx = cv2.Sobel(b, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(b, cv2.CV_32F, 0, 1, ksize=3)
    r = np.radians(light_deg)
    # the coverage rises into the glyph, so an edge facing the light has its gradient pointing away from it
    s = -(gx * np.float32(np.cos(r)) + gy * np.float32(np.sin(r)))
    peak = float(np.abs(s).max())
    return s / np.float32(peak) if peak > 1e-6 else s


def glow(a: np.ndarray, radius: float, gain: float) -> np.ndarray:
    """A halo round the glyphs (neon tubes, backlit letters): the coverage blurred by ``radius`` pixels, amplified by
    ``gain`` and clipped to 0..1."""
    return np.clip(cv2.GaussianBlur(a, (0, 0), max(radius, 0.5)) * np.float32(gain), 0.0, 1.0)


def hollow_ring(layer_alpha: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Outer and inner edges of an outline ``width`` pixels wide centred on the glyphs' edges, for a uint8 layer (the
    rendered text before it is warped into the crop): ``(dilated, eroded)``; the ring is their difference."""
    r = max(int(width), 1)
    grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * ((r + 1) // 2) + 1,) * 2)
    shrink = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * (r // 2) + 1,) * 2)
    return cv2.dilate(layer_alpha, grow), cv2.erode(layer_alpha, shrink)


def draw_lettering(out, a, color, style: str, line_px: float, rng: np.random.Generator, *, text_lum: float,
                   bg_lum: float, min_contrast: float = 3.0, ring: np.ndarray | None = None, depth=(0.04, 0.14)) -> np.ndarray:
    """Draw the word (coverage ``a``, colour ``color``) on ``out`` in ``style`` (one of :data:`LETTERING_STYLES`).

    ``line_px``: the line height in crop pixels (extrusion depth, bevel and glow widths scale with it);
    ``min_contrast``: a gradient's second colour keeps this contrast with the ground (as the first); ``depth``:
    extrusion depth range as a fraction of it; ``ring``: the outline's coverage for ``"hollow"`` (see
    :func:`hollow_ring`; the generator warps it with the text)."""
    color = np.asarray(color, np.float32)
    if style == "gradient":
        color2 = second_color(color, text_lum, bg_lum, min_contrast, rng)
        band = rng.uniform(0.25, 0.75) if rng.random() < 0.6 else None
        if rng.random() < 0.5:  # the light band or the dark end on the other colour
            color, color2 = color2, color
        return gradient_fill(out, a, color, color2, band=band)
    if style == "extrude":
        d = max(1.0, rng.uniform(*depth) * line_px)
        ang = np.radians(rng.uniform(20.0, 160.0) * rng.choice([1.0, -1.0]))
        side_to = 0.0 if text_lum > 0.25 else 255.0  # darker sides under light faces, lighter under dark ones
        side = color + (np.float32(side_to) - color) * np.float32(rng.uniform(0.4, 0.8))
        out = blend(out, extrude(a, d * np.cos(ang), d * np.sin(ang)), side)
        return blend(out, a, color)
    if style == "bevel":
        s = bevel(a, max(0.6, rng.uniform(0.04, 0.1) * line_px), rng.uniform(0.0, 360.0))
        k = np.float32(rng.uniform(0.5, 0.9))
        lit, shade = np.maximum(s, 0)[..., None] * k, np.maximum(-s, 0)[..., None] * k
        fill = color + (np.float32(255.0) - color) * lit - color * shade
        return blend(out, a, fill)
    if style == "glow":
        halo = glow(a, max(0.8, rng.uniform(0.08, 0.3) * line_px), rng.uniform(1.5, 3.0)) * np.float32(rng.uniform(0.5, 0.95))
        out = blend(out, halo, color)
        return blend(out, a, away_from_ground(color, text_lum, bg_lum, rng.uniform(0.0, 0.7)))
    if style == "hollow":
        if ring is None:
            raise ValueError("hollow lettering needs the outline's coverage (ring)")
        return blend(out, ring, color)
    raise ValueError(f"style must be one of {', '.join(LETTERING_STYLES)}. Received: style={style!r}")
