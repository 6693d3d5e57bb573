"""CRAFT ground truth from character quads: region and affinity maps.

As in the CRAFT paper (Baek et al., 2019): a 2D isotropic Gaussian template is warped by a
perspective transform into each character quad (region map) and into each affinity quad
(affinity map); overlaps merge by max. The affinity quad between two adjacent characters of
one word has as corners the centroids of the upper and lower triangles that each char
quad's diagonals cut (top edge + centre, bottom edge + centre). No affinity crosses a space
or joins two words. Before drawing, char quads smaller than their word's characters (punctuation,
narrow letters) are grown (:func:`inflate_char_quads`, map version 2), so that a period or a hyphen
links its word instead of splitting it.

Maps are computed at ``scale`` times the image resolution (0.5 by default, the detector's
output size), with pixel centres at integers on both grids.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["MAP_VERSION", "MAP_VERSION_OPTIONS", "gaussian_template", "affinity_quads", "craft_maps",
           "inflate_char_quads", "word_ids_from_text", "to_map_coords"]

#: Version of the map algorithm, stored as the ``map_version`` attribute of scene shards with maps.
#: 1: char quads drawn as they are; 2: char quads first grown by :func:`inflate_char_quads`.
MAP_VERSION = 2
#: ``craft_maps`` keyword arguments that rebuild the maps of each ``map_version``.
MAP_VERSION_OPTIONS = {1: {"min_height": 0.0, "min_width": 0.0}, 2: {"min_height": 0.9, "min_width": 0.5}}

_TEMPLATES: dict = {}


def gaussian_template(size: int = 64, sigma: float = 0.35) -> np.ndarray:
    """float32 ``[size, size]`` isotropic Gaussian, 1 at the centre; ``sigma`` in half-widths."""
    key = (size, sigma)
    t = _TEMPLATES.get(key)
    if t is None:
        u = (np.arange(size, dtype=np.float32) + 0.5) / size * 2 - 1
        d2 = u[None, :] ** 2 + u[:, None] ** 2
        t = _TEMPLATES[key] = np.exp(-d2 / (2 * sigma * sigma)).astype(np.float32)
    return t


def word_ids_from_text(text: str) -> np.ndarray:
    """Word index of each non-space character of ``text`` (int32 ``[n]``)."""
    ids, w, prev_space = [], 0, False
    for c in text:
        if c == " ":
            prev_space = True
            continue
        if prev_space and ids:
            w += 1
        prev_space = False
        ids.append(w)
    return np.array(ids, np.int32)


def affinity_quads(char_quads: np.ndarray, word_ids: np.ndarray) -> np.ndarray:
    """float32 ``[k, 4, 2]`` affinity quads between consecutive characters of the same word.

    For char quads ``(tl, tr, br, bl)`` with centre ``c``, the upper triangle is ``(tl, tr, c)``
    and the lower ``(br, bl, c)``; the affinity quad of chars ``i, i+1`` is
    ``(upper_i, upper_i+1, lower_i+1, lower_i)`` (clockwise from top-left).
    """
    q = np.asarray(char_quads, np.float32).reshape(-1, 4, 2)
    w = np.asarray(word_ids).reshape(-1)
    if len(q) != len(w):
        raise ValueError(f"Need one word id per char quad. Received: {len(q)} quads, {len(w)} word ids")
    if len(q) < 2:
        return np.zeros((0, 4, 2), np.float32)
    c = q.mean(1)
    upper = (q[:, 0] + q[:, 1] + c) / 3.0
    lower = (q[:, 2] + q[:, 3] + c) / 3.0
    pair = np.flatnonzero(w[:-1] == w[1:])
    return np.stack([upper[pair], upper[pair + 1], lower[pair + 1], lower[pair]], 1).astype(np.float32)


def to_map_coords(points: np.ndarray, scale: float) -> np.ndarray:
    """Image pixel coordinates -> map pixel coordinates (pixel centres at integers on both)."""
    return (np.asarray(points, np.float32) + 0.5) * np.float32(scale) - 0.5


def _homographies(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 perspective matrices mapping the 4 points ``src`` onto each ``dst[i]`` (batched 8x8 solves)."""
    n = len(dst)
    a = np.zeros((n, 8, 8))
    b = dst.reshape(n, 8).astype(np.float64)
    for k in range(4):
        x, y = src[k]
        u, v = b[:, 2 * k], b[:, 2 * k + 1]
        a[:, 2 * k, 0:3] = (x, y, 1.0)
        a[:, 2 * k + 1, 3:6] = (x, y, 1.0)
        a[:, 2 * k, 6], a[:, 2 * k, 7] = -x * u, -y * u
        a[:, 2 * k + 1, 6], a[:, 2 * k + 1, 7] = -x * v, -y * v
    try:
        h = np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a degenerate quad (no area) among them: solve one by one, NaN for those
        h = np.full((n, 8), np.nan)
        for i in range(n):
            try:
                h[i] = np.linalg.solve(a[i], b[i])
            except np.linalg.LinAlgError:
                pass
    return np.concatenate([h, np.ones((n, 1))], 1).reshape(n, 3, 3)


