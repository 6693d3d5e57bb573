"""Non-text content for scenes: what a text detector must learn to leave alone.

Real product images and web banners hold photographed objects, faces, logos, icons, buttons,
stripes and barcodes beside their text; a detector trained on text over textures fires on
them. :func:`draw_distractor` draws one such object on a scene canvas before its text is
placed: a filled shape (flat or gradient, with or without a border), a photo cut-out (the
bundled CC0 / public-domain photos of a person, a cat, a cup and a rocket, or the user's),
a patch of stripes, a barcode, an icon (star, ring, arrow, check mark, plus, disc) or a
scribble of pen-like strokes. None of them is text, so none enters the labels or the maps.
:func:`plate_mask` gives the plate (a button, label or price tag) drawn behind a text block.

Every function draws into a float32 RGB canvas in place, from an ``rng``, and touches only the
pixels under the object.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["DISTRACTOR_KINDS", "draw_distractor", "plate_mask", "bundled_photos_dir"]

#: the kinds, in the order of the ``distractor_weights`` option.
DISTRACTOR_KINDS = ("shape", "photo", "stripes", "barcode", "icon", "scribble")
_SHIFT = 4  # sub-pixel bits for OpenCV's anti-aliased drawing
_ONE = 1 << _SHIFT


def bundled_photos_dir():
    """The ``photos/`` folder shipped with the project (CC0 and public-domain photographs)."""
    from .fonts import _asset_dir

    return _asset_dir("photos")


def _color(rng) -> np.ndarray:
    return rng.uniform(0, 255, 3).astype(np.float32)


def _box(rng, H, W, lo, hi):
    """A random box (x0, y0, w, h), side lo..hi of the canvas's short side (log-uniform), anywhere on it."""
    s = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) * min(H, W)
    aspect = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
    w, h = max(4, int(s * np.sqrt(aspect))), max(4, int(s / np.sqrt(aspect)))
    x0 = int(rng.integers(-w // 4, max(W - 3 * w // 4, -w // 4 + 1)))
    y0 = int(rng.integers(-h // 4, max(H - 3 * h // 4, -h // 4 + 1)))
    return x0, y0, w, h


def _outline_pts(kind: str, w: int, h: int, rng) -> np.ndarray:
    """Polygon of a shape filling a w x h box (float, box coordinates)."""
    if kind == "ellipse":
        t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
        return np.stack([(w - 1) / 2 * (1 + np.cos(t)), (h - 1) / 2 * (1 + np.sin(t))], 1)
    if kind == "rounded":
        r = min(w, h) * rng.uniform(0.1, 0.5)
        pts = []
        for cx, cy, a0 in ((w - 1 - r, r, -90), (w - 1 - r, h - 1 - r, 0), (r, h - 1 - r, 90), (r, r, 180)):
            t = np.deg2rad(np.linspace(a0, a0 + 90, 9))
            pts.append(np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1))
        return np.concatenate(pts)
    if kind == "polygon":
        n = int(rng.integers(3, 9))
        t = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(0.6, 1.0, n)
        return np.stack([(w - 1) / 2 * (1 + rad * np.cos(t)), (h - 1) / 2 * (1 + rad * np.sin(t))], 1)
    return np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float64)


def _fill_mask(shape_hw, polys, *, thickness: int = -1) -> np.ndarray:
    """Anti-aliased mask float32 0..1 of polygons (filled, or outlines of ``thickness`` px)."""
    m = np.zeros(shape_hw, np.uint8)
    pts = [np.round(np.asarray(p) * _ONE).astype(np.int32) for p in polys]
    if thickness < 0:
        cv2.fillPoly(m, pts, 255, lineType=cv2.LINE_AA, shift=_SHIFT)
    else:
        cv2.polylines(m, pts, True, 255, thickness=thickness, lineType=cv2.LINE_AA, shift=_SHIFT)
    return m.astype(np.float32) * np.float32(1 / 255)


def _paste(canvas, x0, y0, alpha, fill) -> None:
    """canvas[y0:, x0:] = blend with ``fill`` (``[h, w, 3]`` or ``[3]``) by ``alpha`` ``[h, w]``, clipped."""
    H, W = canvas.shape[:2]
    h, w = alpha.shape
    ax0, ay0 = max(0, -x0), max(0, -y0)
    ax1, ay1 = min(w, W - x0), min(h, H - y0)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    roi = canvas[y0 + ay0 : y0 + ay1, x0 + ax0 : x0 + ax1]
    a = alpha[ay0:ay1, ax0:ax1, None]
    f = fill[ay0:ay1, ax0:ax1] if np.ndim(fill) == 3 else np.asarray(fill, np.float32)
    roi += (f - roi) * a


def _gradient(h, w, rng) -> np.ndarray:
    c0, c1 = _color(rng), _color(rng)
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = xx * np.cos(ang) + yy * np.sin(ang)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1.0)
    return c0 + (c1 - c0) * t[..., None]


def _shape(canvas, rng, photos):
    H, W = canvas.shape[:2]
    x0, y0, w, h = _box(rng, H, W, 0.08, 0.6)
    kind = ("rect", "rounded", "ellipse", "polygon")[int(rng.integers(4))]
    pts = _outline_pts(kind, w, h, rng)
    a = _fill_mask((h, w), [pts]) * np.float32(rng.uniform(0.6, 1.0))
    fill = _gradient(h, w, rng) if rng.random() < 0.5 else _color(rng)
    _paste(canvas, x0, y0, a, fill)
    if rng.random() < 0.4:  # a border
        t = int(rng.integers(1, 5))
        _paste(canvas, x0, y0, _fill_mask((h, w), [pts], thickness=t), _color(rng))


def _photo(canvas, rng, photos):
    H, W = canvas.shape[:2]
    if photos is None or len(photos) == 0:
        return _shape(canvas, rng, photos)
    x0, y0, w, h = _box(rng, H, W, 0.15, 0.7)
    img = photos.crop(int(rng.integers(len(photos))), h, w, 3, rng, (0.8, 3.0))
    if img is None:
        return _shape(canvas, rng, photos)
    img = img * np.float32(rng.uniform(0.7, 1.2)) + rng.uniform(-25, 25, 3).astype(np.float32)  # light, colour cast
    kind = ("rect", "rect", "rounded", "ellipse")[int(rng.integers(4))]
    a = _fill_mask((h, w), [_outline_pts(kind, w, h, rng)])
    if rng.random() < 0.3:  # a soft-edged cut-out
        a = cv2.GaussianBlur(a, (0, 0), max(1.0, 0.05 * min(w, h)))
    _paste(canvas, x0, y0, a, np.clip(img, 0, 255))


def _stripes(canvas, rng, photos):
    H, W = canvas.shape[:2]
    x0, y0, w, h = _box(rng, H, W, 0.1, 0.6)
    period = rng.uniform(3, 24)
    duty = rng.uniform(0.2, 0.7)
    ang = rng.choice([0.0, np.pi / 2, rng.uniform(0, np.pi)])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx * np.cos(ang) + yy * np.sin(ang)) / period
    band = (np.mod(t, 1.0) < duty).astype(np.float32)
    band = cv2.GaussianBlur(band, (0, 0), 0.6)
    kind = ("rect", "ellipse", "rounded")[int(rng.integers(3))]
    a = band * _fill_mask((h, w), [_outline_pts(kind, w, h, rng)])
    _paste(canvas, x0, y0, a * np.float32(rng.uniform(0.5, 1.0)), _color(rng))


