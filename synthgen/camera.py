"""What a camera does to text on a product: an out-of-plane view of the text's plane, motion and
defocus blur, uneven light (gradients, cast shadows, specular highlights), colour casts and
signal-dependent sensor noise.

The view is a 3x3 matrix like the other geometric effects (:func:`tilt_matrix`), so char quads
move exactly with the ink; the rest change pixels only. Every function takes parameters already
drawn, so the same parameters give the same bytes; :func:`camera_effects` draws them from the
config in a fixed order, and draws nothing for an effect whose probability is 0 (so configs
without camera effects make the same samples as before these options existed).
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["tilt_matrix", "motion_blur", "defocus_blur", "light_field", "specular_highlight", "color_cast",
           "shot_noise", "camera_effects", "CAMERA_PARAM_FIELDS"]

#: Per-sample parameters recorded in the ``params`` table of word shards.
CAMERA_PARAM_FIELDS = ("camera_tilt", "motion_blur", "defocus", "light", "highlight", "color_cast", "shot_noise",
                       "context", "photo_background", "plate")


def tilt_matrix(box, tilt: float, axis: float, focal: float) -> np.ndarray:
    """3x3 matrix: the plane of ``box`` (a ``[4, 2]`` quad) turned by ``tilt`` degrees about an axis in
    the plane through its centre at ``axis`` degrees from the x axis, seen by a pinhole camera
    ``focal`` box-diagonals away. The centre stays put and keeps its scale."""
    box = np.asarray(box, np.float64).reshape(4, 2)
    c = box.mean(0)
    f = max(float(focal), 1e-3) * float(np.linalg.norm(box[2] - box[0]))
    a, t = np.deg2rad(axis), np.deg2rad(tilt)
    u = np.array([np.cos(a), np.sin(a), 0.0])
    k = np.array([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])
    r = np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * (k @ k)  # Rodrigues
    h = np.array([[f * r[0, 0], f * r[0, 1], 0.0], [f * r[1, 0], f * r[1, 1], 0.0], [r[2, 0], r[2, 1], f]])
    tc = np.array([[1, 0, c[0]], [0, 1, c[1]], [0, 0, 1.0]])
    tm = np.array([[1, 0, -c[0]], [0, 1, -c[1]], [0, 0, 1.0]])
    m = tc @ h @ tm
    return m / m[2, 2]


def motion_blur(img: np.ndarray, length: float, angle: float) -> np.ndarray:
    """Blur along a line of ``length`` pixels at ``angle`` degrees (a camera or hand moving)."""
    n = int(np.ceil(length)) | 1
    k = np.zeros((n, n), np.float32)
    c = (n - 1) / 2
    dx, dy = np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))
    steps = max(2, 4 * n)
    for s in np.linspace(-length / 2, length / 2, steps):
        x, y = c + s * dx, c + s * dy
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        for xi, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
            for yi, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
                if 0 <= xi < n and 0 <= yi < n:
                    k[yi, xi] += wx * wy
    k /= k.sum()
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT).reshape(img.shape)


def defocus_blur(img: np.ndarray, radius: float) -> np.ndarray:
    """An out-of-focus lens: a uniform disk of ``radius`` pixels (anti-aliased at its rim)."""
    r = max(float(radius), 0.3)
    n = int(np.ceil(r)) * 2 + 3
    c = (n - 1) / 2
    yy, xx = np.mgrid[0:n, 0:n]
    k = np.clip(r + 0.5 - np.hypot(xx - c, yy - c), 0, 1).astype(np.float32)
    k /= k.sum()
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT).reshape(img.shape)


def light_field(height: int, width: int, kind: str, strength: float, angle: float, centre, softness: float) -> np.ndarray:
    """float32 ``[H, W]`` factor in ``[1 - strength, 1]`` to multiply an image by.

    ``kind``: ``"gradient"`` (light falling off linearly along ``angle``), ``"radial"`` (a spot of
    light at ``centre``, fractions of the size) or ``"shadow"`` (a cast shadow: a half-plane through
    ``centre`` at ``angle``, its edge blurred over ``softness`` of the diagonal).
    """
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    diag = float(np.hypot(height, width))
    cx, cy = centre[0] * width, centre[1] * height
    dx, dy = np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))
    if kind == "gradient":
        d = (xx - width / 2) * dx + (yy - height / 2) * dy
        g = (d - d.min()) / max(float(np.ptp(d)), 1e-6)
    elif kind == "radial":
        r = np.hypot(xx - cx, yy - cy)
        g = r / max(float(r.max()), 1e-6)
    elif kind == "shadow":
        d = ((xx - cx) * dx + (yy - cy) * dy) / max(softness * diag, 0.5)
        g = 1.0 / (1.0 + np.exp(-np.clip(d, -30, 30)))
    else:
        raise ValueError(f"kind must be gradient, radial or shadow. Received: kind={kind!r}")
    return (1.0 - strength * g).astype(np.float32)


def specular_highlight(img: np.ndarray, strength: float, centre, radii, angle: float) -> np.ndarray:
    """Add a glare: an elliptical Gaussian of white light (``strength`` x 255 at its centre), ``radii``
    as fractions of the image size, blending the image toward white."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    x, y = xx - centre[0] * w, yy - centre[1] * h
    co, si = np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))
    u, v = (x * co + y * si) / max(radii[0] * w, 0.5), (-x * si + y * co) / max(radii[1] * h, 0.5)
    g = (strength * np.exp(-0.5 * (u * u + v * v))).astype(np.float32)
    if img.ndim == 3:
        g = g[..., None]
    return img * (1 - g) + 255.0 * g


