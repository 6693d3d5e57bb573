import glob

import cv2
import h5py
import numpy as np
import pytest

from synthgen import WordGenerator, generate
from synthgen.camera import (color_cast, defocus_blur, light_field, motion_blur, shot_noise, specular_highlight,
                             tilt_matrix)
from synthgen.geometry import transform_quads
from synthgen.shards import Shard

BOX = np.float32([[0, 0], [200, 0], [200, 50], [0, 50]])


def test_tilt_keeps_the_centre_and_shrinks_the_far_side():
    np.testing.assert_allclose(tilt_matrix(BOX, 0.0, 30.0, 2.0), np.eye(3), atol=1e-12)
    m = tilt_matrix(BOX, 40.0, 0.0, 1.5)  # about the horizontal axis: top and bottom edges differ
    q = transform_quads(BOX[None], m)[0]
    np.testing.assert_allclose(transform_quads(np.float32([[[100, 25]] * 4]), m)[0, 0], [100, 25], atol=1e-3)
    top, bottom = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])
    assert abs(top - bottom) > 0.1 * 200 and np.ptp(q[:, 1]) < 50  # foreshortened, one side shrunk
    far = transform_quads(BOX[None], tilt_matrix(BOX, 40.0, 0.0, 20.0))[0]  # a distant camera: near-affine
    assert abs(np.linalg.norm(far[1] - far[0]) - np.linalg.norm(far[2] - far[3])) < 0.2 * abs(top - bottom)
    side = transform_quads(BOX[None], tilt_matrix(BOX, 40.0, 90.0, 1.5))[0]  # about the vertical axis
    assert abs(np.linalg.norm(side[3] - side[0]) - np.linalg.norm(side[2] - side[1])) > 5


def test_blurs_keep_the_mean_and_spread_a_point():
    img = np.zeros((41, 41), np.float32)
    img[20, 20] = 1000.0
    m = motion_blur(img, 9.0, 0.0)
    assert m.sum() == pytest.approx(1000.0, rel=1e-4)
    assert m[20].sum() == pytest.approx(1000.0, rel=1e-3) and (m[20, 15:26] > 0).sum() >= 9  # along the row only
    d = defocus_blur(img, 3.0)
    assert d.sum() == pytest.approx(1000.0, rel=1e-4)
    assert d[20, 17] > 0 and d[20, 17] == pytest.approx(d[17, 20]) and d[20, 14] == 0  # a disk of radius 3
    rgb = np.dstack([img] * 3)
    assert motion_blur(rgb, 5.0, 45.0).shape == rgb.shape and defocus_blur(rgb, 1.0).shape == rgb.shape


@pytest.mark.parametrize("kind", ["gradient", "radial", "shadow"])
def test_light_fields_stay_in_range_and_are_uneven(kind):
    f = light_field(40, 120, kind, 0.6, 30.0, (0.5, 0.5), 0.02)
    assert f.shape == (40, 120) and f.dtype == np.float32
    assert f.min() >= 0.4 - 1e-5 and f.max() <= 1.0 + 1e-6 and np.ptp(f) > 0.3
    with pytest.raises(ValueError, match="gradient, radial or shadow"):
        light_field(4, 4, "sun", 0.5, 0, (0, 0), 0.1)


def test_highlight_cast_and_noise():
    img = np.full((32, 64, 3), 100.0, np.float32)
    h = specular_highlight(img, 0.8, (0.5, 0.5), (0.2, 0.3), 0.0)
    assert h[16, 32, 0] == pytest.approx(100 + 0.8 * 155, abs=2) and h[0, 0, 0] < 110
    c = color_cast(img, (1.2, 1.0, 0.8))
    assert c[0, 0].tolist() == pytest.approx([120, 100, 80])
    grey = img[..., 0]
    assert np.array_equal(color_cast(grey, (1.2, 1.0, 0.8)), grey)  # grey crops: no cast
    rng = np.random.default_rng(0)
    dark, bright = shot_noise(np.full((64, 64), 16.0, np.float32), 1.0, rng), shot_noise(np.full((64, 64), 225.0, np.float32), 1.0, rng)
    assert 3 < dark.std() < 5 and 13 < bright.std() < 17  # sqrt(16) = 4, sqrt(225) = 15
    n3 = shot_noise(img, 1.0, np.random.default_rng(1))
    assert np.array_equal(n3[..., 0], n3[..., 2])  # one draw per pixel, shared by the channels