def _barcode(canvas, rng, photos):
    H, W = canvas.shape[:2]
    unit = int(rng.integers(1, 4))
    bars = rng.integers(1, 5, int(rng.integers(20, 60)))
    room = 0.8 * min(H, W) / unit - 8  # bar units that fit, quiet zones and either orientation included
    bars = bars[np.cumsum(bars) <= room]
    if len(bars) < 6:
        return
    width = int(bars.sum()) * unit
    height = int(rng.uniform(0.2, 0.8) * width) + 8
    quiet = 4 * unit
    img = np.full((height + 2 * quiet, width + 2 * quiet), 255.0, np.float32)
    x = quiet
    for i, b in enumerate(bars):
        if i % 2 == 0:
            img[quiet : quiet + height, x : x + b * unit] = 0.0
        x += b * unit
    k = int(rng.integers(4))
    img = np.rot90(img, k).copy() if k in (1, 3) else img
    h, w = img.shape
    x0, y0 = int(rng.integers(0, W - w)), int(rng.integers(0, H - h))
    ink, paper = np.float32(rng.uniform(0, 60)), np.float32(rng.uniform(200, 255))
    fill = (paper + (ink - paper) * (1 - img / 255.0))[..., None].repeat(3, 2)
    _paste(canvas, x0, y0, np.ones((h, w), np.float32), fill)


