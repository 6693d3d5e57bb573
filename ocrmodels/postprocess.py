"""CRAFT maps -> word boxes (NumPy and OpenCV only).

As in CRAFT's public post-processing: the region map is thresholded at ``low_text`` and the
affinity map at ``link_threshold``; their union is split into 4-connected components
(``cv2.connectedComponentsWithStats``), one per word; a component whose region peak stays
below ``text_threshold`` or with fewer than ``min_area`` pixels is dropped; the rest get the
minimum-area rectangle of their pixels (``cv2.minAreaRect``). The thresholded blobs are smaller
than the words (the Gaussians of the ground truth fall below ``low_text`` well inside each
character box), so each rectangle is grown by the margin that the ground-truth Gaussian implies
at that threshold (``expand``): back to the word's box.

Coordinates: map pixel centres at integers, image pixel centres at integers
(``x_img = (x_map + 0.5) / scale - 0.5``); quads clockwise from top-left.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["DEFAULT_THRESHOLDS", "DETECTOR_MAG_RATIO", "DETECTOR_THRESHOLDS", "maps_to_words", "order_quad",
           "unclip_margin"]

#: Calibrated on maps built from known quads (:func:`synthgen.craft_maps`: Gaussians of sigma 0.35 half-widths,
#: which fall to 0.25 at 0.58 of a box's half-width, so a character's blob and its neighbour's affinity blob still
#: touch); CRAFT's public 0.7 / 0.4 / 0.4 assume wider Gaussians.
DEFAULT_THRESHOLDS = {"text_threshold": 0.5, "link_threshold": 0.25, "low_text": 0.25}

#: The :class:`~ocrmodels.Detector`'s defaults for a trained model's maps (softer, lower peaks than the ground
#: truth :data:`DEFAULT_THRESHOLDS` is calibrated on), chosen on synthetic validation scenes.
DETECTOR_THRESHOLDS = {"text_threshold": 0.5, "link_threshold": 0.2, "low_text": 0.1}
#: The :class:`~ocrmodels.Detector`'s default magnification of an image before detection.
DETECTOR_MAG_RATIO = 1.5


def order_quad(quad) -> np.ndarray:
    """float32 ``[4, 2]`` points clockwise (in image coordinates, y down) starting at the top-left one."""
    q = np.asarray(quad, np.float32).reshape(4, 2)
    c = q.mean(0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])
    q = q[np.argsort(ang)]  # y down: increasing angle is clockwise on screen
    start = int(np.argmin(q.sum(1)))
    return np.roll(q, -start, 0)


def unclip_margin(low_text: float, sigma: float = 0.35) -> float:
    """Margin, as a fraction of the blob's short side, that brings a ``low_text`` blob back to the box.

    The ground-truth Gaussian (``sigma`` in half-widths of the box, see
    :func:`synthgen.heatmaps.gaussian_template`) falls to ``low_text`` at a fraction
    ``r = sigma * sqrt(-2 ln low_text)`` of the half-width, so the blob spans ``r`` of the box and
    each side must grow by ``(1 - r) / (2 r)`` of the blob's size.
    """
    r = sigma * math.sqrt(-2.0 * math.log(min(max(low_text, 1e-3), 0.999)))
    r = min(r, 1.0)
    return (1.0 - r) / (2.0 * r)


def maps_to_words(region, affinity, *, text_threshold: float = 0.5, link_threshold: float = 0.25,
                  low_text: float = 0.25, min_area: int = 4, min_size: float = 3.0, scale: float = 0.5,
                  expand: float | None = None, end_expand: float = 0.6, square_ratio: float = 1.3,
                  polygons: bool = False) -> list[dict]:
    """Word boxes from a region and an affinity map.

    Args:
        region, affinity: float ``[h, w]`` maps in 0..1 (or uint8 0..255).
        text_threshold: least region peak of a word.
        link_threshold: affinity above this joins characters.
        low_text: region above this belongs to a character.
        min_area: least component size in map pixels.
        min_size: least short side of a box, in image pixels.
        scale: map resolution over image resolution (0.5 for CRAFT's output).
        expand: margin on each long side as a fraction of the blob's short side (default:
            :func:`unclip_margin` of ``low_text``); the ends grow by ``end_expand`` times that (the
            outer halves of the end characters, about 0.6 of the line height wide).
        square_ratio: a single character (a blob without affinity) whose sides differ by less than
            this ratio gets an upright box; every character's box grows by ``expand`` of its own size.
        polygons: also return ``polygon`` (float32 ``[k, 2]``, clockwise), the outline of the
            grown component, for curved words.

    Returns:
        a list of ``{"quad": float32 [4, 2] in image pixels, clockwise from top-left, "score": float}``
        (score: the component's mean region value over its character pixels), in reading order
        (top to bottom, then left to right).
    """
    region = _as_float(region, "region")
    affinity = _as_float(affinity, "affinity")
    if region.shape != affinity.shape:
        raise ValueError(f"region and affinity must have one shape. Received: {region.shape} and {affinity.shape}")
    if expand is None:
        expand = unclip_margin(low_text)
    text = region > low_text
    link = affinity > link_threshold
    comb = (text | link).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(comb, connectivity=4)
    h, w = region.shape
    out = []
    for k in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[k])
        if area < min_area:
            continue
        sl = (slice(y, y + bh), slice(x, x + bw))
        mask = labels[sl] == k
        rk = region[sl]
        chars = mask & text[sl]
        if not chars.any() or rk[mask].max() < text_threshold:
            continue
        ys, xs = np.nonzero(mask)
        pts = np.stack([xs + x, ys + y], 1).astype(np.float32)
        (cx, cy), (rw, rh), ang = cv2.minAreaRect(pts)
        rw, rh = rw + 1.0, rh + 1.0  # pixel centres -> pixel edges
        linked = bool((mask & link[sl] & ~text[sl]).any())
        if not linked:
            # one character: the blob spans r of its box both ways; a near-square one has no direction to
            # read off, so it gets an upright box (as CRAFT does)
            if max(rw, rh) < square_ratio * min(rw, rh):
                (cx, cy), ang = ((xs.min() + xs.max()) / 2 + x, (ys.min() + ys.max()) / 2 + y), 0.0
                rw, rh = xs.max() - xs.min() + 1.0, ys.max() - ys.min() + 1.0
            grow = expand * min(rw, rh)
            rw, rh = rw * (1 + 2 * expand), rh * (1 + 2 * expand)
        else:
            # a word: across the line the blob spans r of the box; along it, the end characters' outer halves
            grow = expand * min(rw, rh)
            if rw >= rh:
                rw, rh = rw + 2 * grow * end_expand, rh + 2 * grow
            else:
                rw, rh = rw + 2 * grow, rh + 2 * grow * end_expand
        box = cv2.boxPoints(((cx, cy), (rw, rh), ang))
        box = (box + 0.5) / scale - 0.5
        if min(rw, rh) / scale < min_size:
            continue
        word = {"quad": order_quad(box), "score": float(rk[chars].mean())}
        if polygons:
            word["polygon"] = _outline(mask, x, y, grow, scale)
        out.append(word)
    out.sort(key=lambda d: (round(float(d["quad"][:, 1].mean()) / 8), float(d["quad"][:, 0].min())))
    return out


def _outline(mask, x0, y0, grow, scale) -> np.ndarray:
    g = max(1, int(round(grow)))
    m = cv2.copyMakeBorder(mask.astype(np.uint8), g, g, g, g, cv2.BORDER_CONSTANT, value=0)
    m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * g + 1, 2 * g + 1)))
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    c = max(contours, key=cv2.contourArea)
    c = cv2.approxPolyDP(c, 1.0, True).reshape(-1, 2).astype(np.float32)
    c += np.float32([x0 - g, y0 - g])
    if len(c) >= 3 and cv2.contourArea(c, oriented=True) < 0:
        c = c[::-1]
    return ((c + 0.5) / scale - 0.5).astype(np.float32)


def _as_float(m, name):
    m = np.asarray(m)
    if m.ndim != 2:
        raise ValueError(f"{name} must be a 2D map. Received: shape={m.shape}")
    if m.dtype == np.uint8:
        return m.astype(np.float32) / 255
    return m.astype(np.float32, copy=False)