def test_context_draws_neighbours_outside_the_word_and_never_on_it():
    g = WordGenerator({"context_prob": 1.0, "context_words": [2, 4], "height": 48, "width": 192, "margin": [0.1, 0.3],
                       "curve_prob": 0.0, "rotation_prob": 0.5, "rotation": [-15.0, 15.0], "camera_tilt_prob": 0.5})
    drawn = 0
    for i in range(30):
        s, _ = g.sample_at(2, i, debug=True)
        ctx = s.debug["context"]
        assert ctx is not None and ctx.shape == (48, 192)
        inside = np.zeros((48, 192), np.uint8)
        for q in s.char_quads:
            cv2.fillConvexPoly(inside, np.round(q * 16).astype(np.int32), 1, shift=4)
        assert float((ctx * inside).sum()) <= 0.02 * max(float(ctx.sum()), 1.0), s.text
        drawn += ctx.max() > 0.5
    assert drawn >= 20  # most crops show a neighbour


def test_camera_options_are_recorded_and_change_the_pixels():
    on = {"light_prob": 1.0, "highlight_prob": 1.0, "motion_blur_prob": 1.0, "defocus_prob": 1.0, "shot_noise_prob": 1.0,
          "camera_tilt_prob": 1.0, "context_prob": 1.0}
    a, _ = WordGenerator(on).sample_at(0, 3)
    for k in ("light", "highlight", "motion_blur", "defocus", "shot_noise", "camera_tilt", "context"):
        assert a.params[k] > 0, k
    b, _ = WordGenerator(on).sample_at(0, 3)
    assert np.array_equal(a.image, b.image)  # same seed, same bytes
    plain, _ = WordGenerator().sample_at(0, 3)
    assert all(plain.params[k] == 0 for k in ("light", "camera_tilt", "context"))


def test_bad_camera_options_are_refused():
    with pytest.raises(ValueError, match="camera_focal"):
        WordGenerator({"camera_focal": [0.2, 1.0]})
    with pytest.raises(ValueError, match="light"):
        WordGenerator({"light": [0.5, 1.5]})


def test_cylinder_narrows_the_ends_and_bends_the_baseline():
    base = {"rotation_prob": 0.0, "shear_prob": 0.0, "perspective_prob": 0.0, "curve_prob": 0.0, "height": 64,
            "width": 512, "text_height": [0.5, 0.5], "min_length": 9}
    flat = WordGenerator(base)
    for elev, sign in ((30.0, -1), (-30.0, 1)):
        g = WordGenerator({**base, "cylinder_prob": 1.0, "cylinder_arc": [150.0, 150.0], "cylinder_elevation": [elev, elev]})
        seen = 0
        for i in range(12):
            s, _ = g.sample_at(4, i)
            if len(s.char_quads) < 7 or " " in s.text:
                continue
            f, _ = flat.sample_at(4, i)
            assert s.text == f.text and s.params["curve"] == 3.0 and s.params["curve_amplitude"] == 150.0
            wide = lambda q: np.linalg.norm(q[:, 1] - q[:, 0], axis=1) / np.linalg.norm(q[:, 3] - q[:, 0], axis=1)
            # glyphs at the ends turn away: relative to the same word drawn flat they narrow more than the middle one
            r = wide(s.char_quads) / wide(f.char_quads)
            mid = len(r) // 2
            assert max(r[0], r[-1]) < 0.8 * r[mid], (s.text, r)
            # seen from above the ends rise above the middle (image y grows downwards); from below they drop
            y = s.char_quads[:, 3, 1]  # bottom-left corners follow the baseline
            assert sign * (y[mid] - (y[0] + y[-1]) / 2) < 0, (elev, y)
            # the glyphs' upright strokes stay upright: the cylinder's axis does not turn
            side = s.char_quads[:, 3] - s.char_quads[:, 0]
            assert np.abs(side[:, 0] / side[:, 1]).max() < 1e-3
            seen += 1
        assert seen >= 3


