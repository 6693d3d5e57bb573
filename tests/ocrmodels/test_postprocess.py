import numpy as np
import pytest

from ocrmodels.metrics import iou
from ocrmodels.postprocess import maps_to_words, order_quad
from synthgen.heatmaps import craft_maps


def _line(words, x0, y0, h, space=0.45, ink_punctuation=False):
    """Char quads (axis-aligned, 0.6 h wide, 0.08 h apart) of words on one line, their word ids and word boxes.

    With ``ink_punctuation``, '.' and ',' are small squares on the baseline and '-' a thin bar, as their ink is."""
    quads, ids, boxes = [], [], []
    x = x0
    for w, word in enumerate(words):
        start = x
        for c in word:
            cw, top, bot = 0.6 * h, y0, y0 + h
            if ink_punctuation and c in ".,":
                cw, top = 0.15 * h, y0 + 0.85 * h
            elif ink_punctuation and c == "-":
                cw, top, bot = 0.35 * h, y0 + 0.5 * h, y0 + 0.6 * h
            quads.append([[x, top], [x + cw, top], [x + cw, bot], [x, bot]])
            ids.append(w)
            x += cw + 0.08 * h
        boxes.append([[start, y0], [x - 0.08 * h, y0], [x - 0.08 * h, y0 + h], [start, y0 + h]])
        x += space * h
    return np.float32(quads), np.int32(ids), np.float32(boxes)


def _warp(points, m):
    p = np.concatenate([points.reshape(-1, 2), np.ones((points.size // 2, 1), np.float32)], 1) @ m.T
    return (p[:, :2] / p[:, 2:]).reshape(points.shape).astype(np.float32)


def _rotation(deg, cx, cy):
    a = np.deg2rad(deg)
    c, s = np.cos(a), np.sin(a)
    return np.float32([[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy], [0, 0, 1]])


CASES = {
    "straight": np.eye(3, dtype=np.float32),
    "rotated": _rotation(28, 256, 256),
    "steep": _rotation(-70, 256, 256),
    "perspective": np.float32([[1.0, 0.12, -20], [0.05, 0.95, 10], [0.0004, 0.0002, 1]]),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("h", [12, 30])
def test_maps_built_from_quads_give_the_words_back(case, h):
    words = ["NET", "WT", "16", "OZ", "(454g)", "ml"]
    q, ids, boxes = _line(words, 90, 240, h)
    m = CASES[case]
    q, boxes = _warp(q, m), _warp(boxes, m)
    region, affinity = craft_maps(q, ids, 512, 512)
    found = maps_to_words(region, affinity)
    assert len(found) == len(words), [d["quad"].round(1).tolist() for d in found]
    for b in boxes:
        best = max(iou(b, d["quad"]) for d in found)
        assert best > 0.7, (case, h, best)
    for d in found:
        assert d["quad"].dtype == np.float32 and d["quad"].shape == (4, 2)
        assert np.allclose(order_quad(d["quad"]), d["quad"])  # clockwise from top-left
        assert 0.3 <= d["score"] <= 1.0


@pytest.mark.parametrize("case", sorted(CASES))
def test_single_characters_are_found_at_their_boxes(case):
    q, ids, boxes = _line(["5", "x", "%"], 100, 240, 16, space=1.0)
    q, boxes = _warp(q, CASES[case]), _warp(boxes, CASES[case])
    found = maps_to_words(*craft_maps(q, ids, 512, 512))
    assert len(found) == 3
    for b in boxes:
        assert max(iou(b, d["quad"]) for d in found) > 0.6


def test_words_of_one_line_are_never_joined():
    # tightly set words: a space of a quarter of the line height
    q, ids, boxes = _line(["Best", "before", "12/2027", "LOT", "A1B2"], 20, 100, 16, space=0.25)
    region, affinity = craft_maps(q, ids, 256, 512)
    found = maps_to_words(region, affinity)
    assert len(found) == 5
    for d in found:  # each detection overlaps exactly one word
        assert sum(iou(b, d["quad"]) > 0.1 for b in boxes) == 1


def test_nothing_in_empty_or_faint_maps():
    z = np.zeros((100, 120), np.float32)
    assert maps_to_words(z, z) == []
    q, ids, _ = _line(["faint"], 20, 40, 20)
    region, affinity = craft_maps(q, ids, 200, 240)
    assert maps_to_words(region * 0.5, affinity * 0.5) == []  # peak below text_threshold
    assert len(maps_to_words((region * 255).astype(np.uint8), (affinity * 255).astype(np.uint8))) == 1


def test_polygons_follow_a_curved_word():
    quads = []
    for k in range(8):  # characters along an arc
        t = (k - 3.5) * 0.035
        cx, cy = 200 + 400 * np.sin(t), 420 - 400 * np.cos(t)
        c, s = np.cos(t), np.sin(t)
        corners = np.float32([[-6, -10], [6, -10], [6, 10], [-6, 10]])
        quads.append(corners @ np.float32([[c, s], [-s, c]]) + [cx, cy])
    quads = np.float32(quads)
    region, affinity = craft_maps(quads, np.zeros(8, np.int32), 256, 400)
    (word,) = maps_to_words(region, affinity, polygons=True)
    poly = word["polygon"]
    assert poly.shape[1] == 2 and len(poly) >= 4
    import cv2

    for c in quads.mean(1):  # every character centre lies inside the outline
        assert cv2.pointPolygonTest(poly.reshape(-1, 1, 2), (float(c[0]), float(c[1])), False) >= 0


def test_bad_maps_are_refused():
    with pytest.raises(ValueError, match="one shape"):
        maps_to_words(np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="2D map"):
        maps_to_words(np.zeros((4, 4, 2)), np.zeros((4, 4, 2)))


@pytest.mark.parametrize("h", [10, 24, 60])
@pytest.mark.parametrize("thresholds", ["ground truth", "detector"])
def test_punctuation_does_not_split_its_word(h, thresholds):
    from ocrmodels.postprocess import DEFAULT_THRESHOLDS, DETECTOR_THRESHOLDS

    th = DEFAULT_THRESHOLDS if thresholds == "ground truth" else DETECTOR_THRESHOLDS
    words = ["$4.99", "1,5kg", "A-12", "06.09.2029"]
    q, ids, boxes = _line(words, 10, 40, h, space=0.5, ink_punctuation=True)
    W = int(boxes[-1, 1, 0]) + 20
    found = maps_to_words(*craft_maps(q, ids, 2 * 40 + h, W), **th)
    assert len(found) == len(words), [d["quad"].round(1).tolist() for d in found]
    for b in boxes:
        assert max(iou(b, d["quad"]) for d in found) > 0.6
    # drawn as they are (map_version 1), the points and the hyphen split the words
    split = maps_to_words(*craft_maps(q, ids, 2 * 40 + h, W, min_height=0, min_width=0), **th)
    assert len(split) > len(words)