def _icon(canvas, rng, photos):
    H, W = canvas.shape[:2]
    s = int(np.exp(rng.uniform(np.log(10), np.log(72))))
    if s + 2 >= min(H, W):
        return
    x0, y0 = int(rng.integers(0, W - s)), int(rng.integers(0, H - s))
    c = (s - 1) / 2
    kind = int(rng.integers(6))
    if kind == 0:  # star
        n = int(rng.integers(4, 9))
        t = np.linspace(-np.pi / 2, 1.5 * np.pi, 2 * n, endpoint=False)
        r = np.where(np.arange(2 * n) % 2 == 0, c, c * rng.uniform(0.35, 0.6))
        a = _fill_mask((s, s), [np.stack([c + r * np.cos(t), c + r * np.sin(t)], 1)])
    elif kind == 1:  # ring
        t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
        a = _fill_mask((s, s), [np.stack([c + c * np.cos(t), c + c * np.sin(t)], 1)], thickness=max(1, s // 8))
    elif kind == 2:  # arrow
        p = np.array([[0, 0.35], [0.55, 0.35], [0.55, 0.1], [1, 0.5], [0.55, 0.9], [0.55, 0.65], [0, 0.65]]) * (s - 1)
        if rng.random() < 0.5:
            p[:, 0] = s - 1 - p[:, 0]
        a = _fill_mask((s, s), [p])
    elif kind == 3:  # check mark
        p = np.array([[0.05, 0.55], [0.38, 0.85], [0.95, 0.15]]) * (s - 1)
        m = np.zeros((s, s), np.uint8)
        cv2.polylines(m, [np.round(p * _ONE).astype(np.int32)], False, 255, max(1, s // 7), cv2.LINE_AA, _SHIFT)
        a = m.astype(np.float32) / 255
    elif kind == 4:  # plus
        b = 0.36 * (s - 1)
        p1 = np.array([[b, 0], [s - 1 - b, 0], [s - 1 - b, s - 1], [b, s - 1]])
        a = np.maximum(_fill_mask((s, s), [p1]), _fill_mask((s, s), [p1[:, ::-1]]))
    else:  # disc
        t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
        a = _fill_mask((s, s), [np.stack([c + c * np.cos(t), c + c * np.sin(t)], 1)])
    _paste(canvas, x0, y0, a, _color(rng))


def _scribble(canvas, rng, photos):
    H, W = canvas.shape[:2]
    x0, y0, w, h = _box(rng, H, W, 0.05, 0.4)
    m = np.zeros((h, w), np.uint8)
    for _ in range(int(rng.integers(1, 4))):
        k = int(rng.integers(3, 7))
        ctrl = rng.uniform(0, 1, (k, 2)) * [w - 1, h - 1]
        t = np.linspace(0, k - 1, 16 * k)
        curve = np.stack([np.interp(t, np.arange(k), ctrl[:, 0]), np.interp(t, np.arange(k), ctrl[:, 1])], 1)
        curve = cv2.blur(curve.reshape(-1, 1, 2).astype(np.float32), (1, 9)).reshape(-1, 2)  # rounded corners
        cv2.polylines(m, [np.round(curve * _ONE).astype(np.int32)], False, 255, int(rng.integers(1, 7)),
                      cv2.LINE_AA, _SHIFT)
    _paste(canvas, x0, y0, m.astype(np.float32) / 255, _color(rng))


_DRAW = {"shape": _shape, "photo": _photo, "stripes": _stripes, "barcode": _barcode, "icon": _icon,
         "scribble": _scribble}


def draw_distractor(canvas: np.ndarray, kind: str, rng: np.random.Generator, photos=None) -> None:
    """Draw one non-text object of ``kind`` (one of :data:`DISTRACTOR_KINDS`) into ``canvas`` in place.

    Args:
        canvas: float32 ``[H, W, 3]`` RGB, 0..255.
        kind: what to draw.
        rng: the randomness (position, size, colours, form).
        photos: a :class:`~synthgen.backgrounds.BackgroundLibrary` of photos for ``"photo"``
            (without one, a shape is drawn instead).
    """
    if kind not in _DRAW:
        raise ValueError(f"kind must be one of {DISTRACTOR_KINDS}. Received: kind={kind!r}")
    if canvas.dtype != np.float32 or canvas.ndim != 3 or canvas.shape[2] != 3:
        raise ValueError(f"canvas must be float32 [H, W, 3]. Received: dtype={canvas.dtype}, shape={canvas.shape}")
    _DRAW[kind](canvas, rng, photos)


def plate_mask(poly: np.ndarray, height: int, width: int, *, radius: float = 0.0):
    """Anti-aliased mask of a plate: the convex polygon ``poly`` (canvas pixels, pixel centres at
    integers), its corners rounded by ``radius`` pixels; returns ``(x0, y0, mask)`` with the float32
    0..1 ``mask`` covering ``[y0 : y0 + h, x0 : x0 + w]`` of the canvas (clipped to it)."""
    pad = int(np.ceil(radius)) + 2
    x0 = max(int(np.floor(poly[:, 0].min())) - pad, 0)
    y0 = max(int(np.floor(poly[:, 1].min())) - pad, 0)
    x1 = min(int(np.ceil(poly[:, 0].max())) + pad + 1, width)
    y1 = min(int(np.ceil(poly[:, 1].max())) + pad + 1, height)
    if x1 <= x0 or y1 <= y0:
        return x0, y0, np.zeros((0, 0), np.float32)
    pts = np.asarray(poly, np.float64) - [x0, y0]
    if radius >= 0.5:  # each corner cut by a quadratic Bezier arc between the points ``radius`` along its edges
        out = []
        t = np.linspace(0.0, 1.0, 9)[:, None]
        for i in range(len(pts)):
            p, a, b = pts[i], pts[i - 1], pts[(i + 1) % len(pts)]
            da, db = a - p, b - p
            la, lb = np.linalg.norm(da), np.linalg.norm(db)
            r = min(radius, 0.5 * la, 0.5 * lb)
            if r <= 0 or la == 0 or lb == 0:
                out.append(p[None])
                continue
            pa, pb = p + da / la * r, p + db / lb * r
            out.append((1 - t) ** 2 * pa + 2 * (1 - t) * t * p + t ** 2 * pb)
        pts = np.concatenate(out)
    m = _fill_mask((y1 - y0, x1 - x0), [pts])
    return x0, y0, m