def _basis(q: np.ndarray):
    """Centre ``[n, 2]``, width vector and height vector ``[n, 2]`` of quads ``(tl, tr, br, bl)``."""
    c = q.mean(1)
    wv = 0.5 * ((q[:, 1] - q[:, 0]) + (q[:, 2] - q[:, 3]))
    hv = 0.5 * ((q[:, 3] - q[:, 0]) + (q[:, 2] - q[:, 1]))
    return c, wv, hv


def inflate_char_quads(char_quads, word_ids, *, min_height: float = 0.9, min_width: float = 0.5) -> np.ndarray:
    """Char quads grown to at least ``min_height`` x ``min_width`` of their word's median character height
    (float32 ``[n, 4, 2]``).

    A period, comma or hyphen is a quad a few pixels across: its Gaussian covers less than a map pixel and
    the affinities to its neighbours shrink to a point, so its word splits there (``4.99`` -> ``4`` ``.99``).
    Each quad is scaled about its centre along its own width and height directions; a quad grown in height
    also moves, along its height direction only, to the middle of its nearest full-height neighbours (a
    period on the baseline rises to the middle of the line), so the word's band does not grow. Quads that
    are large enough are left as they are; a word of one character is measured against itself, so only a
    very narrow one (``1``, ``l``) widens.
    """
    q = np.asarray(char_quads, np.float32).reshape(-1, 4, 2)
    w = np.asarray(word_ids).reshape(-1)
    if len(q) != len(w):
        raise ValueError(f"Need one word id per char quad. Received: {len(q)} quads, {len(w)} word ids")
    if len(q) == 0 or (min_height <= 0 and min_width <= 0):
        return q.copy()
    c, wv, hv = _basis(q.astype(np.float64))
    hw, hh = np.linalg.norm(wv, axis=1), np.linalg.norm(hv, axis=1)
    med = np.empty(len(q))
    words = np.split(np.arange(len(q)), np.flatnonzero(np.diff(w)) + 1)  # runs of one word id
    for sel in words:
        med[sel] = np.median(hh[sel])
    sx = np.where(hw > 1e-6, np.maximum(1.0, min_width * med / np.maximum(hw, 1e-6)), 1.0)
    sy = np.where(hh > 1e-6, np.maximum(1.0, min_height * med / np.maximum(hh, 1e-6)), 1.0)
    grow = ((sx > 1) | (sy > 1)) & (np.abs(wv[:, 0] * hv[:, 1] - wv[:, 1] * hv[:, 0]) > 1e-9)
    if not grow.any():
        return q.copy()
    centre = c.copy()
    for sel in words:
        tall = sy[sel] > 1
        if not tall.any() or tall.all():
            continue
        ref = sel[~tall]
        for i in sel[tall]:
            k = np.searchsorted(ref, i)
            near = ref[max(k - 1, 0) : k + 1]  # the nearest full-height chars before and after
            v = hv[i] / hh[i]
            centre[i] = c[i] + v * float(np.mean((c[near] - c[i]) @ v))
    idx = np.flatnonzero(grow)
    b = np.stack([wv, hv], 2)[idx]  # columns: the width and height directions
    d = q[idx].astype(np.float64) - c[idx, None, :]  # [m, 4, 2]
    coef = np.einsum("mij,mkj->mki", np.linalg.inv(b), d)  # corners in (width, height) units
    coef *= np.stack([sx[idx], sy[idx]], 1)[:, None, :]
    out = q.copy()
    out[idx] = (centre[idx, None, :] + np.einsum("mij,mkj->mki", b, coef)).astype(np.float32)
    return out


