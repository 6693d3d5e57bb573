import numpy as np
import pytest

from synthgen.generator import WordGenerator
from synthgen.geometry import boxes_to_quads, quad_contains
from synthgen.heatmaps import affinity_quads, craft_maps, inflate_char_quads, to_map_coords, word_ids_from_text


def test_word_ids():
    assert word_ids_from_text("500 ml  $4").tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert word_ids_from_text("A").tolist() == [0]


def test_affinity_corners_are_the_triangle_centroids():
    a = np.array([[0, 0], [10, 0], [10, 20], [0, 20]], np.float32)
    b = np.array([[12, 2], [20, 2], [20, 18], [12, 18]], np.float32)
    aq = affinity_quads(np.stack([a, b]), [0, 0])
    # a: centre (5, 10); upper (0+10+5)/3, (0+0+10)/3; lower (10+0+5)/3, (20+20+10)/3
    # b: centre (16, 10); upper (12+20+16)/3, (2+2+10)/3; lower (20+12+16)/3, (18+18+10)/3
    expected = np.array([[[5, 10 / 3], [16, 14 / 3], [16, 46 / 3], [5, 50 / 3]]], np.float32)
    np.testing.assert_allclose(aq, expected, atol=1e-5)


def test_no_affinity_across_words():
    quads = boxes_to_quads([[0, 0, 8, 16], [10, 0, 18, 16], [30, 0, 38, 16], [40, 0, 48, 16]])
    aq = affinity_quads(quads, word_ids_from_text("ab cd"))
    assert len(aq) == 2
    region, aff = craft_maps(quads, word_ids_from_text("ab cd"), 16, 48, scale=1.0)
    assert aff[:, 19:30].max() == 0  # nothing in the gap between the words
    assert aff[:, 9].max() > 0.5 and aff[:, 39].max() > 0.5


def test_region_peak_inside_each_char_at_half_resolution():
    g = WordGenerator({"rotation_prob": 1.0, "rotation": [-20, 20], "perspective_prob": 0.5})
    for i in range(20):
        s, _ = g.sample_at(2, i)
        for q in s.char_quads:
            region, _ = craft_maps(q[None], [0], 32, 128)
            v, u = np.unravel_index(region.argmax(), region.shape)
            mq = to_map_coords(q, 0.5)
            assert quad_contains(mq, np.array(float(u)), np.array(float(v)), tol=0.75), (s.text, q)
            assert region.max() > 0


def test_maps_shape_range_and_determinism():
    g = WordGenerator()
    s, _ = g.sample_at(0, 3)
    r1, a1 = craft_maps(s.char_quads, word_ids_from_text(s.text), 32, 128)
    r2, a2 = craft_maps(s.char_quads, word_ids_from_text(s.text), 32, 128)
    assert r1.shape == (16, 64) and r1.dtype == np.float32 and 0 <= r1.min() and r1.max() <= 1
    assert np.array_equal(r1, r2) and np.array_equal(a1, a2)
    assert (a1 > 0).any() == (len(s.char_quads) > 1)


def test_bad_input():
    with pytest.raises(ValueError, match="one word id per char quad"):
        affinity_quads(np.zeros((3, 4, 2)), [0, 0])
    with pytest.raises(ValueError, match="scale"):
        craft_maps(np.zeros((1, 4, 2)), [0], 10, 10, scale=0)


def test_small_char_quads_grow_and_a_period_rises_to_the_middle_of_its_line():
    # "4.9": two 10 x 20 digits and a 3 x 3 period on the baseline (y = 20)
    q = np.float32([[[0, 0], [10, 0], [10, 20], [0, 20]], [[12, 17], [15, 17], [15, 20], [12, 20]],
                    [[17, 0], [27, 0], [27, 20], [17, 20]]])
    g = inflate_char_quads(q, [0, 0, 0])
    np.testing.assert_array_equal(g[[0, 2]], q[[0, 2]])  # big enough: untouched
    dot = g[1]
    assert np.ptp(dot[:, 1]) == pytest.approx(0.9 * 20) and np.ptp(dot[:, 0]) == pytest.approx(0.5 * 20)
    np.testing.assert_allclose(dot.mean(0), [13.5, 10.0], atol=1e-4)  # same x, moved to the line's middle
    # rotated by 30 degrees: the same quads, rotated
    a = np.deg2rad(30)
    rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    np.testing.assert_allclose(inflate_char_quads(q @ rot.T, [0, 0, 0]), g @ rot.T, atol=1e-3)
    # a word of one character, and zero minimums, are left as they are
    np.testing.assert_array_equal(inflate_char_quads(q[1:2], [0]), q[1:2])
    np.testing.assert_array_equal(inflate_char_quads(q, [0, 0, 0], min_height=0, min_width=0), q)
    # never shrinks; other words are measured on their own
    g2 = inflate_char_quads(q, [0, 1, 2])
    np.testing.assert_array_equal(g2, q)
    with pytest.raises(ValueError, match="one word id per char quad"):
        inflate_char_quads(q, [0, 0])


def test_a_period_links_its_word_in_the_maps():
    q = np.float32([[[0, 0], [10, 0], [10, 20], [0, 20]], [[12, 17], [15, 17], [15, 20], [12, 20]],
                    [[17, 0], [27, 0], [27, 20], [17, 20]]]) + np.float32([10, 10])
    region, affinity = craft_maps(q, [0, 0, 0], 40, 48)
    row = np.maximum(region, affinity)[10, 8:16]  # along the line's middle, from centre to centre of the digits
    assert row.min() > 0.25
    region0, affinity0 = craft_maps(q, [0, 0, 0], 40, 48, min_height=0, min_width=0)
    assert np.maximum(region0, affinity0)[10, 8:16].min() < 0.1  # drawn as it is, the period breaks the word
