import cv2
import numpy as np
import pytest

from synthgen import WordGenerator
from synthgen.effects import contrast_ratio, relative_luminance
from synthgen.lettering import (LETTERING_STYLES, bevel, draw_lettering, extrude, glow, gradient_fill, hollow_ring,
                                second_color)


def _square(h=40, w=60, box=(15, 10, 25, 40)):
    a = np.zeros((h, w), np.float32)
    y0, x0, y1, x1 = box
    a[y0:y1, x0:x1] = 1.0
    return a


def test_gradient_fill_runs_over_the_ink_and_leaves_the_ground():
    out = np.full((40, 60, 3), 200.0, np.float32)
    a = _square()
    c1, c2 = np.float32([0, 0, 100]), np.float32([0, 0, 20])
    band = gradient_fill(out, a, c1, c2, band=0.5)
    assert np.array_equal(band[a == 0], out[a == 0])
    col = band[15:25, 30, 2]  # ink rows 15..24: c1 at both ends, c2 in the middle
    assert col[0] == pytest.approx(100) and col[-1] == pytest.approx(100) and col.min() < 35
    assert np.argmin(col) in (4, 5)
    ramp = gradient_fill(out, a, c1, c2, band=None)[15:25, 30, 2]
    assert ramp[0] == pytest.approx(100) and ramp[-1] == pytest.approx(20) and np.all(np.diff(ramp) < 0)


def test_second_color_stays_on_the_text_side_of_the_ground_with_its_contrast():
    rng = np.random.default_rng(0)
    for bg_lum in (0.05, 0.3, 0.8):
        for text in (np.float32([250, 250, 240]), np.float32([10, 20, 5])):
            t = float(relative_luminance(text))
            if contrast_ratio(t, bg_lum) < 3.0:
                continue
            for _ in range(20):
                c = second_color(text, t, bg_lum, 3.0, rng)
                lum = float(relative_luminance(c))
                assert (lum >= bg_lum) == (t >= bg_lum) and contrast_ratio(lum, bg_lum) >= 3.0 - 1e-6
    grey = second_color(np.float32([30.0]), 0.02, 0.8, 3.0, rng)
    assert grey.shape == (1,)


def test_extrusion_sweeps_the_glyph_one_way():
    a = np.zeros((30, 30), np.float32)
    a[10, 10] = 1.0
    e = extrude(a, 6.0, 0.0)
    assert e[10, 10:17].min() == 1.0 and e[10, :10].max() == 0.0 and e[10, 17:].max() == 0.0 and e.sum() == 7
    d = extrude(a, -4.0, 4.0)  # down and to the left
    assert d[14, 6] == 1.0 and d[10, 10] == 1.0 and d[6, 14] == 0.0


def test_bevel_lights_the_side_facing_the_light():
    a = _square()
    s = bevel(a, 1.5, 180.0)  # light from the left (image angle 180 degrees)
    assert s.min() >= -1 and s.max() == pytest.approx(1.0)
    assert s[20, 10] > 0.5 and s[20, 39] < -0.5  # left edge lit, right edge shaded
    assert abs(s[20, 25]) < 0.05  # the flat top


def test_glow_reaches_past_the_glyph():
    a = _square()
    g = glow(a, 3.0, 2.0)
    assert g.max() == 1.0 and g.min() >= 0.0
    assert g[20, 6] > 0.1 and g[20, 2] < g[20, 6]  # a halo beyond the left edge (x 10), fading


def test_hollow_ring_is_an_outline_round_the_glyph():
    layer = np.zeros((60, 60), np.uint8)
    cv2.circle(layer, (30, 30), 20, 255, -1)
    outer, inner = hollow_ring(layer, 4)
    ring = (outer.astype(int) - inner.astype(int)) > 128
    assert not ring[30, 30] and ring[30, 10] and ring[30, 50] and not ring[30, 4]
    assert 3 <= ring[30, :30].sum() <= 6  # about 4 px wide