def _splat(dst: np.ndarray, quads: np.ndarray, template: np.ndarray) -> None:
    h, w = dst.shape
    s = template.shape[0]
    src = np.array([[-0.5, -0.5], [s - 0.5, -0.5], [s - 0.5, s - 0.5], [-0.5, s - 0.5]], np.float64)
    lo = np.floor(quads.min(1)).astype(np.int64)
    hi = np.ceil(quads.max(1)).astype(np.int64) + 1
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, (w, h))
    keep = np.flatnonzero((hi > lo).all(1))
    if len(keep) == 0:
        return
    # each quad is warped into its own box (region of interest), then merged by max
    ms = _homographies(src, quads[keep].astype(np.float64) - lo[keep, None, :])
    for m, (x0, y0), (x1, y1) in zip(ms, lo[keep].tolist(), hi[keep].tolist()):
        if not np.isfinite(m[0, 0]):  # degenerate quad: no area, nothing to draw
            continue
        patch = cv2.warpPerspective(template, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        roi = dst[y0:y1, x0:x1]
        np.maximum(roi, patch, out=roi)


def craft_maps(char_quads, word_ids, height: int, width: int, *, scale: float = 0.5, template_size: int = 64,
               sigma: float = 0.35, min_height: float = 0.9, min_width: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Region and affinity maps for an image of ``height x width`` pixels.

    Args:
        char_quads: float ``[n, 4, 2]`` character quads in image pixels, clockwise from top-left,
            in reading order.
        word_ids: int ``[n]``: the word of each character (see :func:`word_ids_from_text`);
            affinities join consecutive characters with the same id.
        scale: map resolution relative to the image (0.5: half size, as CRAFT's output).
        min_height, min_width: each char quad is first grown to at least these fractions of its word's
            median character height (:func:`inflate_char_quads`), so punctuation joins its word;
            0 and 0 draw the quads as they are (the maps of shards with ``map_version`` 1).

    Returns:
        ``(region, affinity)``, float32 ``[round(height * scale), round(width * scale)]`` in 0..1.
        Quads reaching outside the image are clipped by the map borders.
    """
    if not (0 < scale <= 4):
        raise ValueError(f"scale must be in (0, 4]. Received: scale={scale!r}")
    mh, mw = max(1, int(round(height * scale))), max(1, int(round(width * scale)))
    region = np.zeros((mh, mw), np.float32)
    affinity = np.zeros((mh, mw), np.float32)
    q = np.asarray(char_quads, np.float32).reshape(-1, 4, 2)
    if len(q) == 0:
        return region, affinity
    if not np.isfinite(q).all():
        raise ValueError("char_quads hold NaN or infinity.")
    t = gaussian_template(template_size, sigma)
    q = inflate_char_quads(q, word_ids, min_height=min_height, min_width=min_width)
    _splat(region, to_map_coords(q, scale), t)
    aq = affinity_quads(q, word_ids)
    if len(aq):
        _splat(affinity, to_map_coords(aq, scale), t)
    return region, affinity
