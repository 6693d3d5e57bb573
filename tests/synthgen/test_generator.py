import numpy as np
import pytest
from contracts import assert_valid_sample, ink_coverage

from synthgen.generator import WordGenerator, sample_rng

OFF = dict(rotation_prob=0.0, shear_prob=0.0, perspective_prob=0.0, curve_prob=0.0, stroke_prob=0.0,
           shadow_prob=0.0, underline_prob=0.0, blur_prob=0.0, noise_prob=0.0, jpeg_prob=0.0,
           downscale_prob=0.0, brightness_contrast_prob=0.0)

EFFECTS = {
    "plain": {},
    "rotation": dict(rotation_prob=1.0, rotation=[-30.0, 30.0]),
    "shear": dict(shear_prob=1.0, shear=[-0.6, 0.6]),
    "perspective": dict(perspective_prob=1.0, perspective=[0.1, 0.25]),
    "curve": dict(curve_prob=1.0, curve_amplitude=[0.3, 1.0]),
    "stroke": dict(stroke_prob=1.0, stroke_width=[1, 3]),
    "underline": dict(underline_prob=1.0),
    "tight": dict(tight_crop_prob=1.0, rotation_prob=0.5, rotation=[-10.0, 10.0]),
    "line": dict(tight_crop_prob=1.0, tight_crop_box="line", tight_crop_pad=[0.0, 0.3], rotation_prob=0.5,
                 rotation=[-10.0, 10.0], context_prob=0.5),
    "small": dict(small_render_prob=1.0, rotation_prob=0.5, rotation=[-10.0, 10.0], stroke_prob=0.3, curve_prob=0.2),
    "cylinder": dict(cylinder_prob=1.0, cylinder_arc=[100.0, 170.0], cylinder_elevation=[-40.0, 40.0],
                     rotation_prob=0.5, rotation=[-15.0, 15.0]),
    "camera_tilt": dict(camera_tilt_prob=1.0, camera_tilt=[30.0, 70.0], camera_focal=[0.6, 1.5]),
    "camera": dict(camera_tilt_prob=1.0, context_prob=1.0, context_words=[2, 4], light_prob=1.0, highlight_prob=1.0,
                   motion_blur_prob=1.0, defocus_prob=1.0, color_cast_prob=1.0, shot_noise_prob=1.0, rotation_prob=0.5,
                   rotation=[-20.0, 20.0]),
    "everything": dict(rotation_prob=1.0, shear_prob=1.0, perspective_prob=1.0, curve_prob=1.0, stroke_prob=1.0,
                       shadow_prob=1.0, blur_prob=1.0, noise_prob=1.0, jpeg_prob=1.0, downscale_prob=1.0,
                       brightness_contrast_prob=1.0),
}


@pytest.fixture(scope="module")
def generators():
    return {}


def _gen(generators, name, **extra):
    key = (name, repr(sorted(extra.items())))
    if key not in generators:
        generators[key] = WordGenerator({**OFF, **EFFECTS[name], **extra})
    return generators[key]


@pytest.mark.parametrize("effect", list(EFFECTS))
@pytest.mark.parametrize("size", [(32, 128, False), (64, 256, True)])
def test_char_quads_cover_their_ink_under_every_geometric_effect(generators, effect, size):
    H, W, color = size
    g = _gen(generators, effect, height=H, width=W, color=color)
    worst = 1.0
    for i in range(60):
        s, _ = g.sample_at(7, i, debug=True)
        assert_valid_sample(s, (H, W, 3) if color else (H, W))
        cov = ink_coverage(s, W, H)
        worst = min(worst, cov.min())
        assert cov.min() >= 0.95, (effect, s.text, cov)
    assert worst >= 0.95


def test_curves_really_bend_and_rotations_really_turn(generators):
    g = _gen(generators, "curve")
    ys = []
    for i in range(30):
        s, _ = g.sample_at(3, i)
        if len(s.char_quads) >= 5:
            c = s.char_quads.mean(1)
            ys.append(np.ptp(c[:, 1]))
    assert np.median(ys) > 1.0  # character centres leave one straight line
    r = _gen(generators, "rotation")
    angles = []
    for i in range(30):
        s, _ = r.sample_at(3, i)
        top = s.char_quads[0, 1] - s.char_quads[0, 0]
        angles.append(abs(np.degrees(np.arctan2(top[1], top[0]))))
    assert np.max(angles) > 10