def test_photo_backgrounds_come_from_the_photos_and_are_recorded(tmp_path):
    g = WordGenerator({"photo_background_prob": 1.0, "color": True})
    table = g.background_table()
    photo_ids = {r["id"] for r in table if r["name"].startswith("photo:")}
    assert len(photo_ids) == 4  # the bundled photos/
    for i in range(5):
        s, _ = g.sample_at(1, i)
        assert s.params["photo_background"] == 1.0 and s.background in photo_ids
    # written to shards: the ids name photo rows of the shard's background table
    generate(tmp_path / "shards", 12, config={"photo_background_prob": 1.0}, seed=0, progress=False)
    path = sorted(glob.glob(str(tmp_path / "shards" / "*.h5")))[0]
    names = Shard(path).background_table()
    with h5py.File(path) as f:
        assert all(names[int(b)].startswith("photo:photos/") for b in f["background"][()])
    mine = tmp_path / "mine"
    mine.mkdir()
    cv2.imwrite(str(mine / "shelf.png"), np.full((80, 300, 3), (10, 200, 30), np.uint8))
    s, _ = WordGenerator({"photo_background_prob": 1.0, "photos": [str(mine)], "color": True, "noise_prob": 0.0,
                          "brightness_contrast_prob": 0.0, "blur_prob": 0.0}).sample_at(0, 0)
    corner = s.image[0, 0].astype(int)
    assert abs(corner[1] - 200) < 30 and corner[0] < 60  # green from the user's photo
    with pytest.raises(ValueError, match="photo_background_prob"):
        WordGenerator({"photo_background_prob": 0.5, "photos": []})
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty.*holds no image"):
        WordGenerator({"photo_background_prob": 0.5, "photos": [str(tmp_path / "empty")]})
    plain, _ = WordGenerator().sample_at(1, 0)
    assert plain.params["photo_background"] == 0.0


def test_ink_legibility_falls_with_blur_noise_and_clutter():
    from synthgen.generator import ink_legibility

    alpha = np.zeros((32, 128), np.uint8)
    cv2.putText(alpha, "Milk 1L", (6, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2)
    clean = (200 - alpha.astype(np.float32) * 0.6).astype(np.uint8)  # dark text on a light ground
    assert ink_legibility(clean, alpha) > 0.99
    inverted = np.stack([255 - clean] * 3, -1)  # light text on dark, in colour: the sign does not matter
    assert ink_legibility(inverted, alpha) > 0.99
    blurred = cv2.GaussianBlur(clean, (0, 0), 3.0)
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 60, clean.shape)
    noisy = np.clip(clean + noise, 0, 255).astype(np.uint8)  # strong text through the noise
    faint = np.clip(200 - alpha.astype(np.float32) * 0.15 + noise, 0, 255).astype(np.uint8)  # drowned in it
    scores = [ink_legibility(im, alpha) for im in (clean, cv2.GaussianBlur(clean, (0, 0), 1.0), blurred)]
    assert scores[0] > scores[1] > scores[2]
    assert ink_legibility(faint, alpha) < 0.5 < ink_legibility(noisy, alpha)
    assert ink_legibility(rng.integers(0, 256, clean.shape, dtype=np.uint8), alpha) < 0.15  # no word left
    assert ink_legibility(np.full_like(clean, 90), alpha) == 0.0


