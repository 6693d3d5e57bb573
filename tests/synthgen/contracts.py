"""Contract checks shared by the synthgen tests."""

import cv2
import numpy as np

from synthgen.geometry import quad_contains, quad_signed_area


def assert_valid_sample(s, shape):
    assert s.image.shape == shape and s.image.dtype == np.uint8
    n = sum(1 for c in s.text if c != " ")
    assert s.char_quads.shape == (n, 4, 2) and s.char_quads.dtype == np.float32
    assert s.word_quads.shape == (len(s.text.split()), 4, 2)
    H, W = shape[:2]
    for q in (s.char_quads, s.word_quads):
        assert np.isfinite(q).all()
        assert (q[..., 0] >= -0.5 - 1e-4).all() and (q[..., 0] <= W - 0.5 + 1e-4).all()
        assert (q[..., 1] >= -0.5 - 1e-4).all() and (q[..., 1] <= H - 0.5 + 1e-4).all()
    assert (quad_signed_area(s.char_quads) > 0).all(), "char quads must be clockwise"


def char_ink_masks(sample, width, height):
    """Per-character ink in crop pixels, warped from each glyph patch with the sample's own matrix."""
    layer, m = sample.debug["layer"], sample.debug["matrix"]
    out = []
    for mask, x, y in layer.patches:
        lay = np.zeros_like(layer.alpha)
        if mask.size:
            lay[y : y + mask.shape[0], x : x + mask.shape[1]] = mask
        out.append(cv2.warpPerspective(lay, m, (width, height), flags=cv2.INTER_LINEAR))
    return out


def ink_coverage(sample, width, height, threshold=64):
    """For each character: the fraction of its ink pixels (alpha > threshold) inside its quad."""
    fr = []
    for q, ink in zip(sample.char_quads, char_ink_masks(sample, width, height)):
        ys, xs = np.nonzero(ink > threshold)
        if len(xs) == 0:
            fr.append(1.0)
            continue
        w = ink[ys, xs].astype(np.float64)
        inside = quad_contains(q, xs.astype(np.float64), ys.astype(np.float64))
        fr.append(float((w * inside).sum() / w.sum()))
    return np.array(fr)
