"""Quads and homographies.

Conventions: points are ``(x, y)`` float32 pixels with pixel centres at integer coordinates
(as OpenCV warps sample), so a pixel at column ``j`` spans ``[j - 0.5, j + 0.5]``. A quad is
``[4, 2]``: top-left, top-right, bottom-right, bottom-left, clockwise on screen (y down).
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = [
    "boxes_to_quads",
    "transform_quads",
    "quad_signed_area",
    "quads_bounds",
    "order_quad",
    "rotation_matrix",
    "shear_matrix",
    "translation_matrix",
    "scale_matrix",
    "quad_contains",
]


def boxes_to_quads(boxes: np.ndarray) -> np.ndarray:
    """``[n, 4]`` boxes ``(x0, y0, x1, y1)`` -> ``[n, 4, 2]`` quads, clockwise from top-left."""
    b = np.asarray(boxes, np.float32).reshape(-1, 4)
    x0, y0, x1, y1 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    return np.stack([np.stack([x0, y0], -1), np.stack([x1, y0], -1), np.stack([x1, y1], -1), np.stack([x0, y1], -1)], 1)


def transform_quads(quads: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography (or 2x3 affine) to ``[..., 2]`` points; returns float32 of the same shape."""
    q = np.asarray(quads, np.float32)
    if q.size == 0:
        return q.copy()
    m = np.asarray(m, np.float64)
    if m.shape == (2, 3):
        m = np.vstack([m, [0, 0, 1]])
    pts = q.reshape(-1, 1, 2).astype(np.float64)
    return cv2.perspectiveTransform(pts, m).reshape(q.shape).astype(np.float32)


def quad_signed_area(quads: np.ndarray) -> np.ndarray:
    """Shoelace area of ``[n, 4, 2]`` quads; positive means clockwise on screen (y down)."""
    q = np.asarray(quads, np.float64).reshape(-1, 4, 2)
    x, y = q[..., 0], q[..., 1]
    return 0.5 * (x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y).sum(1)


def quads_bounds(quads: np.ndarray) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` bounds of every point."""
    p = np.asarray(quads, np.float32).reshape(-1, 2)
    return float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max())


def order_quad(points: np.ndarray) -> np.ndarray:
    """Order 4 points clockwise starting from the top-left one (smallest x + y)."""
    p = np.asarray(points, np.float32).reshape(4, 2)
    c = p.mean(0)
    ang = np.arctan2(p[:, 1] - c[1], p[:, 0] - c[0])
    p = p[np.argsort(ang)]  # increasing angle is clockwise on screen
    start = int(np.argmin(p.sum(1)))
    return np.roll(p, -start, 0)


def quad_contains(quad: np.ndarray, xs: np.ndarray, ys: np.ndarray, tol: float = 1e-3) -> np.ndarray:
    """Whether points lie inside a convex clockwise quad (boolean array like ``xs``)."""
    q = np.asarray(quad, np.float64).reshape(4, 2)
    inside = np.ones(np.shape(xs), bool)
    for i in range(4):
        (ax, ay), (bx, by) = q[i], q[(i + 1) % 4]
        cross = (bx - ax) * (ys - ay) - (by - ay) * (xs - ax)
        inside &= cross >= -tol * max(np.hypot(bx - ax, by - ay), 1e-9)
    return inside


def translation_matrix(tx: float, ty: float) -> np.ndarray:
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], np.float64)


def scale_matrix(s: float) -> np.ndarray:
    return np.array([[s, 0, 0], [0, s, 0], [0, 0, 1]], np.float64)


def rotation_matrix(degrees: float) -> np.ndarray:
    """Rotation about the origin; positive angles turn clockwise on screen."""
    t = np.deg2rad(degrees)
    c, s = np.cos(t), np.sin(t)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], np.float64)


def shear_matrix(k: float) -> np.ndarray:
    """Horizontal shear: ``x += k * y``."""
    return np.array([[1, k, 0], [0, 1, 0], [0, 0, 1]], np.float64)
