"""Non-text scene content: distractors, plates behind blocks, outlined lettering."""

import cv2
import numpy as np
import pytest

from synthgen import SceneGenerator
from synthgen.backgrounds import BackgroundLibrary
from synthgen.distractors import DISTRACTOR_KINDS, bundled_photos_dir, draw_distractor, plate_mask


@pytest.fixture(scope="module")
def photos():
    return BackgroundLibrary([bundled_photos_dir()])


@pytest.mark.parametrize("kind", DISTRACTOR_KINDS)
def test_each_kind_draws_something_deterministic_and_in_range(kind, photos):
    changed = 0
    for seed in range(6):
        a = np.full((200, 300, 3), 128.0, np.float32)
        b = a.copy()
        draw_distractor(a, kind, np.random.default_rng(seed), photos)
        draw_distractor(b, kind, np.random.default_rng(seed), photos)
        assert np.array_equal(a, b)
        assert np.isfinite(a).all() and a.min() >= 0 and a.max() <= 255
        diff = np.abs(a - 128).max(2) > 1
        changed += diff.any()
        assert diff.mean() < 0.95  # an object, not a new background
    assert changed >= 5


def test_photo_cut_outs_come_from_the_photos(photos):
    assert len(photos) >= 4
    c = np.zeros((256, 256, 3), np.float32)
    draw_distractor(c, "photo", np.random.default_rng(0), photos)
    assert c.std() > 10  # textured content, not a flat fill
    flat = np.zeros((256, 256, 3), np.float32)
    draw_distractor(flat, "photo", np.random.default_rng(0), None)  # no photos: a shape instead
    assert flat.any()


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        draw_distractor(np.zeros((8, 8, 3), np.float32), "logo", np.random.default_rng(0))
    with pytest.raises(ValueError, match="float32"):
        draw_distractor(np.zeros((8, 8, 3), np.uint8), "shape", np.random.default_rng(0))


def test_plate_mask_rounds_its_corners():
    poly = np.array([[10, 10], [90, 10], [90, 50], [10, 50]], np.float32)
    x0, y0, sharp = plate_mask(poly, 100, 100)
    _, _, round_ = plate_mask(poly, 100, 100, radius=12)
    assert sharp[10 - y0, 10 - x0] > 0.2 and round_[11 - y0, 11 - x0] == 0  # the corner is cut
    assert round_[30 - y0, 50 - x0] == 1 and abs(sharp.sum() - 81 * 41) < 100  # pixel centres 10..90, 10..50
    assert plate_mask(poly + 500, 100, 100)[2].size == 0  # off the canvas: nothing


def test_plates_and_outlines_keep_blocks_apart_and_readable():
    g = SceneGenerator({"plate_prob": 1.0, "outline_prob": 1.0, "blocks": [5, 8], "distractors": [2, 4]})
    plated = 0
    for i in range(5):
        s, _ = g.sample_at(seed=11, index=i, debug=True)
        owner = np.zeros((512, 512), np.int32)
        img = s.image.astype(np.float32)
        for k, b in enumerate(s.debug["blocks"], 1):
            assert b["plate"] is not None and b["outline"] >= 1
            hull = cv2.convexHull(b["hull"].astype(np.float32)).reshape(-1, 2)
            m = np.zeros((512, 512), np.uint8)
            cv2.fillConvexPoly(m, np.round(hull * 16).astype(np.int32), 1, lineType=cv2.LINE_8, shift=4)
            assert not (owner[m > 0] > 0).any(), "a plate covers another block"
            owner[m > 0] = k
            plated += 1
        # every word still stands out from the ground right around it (text drawn after plates and distractors)
        for q in s.word_quads:
            x0, y0 = np.maximum(np.floor(q.min(0)).astype(int), 0)
            x1, y1 = np.minimum(np.ceil(q.max(0)).astype(int) + 1, 512)
            if (x1 - x0) * (y1 - y0) >= 30:
                assert img[y0:y1, x0:x1].std() > 8
        assert s.params["plated_blocks"] == s.params["outlined_blocks"] == len(s.debug["blocks"])
    assert plated >= 20


def test_distractors_are_counted_and_can_be_turned_off():
    on = SceneGenerator({"distractors": [3, 3]})
    off = SceneGenerator({"distractors": [0, 0], "plate_prob": 0.0, "outline_prob": 0.0})
    assert on.sample_at(seed=1, index=0)[0].params["distractors"] == 3
    s = off.sample_at(seed=1, index=0)[0]
    assert s.params["distractors"] == s.params["plated_blocks"] == s.params["outlined_blocks"] == 0