def color_cast(img: np.ndarray, gains) -> np.ndarray:
    """Multiply the channels by ``gains`` (white balance off); grey images are left as they are."""
    if img.ndim != 3 or img.shape[2] != 3:
        return img
    return img * np.asarray(gains, np.float32)


def shot_noise(img: np.ndarray, level: float, rng: np.random.Generator) -> np.ndarray:
    """Signal-dependent sensor noise: Gaussian of standard deviation ``level * sqrt(value)`` grey levels
    (photon shot noise), one draw per pixel shared by the channels."""
    z = rng.standard_normal(img.shape[:2], dtype=np.float32)
    if img.ndim == 3:
        z = z[..., None]
    return img + z * np.float32(level) * np.sqrt(np.maximum(img, 0))


def camera_effects(img: np.ndarray, cfg: dict, rng: np.random.Generator, p: dict) -> np.ndarray:
    """Light, blur, colour and noise of a camera on a float32 image in 0..255, in that order; each
    effect is drawn only when its probability is above 0, and its main value is recorded in ``p``."""
    h, w = img.shape[:2]

    def on(name):
        return cfg[name] > 0 and rng.random() < cfg[name]

    if on("light_prob"):
        kind = ("gradient", "radial", "shadow")[int(rng.integers(3))]
        p["light"] = rng.uniform(*cfg["light"])
        f = light_field(h, w, kind, p["light"], rng.uniform(0, 360), rng.uniform(0, 1, 2), rng.uniform(0.005, 0.08))
        img = img * (f[..., None] if img.ndim == 3 else f)
    if on("highlight_prob"):
        p["highlight"] = rng.uniform(*cfg["highlight"])
        img = specular_highlight(img, p["highlight"], rng.uniform(0, 1, 2), rng.uniform(0.1, 0.6, 2), rng.uniform(0, 180))
    if on("motion_blur_prob"):
        p["motion_blur"] = rng.uniform(*cfg["motion_blur"])
        img = motion_blur(img, p["motion_blur"], rng.uniform(0, 180))
    if on("defocus_prob"):
        p["defocus"] = rng.uniform(*cfg["defocus"])
        img = defocus_blur(img, p["defocus"])
    if on("color_cast_prob"):
        lo, hi = cfg["color_cast"]
        gains = rng.uniform(lo, hi, 3)
        p["color_cast"] = float(np.ptp(gains))
        img = color_cast(img, gains)
    if on("shot_noise_prob"):
        p["shot_noise"] = rng.uniform(*cfg["shot_noise"])
        img = shot_noise(img, p["shot_noise"], rng)
    return img