def test_min_legibility_rejects_illegible_crops_and_changes_nothing_else():
    heavy = {"defocus_prob": 0.6, "defocus": [1.5, 4.0], "noise_prob": 0.6, "noise_sigma": [10.0, 40.0],
             "tight_crop_prob": 0.0, "image_codec": "raw"}
    from synthgen.generator import ink_legibility

    off = WordGenerator(heavy)
    on = WordGenerator({**heavy, "min_legibility": 0.6})
    rejected = 0
    for i in range(40):
        s, rejects = on.sample_at(7, i, debug=True)
        rejected += rejects.get("illegible", 0)
        assert ink_legibility(s.image, s.debug["alpha"]) >= 0.6
        if s.params["attempt"] == 0:  # the check draws no randomness: an accepted first try is the plain sample
            assert np.array_equal(s.image, off.sample_at(7, i)[0].image)
    assert rejected >= 5
    never = WordGenerator({**heavy, "min_legibility": 1.0, "max_attempts": 3})
    with pytest.raises(RuntimeError, match="min_legibility"):
        never.sample_at(7, 0)
    with pytest.raises(ValueError, match="min_legibility"):
        WordGenerator({"min_legibility": 1.5})


def test_plate_fills_a_box_round_the_word_that_stands_out_and_moves_with_it():
    from synthgen.effects import contrast_ratio, relative_luminance
    from synthgen.generator import _plate
    from synthgen.geometry import scale_matrix, translation_matrix

    bg = np.full((40, 120, 3), 200.0, np.float32)
    box = np.float32([[0, 0], [50, 0], [50, 10], [0, 10]])  # a line box in layer pixels, 10 px high
    m = translation_matrix(30.0, 15.0) @ scale_matrix(1.0)
    out = _plate(bg, box, m, 10.0, [0.5, 0.5], np.random.default_rng(0))  # x 25..85, y 10..30: 5 px round the box
    fill = out[20, 55]
    for part in (out[11:29, 32:78], out[17:23, 26:84]):  # filled but for corners rounded by up to 6 px
        assert np.array_equal(part, np.broadcast_to(fill, part.shape))
    assert np.array_equal(out[:8], bg[:8]) and np.array_equal(out[33:], bg[33:])  # nothing outside it (edges: a pixel)
    assert np.array_equal(out[:, :23], bg[:, :23]) and np.array_equal(out[:, 88:], bg[:, 88:])
    lum = float(relative_luminance(fill))
    assert contrast_ratio(lum, float(relative_luminance(np.float32([200, 200, 200])))) >= 1.5
    tilted = _plate(bg, box, translation_matrix(60.0, 20.0) @ np.float64([[1, 0.6, 0], [0, 1, 0], [0, 0, 1]])
                    @ translation_matrix(-25.0, -5.0), 10.0, [0.2, 0.2], np.random.default_rng(0))
    changed = np.any(tilted != bg, axis=2)
    ys, xs = np.nonzero(changed)
    top, bottom = xs[ys == ys.min()].mean(), xs[ys == ys.max()].mean()
    assert bottom - top > 5  # the plate is sheared like the text


def test_word_plates_are_recorded_keep_the_quads_on_their_ink_and_change_nothing_when_off():
    from contracts import ink_coverage

    cfg = {"word_plate_prob": 1.0, "word_plate_pad": [0.1, 0.9], "rotation_prob": 0.5, "rotation": [-20.0, 20.0],
           "camera_tilt_prob": 0.5, "tight_crop_prob": 0.0, "image_codec": "raw"}
    g = WordGenerator(cfg)
    for i in range(20):
        s, _ = g.sample_at(4, i, debug=True)
        assert s.params["plate"] == 1.0
        assert ink_coverage(s, 128, 32).min() >= 0.95, s.text
    off = {**cfg, "word_plate_prob": 0.0}
    plain = {k: v for k, v in off.items() if k != "word_plate_prob"}
    a, b = WordGenerator(off).sample_at(4, 0)[0], WordGenerator(plain).sample_at(4, 0)[0]
    assert a.params["plate"] == 0.0 and np.array_equal(a.image, b.image)
    with pytest.raises(ValueError, match="word_plate_pad"):
        WordGenerator({"word_plate_pad": [0.5, 0.1]})