def test_quads_hug_the_ink(generators):
    """Boxes are tight: the ink reaches every side of an unrotated box to within two pixels (the box is the glyph's
    outline; the ink mask drops its faintest anti-aliased edge: up to 1.9 px over 29 seeds x 20 words, 8 fonts)."""
    g = _gen(generators, "plain")
    from contracts import char_ink_masks

    for i in range(20):
        s, _ = g.sample_at(11, i, debug=True)
        for q, ink in zip(s.char_quads, char_ink_masks(s, 128, 32)):
            ys, xs = np.nonzero(ink > 0)
            if len(xs) == 0:
                continue
            x0, y0 = q.min(0)
            x1, y1 = q.max(0)
            assert xs.min() - x0 < 2.0 and x1 - xs.max() < 2.0
            assert ys.min() - y0 < 2.0 and y1 - ys.max() < 2.0


def test_same_rng_same_bytes(generators):
    g = _gen(generators, "everything")
    a = g.make_sample(sample_rng(1, 5))
    b = g.make_sample(sample_rng(1, 5))
    c = g.make_sample(sample_rng(1, 6))
    assert a.encoded == b.encoded and a.text == b.text and np.array_equal(a.char_quads, b.char_quads)
    assert a.encoded != c.encoded


def test_text_contrast_and_params():
    g = WordGenerator({"min_contrast": 4.5})
    for i in range(30):
        s, _ = g.sample_at(0, i)
        assert s.params["contrast_ratio"] >= 4.5 - 1e-6 or s.params["contrast_ratio"] >= 4.0
        assert s.params["font_size"] >= 7


def test_explicit_text_and_vocabulary():
    g = WordGenerator()
    s = g.make_sample(np.random.default_rng(0), text="$4.99")
    assert s.text == "$4.99" and len(s.char_quads) == 5


def test_phrases_get_word_quads():
    g = WordGenerator({"charset": WordGenerator().charset.chars + " ", "phrase_prob": 1.0})
    s, _ = g.sample_at(0, 0)
    assert " " in s.text
    assert_valid_sample(s, (32, 128))
    assert len(s.word_quads) == len(s.text.split())


def test_grayscale_and_rgb_codecs():
    for codec in ("jpeg", "png", "raw"):
        g = WordGenerator({"image_codec": codec, "color": True})
        s, _ = g.sample_at(0, 0)
        assert s.image.shape == (32, 128, 3)
        assert (s.encoded is None) == (codec == "raw")


def test_tight_crops_are_laid_out_like_a_readers_word_boxes(generators):
    """A tight cut fills tight_crop_height of the crop (or its width), centred, on its border colour."""
    g = _gen(generators, "plain", tight_crop_prob=1.0, tight_crop_pad=[0.0, 0.0], tight_crop_source_height=[1000.0, 1000.0],
             image_background_prob=0.0, procedural_weights=[1, 0, 0, 0, 0], image_codec="png")
    for i in range(30):
        s, _ = g.sample_at(5, i)
        x0, y0 = s.char_quads.reshape(-1, 2).min(0)
        x1, y1 = s.char_quads.reshape(-1, 2).max(0)
        fill = max((y1 - y0) / (0.75 * 32), (x1 - x0) / 126)
        assert 0.85 < fill < 1.05 or len(s.text) < 3, (s.text, fill)  # the cut is the ink box, give or take a pixel
        assert abs((x0 + x1) / 2 - 63.5) < 2.5 and abs((y0 + y1) / 2 - 15.5) < 2.5
        assert s.params["tight_crop"] > 0
        assert np.ptp(s.image[:, 0]) == 0  # one fill colour beside the cut
    plain = _gen(generators, "plain")
    assert all(plain.sample_at(5, i)[0].params["tight_crop"] == 0 for i in range(5))


def test_tight_cuts_of_small_sources_are_enlarged(generators):
    g = _gen(generators, "plain", tight_crop_prob=1.0, tight_crop_source_height=[6.0, 6.0])
    big = _gen(generators, "plain", tight_crop_prob=1.0, tight_crop_source_height=[1000.0, 1000.0])
    small_sharp, big_sharp = [], []
    for i in range(20):
        a, b = g.sample_at(2, i)[0], big.sample_at(2, i)[0]
        assert a.text == b.text
        assert a.params["tight_crop"] == pytest.approx(min(6.0, b.params["tight_crop"]), rel=1e-4)
        small_sharp.append(np.abs(np.diff(a.image.astype(float), axis=1)).mean())
        big_sharp.append(np.abs(np.diff(b.image.astype(float), axis=1)).mean())
    assert np.mean(small_sharp) < 0.8 * np.mean(big_sharp)  # a 6-px source is blurrier once enlarged



