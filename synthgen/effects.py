"""Geometric and photometric effects.

Geometric effects are one 3x3 matrix applied to the text layer's pixels and to its quads
alike (``distortion_matrix`` + ``warp_layer``), so the boxes move exactly with the ink.
Photometric effects change pixels only. Each effect takes parameters already sampled from
an rng, so the same parameters give the same bytes.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = [
    "distortion_matrix",
    "warp_layer",
    "relative_luminance",
    "contrast_ratio",
    "pick_text_color",
    "blend",
    "brightness_contrast",
    "gaussian_blur",
    "downscale_upscale",
    "gaussian_noise",
    "jpeg_artifacts",
    "brightness_contrast_blur",
    "fit_box",
    "to_grey",
    "tight_box",
]


def distortion_matrix(box: np.ndarray, *, rotation=0.0, shear=0.0, perspective=None) -> np.ndarray:
    """3x3 matrix distorting a text layer about the centre of ``box`` (a ``[4, 2]`` quad).

    Args:
        rotation: degrees, clockwise on screen.
        shear: horizontal shear factor.
        perspective: ``[4, 2]`` corner displacements as fractions of the box width/height,
            or ``None``.
    """
    box = np.asarray(box, np.float32)
    cx, cy = (box[0] + box[2]) * 0.5
    m = None
    if perspective is not None:
        w = float(np.linalg.norm(box[1] - box[0]))
        h = float(np.linalg.norm(box[3] - box[0]))
        dst = box + np.asarray(perspective, np.float32) * np.array([w, h], np.float32)
        m = cv2.getPerspectiveTransform(box, dst.astype(np.float32)).astype(np.float64)
    # T(c) @ R(rotation) @ Shear(shear) @ T(-c), written out
    t = np.deg2rad(rotation)
    co, si = np.cos(t), np.sin(t)
    a, b, c_, d = co, co * shear - si, si, si * shear + co
    out = np.array([[a, b, cx - a * cx - b * cy], [c_, d, cy - c_ * cx - d * cy], [0.0, 0.0, 1.0]])
    return out if m is None else out @ m


def warp_layer(alpha: np.ndarray, m: np.ndarray, width: int, height: int) -> np.ndarray:
    """Warp a uint8 layer by the 3x3 matrix ``m`` into a ``height x width`` image (bilinear)."""
    return cv2.warpPerspective(alpha, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def relative_luminance(rgb) -> np.ndarray:
    """Relative luminance (0..1) of sRGB values in 0..255; last axis RGB, or grey scalars."""
    v = (np.clip(np.asarray(rgb, np.float64), 0.0, 255.0) / 255.0) ** 2.2  # a canvas can dip below 0 before rounding
    if v.ndim and v.shape[-1] == 3:
        return v @ np.array([0.2126, 0.7152, 0.0722])
    return v


def contrast_ratio(l1, l2):
    """WCAG contrast ratio between two relative luminances (1..21)."""
    hi, lo = np.maximum(l1, l2), np.minimum(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def pick_text_color(bg_lum: float, min_contrast: float, rng: np.random.Generator, n_try: int = 12) -> np.ndarray:
    """An RGB colour (float 0..255) with at least ``min_contrast`` against luminance ``bg_lum``.

    Random candidates are tried first; if none passes, black or white, whichever contrasts more.
    """
    cand = rng.uniform(0, 255, (n_try, 3))
    ok = np.flatnonzero(contrast_ratio(relative_luminance(cand), bg_lum) >= min_contrast)
    if len(ok):
        return cand[ok[0]]
    return np.zeros(3) if contrast_ratio(0.0, bg_lum) >= contrast_ratio(1.0, bg_lum) else np.full(3, 255.0)


def blend(out: np.ndarray, a: np.ndarray, color) -> np.ndarray:
    """``out * (1 - a) + color * a``; ``out`` ``[H, W, C]``, ``a`` ``[H, W]`` in 0..1, ``color`` ``[C]`` (or per pixel,
    ``[H, W, C]``, or per row, ``[H, 1, C]``)."""
    return out + (np.asarray(color, np.float32) - out) * a[..., None]


def brightness_contrast(img: np.ndarray, brightness: float, contrast: float) -> np.ndarray:
    return (img - 127.5) * contrast + 127.5 + brightness


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    out = cv2.GaussianBlur(img, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)
    return out.reshape(img.shape)


def downscale_upscale(img: np.ndarray, factor: float) -> np.ndarray:
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).reshape(img.shape)


def gaussian_noise(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return img + rng.standard_normal(img.shape, dtype=np.float32) * np.float32(sigma)


def jpeg_artifacts(img_u8: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode a uint8 ``[H, W]`` or ``[H, W, 3]`` image as JPEG."""
    ok, buf = cv2.imencode(".jpg", img_u8, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    flag = cv2.IMREAD_GRAYSCALE if img_u8.ndim == 2 else cv2.IMREAD_COLOR
    return cv2.imdecode(buf, flag).reshape(img_u8.shape)



def brightness_contrast_blur(img: np.ndarray, cfg: dict, rng: np.random.Generator, p: dict) -> np.ndarray:
    """The first photometric effects of words and scenes: brightness/contrast, then blur.

    Draws from ``rng`` in a fixed order, records the sampled values in ``p``.
    """
    if rng.random() < cfg["brightness_contrast_prob"]:
        p["brightness"] = rng.uniform(*cfg["brightness"])
        p["contrast"] = rng.uniform(*cfg["contrast"])
        img = brightness_contrast(img, p["brightness"], p["contrast"])
    if rng.random() < cfg["blur_prob"]:
        p["blur_sigma"] = rng.uniform(*cfg["blur_sigma"])
        img = gaussian_blur(img, p["blur_sigma"])
    return img


def tight_box(quads: np.ndarray, pad, height: int, width: int) -> tuple[int, int, int, int]:
    """Pixel rows and columns ``(y0, y1, x0, x1)`` (ends exclusive) of the box around ``quads``.

    ``quads`` ``[n, 4, 2]`` in pixel-centre coordinates; ``pad`` (left, top, right, bottom) in
    pixels widens the box; the result is clipped to the ``height x width`` image, at least 1x1.
    """
    q = np.asarray(quads, np.float64).reshape(-1, 2)
    l, t, r, b = (float(v) for v in pad)
    x0 = int(np.clip(np.floor(q[:, 0].min() - l + 0.5), 0, width - 1))
    y0 = int(np.clip(np.floor(q[:, 1].min() - t + 0.5), 0, height - 1))
    x1 = int(np.clip(np.ceil(q[:, 0].max() + r + 0.5), x0 + 1, width))
    y1 = int(np.clip(np.ceil(q[:, 1].max() + b + 0.5), y0 + 1, height))
    return y0, y1, x0, x1


def fit_box(img: np.ndarray, height: int, width: int, text_height: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
    """Lay a tight word box out in a ``height x width`` crop, as a reader feeds a recognizer.

    The box (uint8 ``[h, w]`` or ``[h, w, C]``) is scaled, aspect kept, so its height is
    ``text_height`` of the output (less if it would not fit ``width - 2``), and centred on a canvas
    filled with the median of its border pixels (per channel).

    Returns:
        ``(out, affine)``: the crop, and the float64 ``[2, 3]`` matrix taking pixel-centre
        coordinates of ``img`` to those of ``out`` (for moving boxes along).
    """
    h, w = img.shape[:2]
    s = min(height * text_height / h, (width - 2) / w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC).reshape((nh, nw) + img.shape[2:])
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    out = np.empty((height, width) + img.shape[2:], np.uint8)
    out[...] = np.median(border, axis=0).astype(np.uint8)
    y, x = (height - nh) // 2, (width - nw) // 2
    out[y : y + nh, x : x + nw] = small
    sx, sy = nw / w, nh / h
    # cv2.resize maps pixel centres u -> (u + 0.5) * s - 0.5
    affine = np.array([[sx, 0.0, 0.5 * sx - 0.5 + x], [0.0, sy, 0.5 * sy - 0.5 + y]])
    return out, affine


_LUMA = np.array([0.299, 0.587, 0.114])  # cv2's RGB -> grey weights


def to_grey(rgb: np.ndarray, min_luma_share: float = 0.75) -> np.ndarray:
    """uint8 ``[H, W, 3]`` RGB -> uint8 ``[H, W]`` grey that keeps text readable when only its hue differs.

    Plain luma (cv2's weights) unless the luma direction carries less than ``min_luma_share`` of
    the colour spread along the crop's principal colour axis (red text on a blue ground: the two
    have about the same luma); then the colours are projected onto that axis, light kept light,
    centred on the crop's mean luma with luma's scale. A grey crop always takes luma (its share
    is 0.86).
    """
    x = np.ascontiguousarray(rgb, np.uint8).reshape(-1, 3)
    if len(x) > 1:  # np.cov's figures (to ~1e-11), from OpenCV's covariance routine: twice as fast on big crops
        cov, mu = cv2.calcCovarMatrix(x, None, cv2.COVAR_NORMAL | cv2.COVAR_ROWS | cv2.COVAR_SCALE, cv2.CV_64F)
        cov, mu = cov * (len(x) / (len(x) - 1)), mu[0]
    else:
        cov, mu = np.zeros((3, 3)), x[0].astype(np.float64)
    w, v = np.linalg.eigh(cov)
    unit = _LUMA / np.linalg.norm(_LUMA)
    if w[-1] <= 1e-9 or np.sqrt(max(unit @ cov @ unit, 0.0)) >= min_luma_share * np.sqrt(w[-1]):
        return cv2.cvtColor(np.ascontiguousarray(rgb, np.uint8), cv2.COLOR_RGB2GRAY)
    axis = v[:, -1] if v[:, -1] @ _LUMA >= 0 else -v[:, -1]
    g = (x - mu) @ axis * np.linalg.norm(_LUMA) + mu @ _LUMA
    return np.clip(g + 0.5, 0, 255).astype(np.uint8).reshape(rgb.shape[:2])