def test_faces_keep_their_contrast_with_the_ground():
    rng = np.random.default_rng(3)
    a = _square()
    for bg in (np.float32([230, 230, 220]), np.float32([20, 30, 60])):
        bg_lum = float(relative_luminance(bg))
        out = np.broadcast_to(bg, (40, 60, 3)).astype(np.float32)
        for _ in range(10):
            text = np.float32([20, 20, 20]) if bg_lum > 0.5 else np.float32([240, 220, 200])
            t = float(relative_luminance(text))
            for style in ("gradient", "extrude", "glow"):
                img = draw_lettering(out, a, text, style, 10.0, rng, text_lum=t, bg_lum=bg_lum)
                face = img[a == 1.0]
                assert contrast_ratio(relative_luminance(face), bg_lum).min() >= 3.0 - 1e-3, style


def test_unknown_style_and_a_hollow_without_ring_are_refused():
    out, a = np.zeros((8, 8, 3), np.float32), np.zeros((8, 8), np.float32)
    with pytest.raises(ValueError, match="gradient, extrude, bevel, glow, hollow"):
        draw_lettering(out, a, np.zeros(3), "neon", 4.0, np.random.default_rng(0), text_lum=0.0, bg_lum=1.0)
    with pytest.raises(ValueError, match="ring"):
        draw_lettering(out, a, np.zeros(3), "hollow", 4.0, np.random.default_rng(0), text_lum=0.0, bg_lum=1.0)


BASE = {"color": True, "rotation_prob": 0.5, "rotation": [-15.0, 15.0], "camera_tilt_prob": 0.3, "tight_crop_prob": 0.0,
        "stroke_prob": 0.0, "shadow_prob": 0.0, "image_codec": "raw"}


@pytest.mark.parametrize("style", LETTERING_STYLES)
def test_each_style_is_recorded_changes_the_pixels_and_keeps_the_quads_on_their_ink(style):
    from contracts import ink_coverage

    w = [0] * len(LETTERING_STYLES)
    w[LETTERING_STYLES.index(style)] = 1
    g = WordGenerator({**BASE, "lettering_prob": 1.0, "lettering_weights": w})
    changed = 0
    for i in range(12):
        s, _ = g.sample_at(5, i, debug=True)
        assert s.params["lettering"] == LETTERING_STYLES.index(style) + 1
        assert ink_coverage(s, 128, 32).min() >= 0.95, s.text
        # the same word drawn flat (the choice is made after everything the flat draw uses up to its fill)
        changed += not np.array_equal(s.image, WordGenerator(BASE).sample_at(5, i)[0].image)
    assert changed >= 10
    again, _ = g.sample_at(5, 3)
    assert np.array_equal(again.image, g.sample_at(5, 3)[0].image)  # same seed, same bytes


def test_lettering_off_draws_the_same_bytes_and_bad_options_are_refused():
    a, _ = WordGenerator({**BASE, "lettering_prob": 0.0, "lettering_weights": [1, 0, 0, 0, 0]}).sample_at(2, 4)
    b, _ = WordGenerator(BASE).sample_at(2, 4)
    assert a.params["lettering"] == 0.0 and np.array_equal(a.image, b.image)
    with pytest.raises(ValueError, match="lettering_weights"):
        WordGenerator({"lettering_weights": [1, 1, 1]})
    with pytest.raises(ValueError, match="lettering_depth"):
        WordGenerator({"lettering_depth": [0.2, 0.1]})


def test_the_legibility_check_reads_hollow_letters_by_their_outline():
    from synthgen.config import load_config_file

    cfg = load_config_file("recipes/recognizer-english-camera.yaml")
    cfg.update(min_legibility=0.6)

    def rejected(extra):
        g = WordGenerator({**cfg, **extra})
        return sum(sum(g.sample_at(3, i)[1].values()) for i in range(60))

    flat = rejected({})
    hollow = rejected({"lettering_prob": 1.0, "lettering_weights": [0, 0, 0, 0, 1]})
    assert hollow <= 1.5 * flat + 10, (hollow, flat)  # judged by the filled glyph, most hollow crops were rejected


def test_grey_crops_draw_every_style():
    flat = WordGenerator({**BASE, "color": False})
    for j in range(len(LETTERING_STYLES)):
        w = [0] * len(LETTERING_STYLES)
        w[j] = 1
        g = WordGenerator({**BASE, "color": False, "lettering_prob": 1.0, "lettering_weights": w})
        differ = 0
        for i in range(4):
            s, _ = g.sample_at(6, i)
            assert s.image.ndim == 2 and s.params["lettering"] == j + 1
            differ += not np.array_equal(s.image, flat.sample_at(6, i)[0].image)
        assert differ >= 3, LETTERING_STYLES[j]