def test_small_renders_draw_hinted_glyphs_one_to_one_at_the_asked_size(generators):
    """Small text is the rasteriser's own bitmap, shifted by whole pixels, then laid out as a tight cut."""
    heights = {}
    for h in (8.0, 16.0):
        g = _gen(generators, "plain", small_render_prob=1.0, small_render_height=[h, h], tight_crop_pad=[0.0, 0.0])
        ink = []
        for i in range(20):
            s, _ = g.sample_at(4, i, debug=True)
            assert s.image.shape == (32, 128) and s.params["small_render"] == 1.0
            layer, alpha = s.debug["layer"], s.debug["alpha"]
            assert alpha.shape[0] < 32 if h == 8.0 else True  # drawn on a canvas of the small size
            np.testing.assert_array_equal(np.sort(alpha[alpha > 0]), np.sort(layer.alpha[layer.alpha > 0]))
            assert s.params["font_size"] == layer.font_size
            ink.append(s.params["tight_crop"])
            x0, y0 = s.char_quads.reshape(-1, 2).min(0)
            x1, y1 = s.char_quads.reshape(-1, 2).max(0)
            assert max((y1 - y0) / 24, (x1 - x0) / 126) > 0.85  # enlarged to the reader's layout
        heights[h] = np.median(ink)
    assert 5 < heights[8.0] < 12 and 1.6 < heights[16.0] / heights[8.0] < 2.4
    # off by default, and then the same samples as before the option existed
    plain = _gen(generators, "plain")
    assert all(plain.sample_at(5, i)[0].params["small_render"] == 0 for i in range(5))


def test_tight_crop_box_ink_cuts_at_the_ink_as_annotated_boxes_do(generators, monkeypatch):
    """'quads' keeps the pixel of ground the char quads hold around small ink; 'ink' cuts at the ink itself."""
    import synthgen.generator as G

    cuts = []
    fit_box = G.fx.fit_box
    monkeypatch.setattr(G.fx, "fit_box", lambda img, *a, **k: (cuts.append(img.copy()), fit_box(img, *a, **k))[1])
    # rotated and curved words are resampled: their strokes never cover a whole pixel
    opts = dict(small_render_height=[6.0, 12.0], tight_crop_pad=[0.0, 0.0], curve_prob=0.5)
    quads, ink = _gen(generators, "small", **opts), _gen(generators, "small", tight_crop_box="ink", **opts)
    for i in range(25):
        cuts.clear()
        s, _ = ink.sample_at(9, i, debug=True)
        a, = cuts
        t, _ = quads.sample_at(9, i)
        b = cuts[-1]
        assert s.text == t.text
        alpha = s.debug["alpha"]
        rows, cols = np.nonzero(alpha >= 0.5 * alpha.max())
        if s.params["stroke_width"] == 0:  # the cut is the box of the pixels covered at least half the most
            assert a.shape[:2] == (np.ptp(rows) + 1, np.ptp(cols) + 1), s.text
        assert a.shape[0] <= b.shape[0] - 2 and a.shape[1] <= b.shape[1] - 2, s.text  # a pixel less on every side
    with pytest.raises(ValueError, match="tight_crop_box"):
        WordGenerator({"tight_crop_box": "tight"})


def test_unlabelled_chars_are_drawn_but_left_out_of_label_and_boxes():
    from contracts import char_ink_masks, quad_contains

    g = WordGenerator({**OFF, "unlabelled_chars": "£€"})
    for seed in range(6):
        s = g.make_sample(np.random.default_rng(seed), text="£4.99", debug=True)
        assert s.text == "4.99" and s.char_quads.shape == (4, 4, 2) and len(s.word_quads) == 1
        masks = char_ink_masks(s, 128, 32)
        assert len(masks) == 5  # the pound sign was drawn
        ys, xs = np.nonzero(masks[0] > 64)
        assert len(xs) > 5
        inside = np.zeros(len(xs), bool)
        for q in s.char_quads:
            inside |= quad_contains(q, xs.astype(np.float64), ys.astype(np.float64))
        assert inside.mean() < 0.2  # its ink lies outside every labelled box
        for q, ink in zip(s.char_quads, masks[1:]):  # and the labelled boxes are the digits' own
            ys, xs = np.nonzero(ink > 64)
            assert quad_contains(q, xs.astype(np.float64), ys.astype(np.float64)).mean() > 0.97
    # from a catalog: a word of nothing but unlabelled characters is a counted reject
    g = WordGenerator({**OFF, "unlabelled_chars": "£€"}, titles=["€12,50 £", "£"])
    rejects = {}
    for i in range(20):
        s, r = g.sample_at(0, i)
        assert s.text == "12,50"
        for k, v in r.items():
            rejects[k] = rejects.get(k, 0) + v
    assert rejects.get("only_unlabelled_chars", 0) > 0
    # off by default: the catalog's pound signs are dropped before drawing
    s, _ = WordGenerator(OFF, titles=["£4.99"]).sample_at(0, 0, debug=True)
    assert s.text == "4.99" and len(s.debug["layer"].patches) == 4


def test_tight_crop_box_line_cuts_at_the_text_line_as_detectors_box_words(monkeypatch):
    """'line' measures the cut from the line's ascent..descent: a word of x-height letters keeps the room of its
    missing ascenders and descenders, which 'quads' (the ink's boxes) cuts away; a word with both loses little."""
    import synthgen.generator as G

    cuts = []
    fit_box = G.fx.fit_box
    monkeypatch.setattr(G.fx, "fit_box", lambda img, *a, **k: (cuts.append(img.shape[:2]), fit_box(img, *a, **k))[1])
    opts = {**OFF, "tight_crop_prob": 1.0, "tight_crop_pad": [0.0, 0.0], "tight_crop_source_height": [1000.0, 1000.0],
            "text_height": [0.5, 0.6], "margin": [0.2, 0.2], "case_weights": [1, 0, 0, 0], "height": 64, "width": 256}
    ratios = {}
    for words in (["ocean", "swimmer", "menu", "arrow"], ["hypothetical", "playground", "jumbled", "Highly"]):
        got = []
        for box in ("quads", "line"):
            g = WordGenerator({**opts, "tight_crop_box": box}, titles=words)
            cuts.clear()
            texts = [g.sample_at(3, i)[0].text for i in range(12)]
            got.append((texts, np.array(cuts, float)))
        (tq, q), (tl, line) = got
        assert tq == tl  # the same words, drawn the same way
        assert (line[:, 0] >= q[:, 0]).all() and (line[:, 1] >= q[:, 1] - 2).all()
        ratios[words[0]] = np.median(line[:, 0] / q[:, 0])
    assert ratios["ocean"] > 1.6  # x-height words: the line is about twice their ink
    assert ratios["hypothetical"] < 1.35  # ascenders and descenders fill most of it
    s = WordGenerator({**opts, "tight_crop_box": "line", "tight_crop_pad": [0.1, 0.3]}).sample_at(4, 0)[0]
    assert_valid_sample(s, (64, 256)) and ink_coverage(s, 256, 64).min() >= 0.95


def test_punctuated_words_keep_their_marks_in_label_quads_and_ink():
    g = WordGenerator({**OFF, "punctuation_prob": 1.0, "catalog": None})
    marked = 0
    for i in range(40):
        s, _ = g.sample_at(11, i, debug=True)
        assert_valid_sample(s, (32, 128))
        marked += any(not c.isalnum() and c != " " for c in s.text)
        assert ink_coverage(s, 128, 32).min() >= 0.95, s.text
    assert marked >= 36  # catalog words with marks before, after or around them


def test_typographic_quotes_are_drawn_for_ascii_ones_and_labelled_ascii(monkeypatch):
    import synthgen.generator as G

    assert G.typographic_quotes("\"Fresh\" Levi's ('b')") == "\u201cFresh\u201d Levi\u2019s (\u2018b\u2019)"
    opts = {**OFF, "apostrophe_prob": 1.0, "typographic_prob": 1.0, "case_weights": [1, 1, 1, 1]}
    titles = ["Levi jeans", "Kellogg GLASS", "dress", "plain-words"]
    curly = WordGenerator(opts, titles=titles)
    samples = [curly.sample_at(6, i, debug=True)[0] for i in range(30)]
    monkeypatch.setattr(G, "typographic_quotes", lambda t: t)  # the same draws, straight quotes drawn
    straight = WordGenerator(opts, titles=titles)
    differ = 0
    for i, s in enumerate(samples):
        t = straight.sample_at(6, i)[0]
        assert s.text == t.text and "\u2019" not in s.text  # labelled with the ASCII apostrophe
        assert_valid_sample(s, (32, 128)) and ink_coverage(s, 128, 32).min() >= 0.95, s.text
        if "'" in s.text:
            differ += not np.array_equal(s.image, t.image)
            patches = s.debug["layer"].patches
            assert len(patches) == len(s.text.replace(" ", ""))  # one drawn glyph per labelled character
        else:
            np.testing.assert_array_equal(s.image, t.image)
    assert differ >= 20  # the curly apostrophe is another glyph than the straight one
    # random strings draw from the vocabulary (and unlabelled_chars), never from the typographic forms
    rand = WordGenerator({**opts, "random_text_prob": 1.0, "unlabelled_chars": "\u00a3"}, titles=titles)
    texts = "".join(rand.sample_at(7, i)[0].text for i in range(40))
    assert not set(texts) & set(G.TYPOGRAPHIC) and len(set(texts)) > 40
