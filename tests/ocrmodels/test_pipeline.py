"""The end-to-end reader: upright crops from any quad, lines in reading order, and reading through a Reader."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocrmodels.detector import Detector
from ocrmodels.pipeline import Reader, cut_word, group_lines

FONT = Path(__file__).resolve().parents[2] / "fonts" / "open-sans" / "OpenSans-Regular.ttf"


def _word(text="Shampoo", size=40):
    """A clean word image (black on white) and its box, cut tight with a small margin."""
    font = ImageFont.truetype(str(FONT), size)
    x0, y0, x1, y1 = font.getbbox(text)
    pad = 4
    img = Image.new("RGB", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), "white")
    ImageDraw.Draw(img).text((pad - x0, pad - y0), text, font=font, fill="black")
    return np.asarray(img)


def _place(word, angle, canvas=(400, 400)):
    """``word`` rotated by ``angle`` degrees (counter-clockwise) in a white canvas, and its quad there
    (corner 0 the text's own top-left, then clockwise as the text runs)."""
    h, w = word.shape[:2]
    H, W = canvas
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[:, 2] += (W / 2 - w / 2, H / 2 - h / 2)
    img = cv2.warpAffine(word, m, (W, H), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    corners = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    quad = corners @ m[:, :2].T + m[:, 2]  # warpAffine's convention: pixel centres at integers
    return img, quad.astype(np.float32)


def _box_order(quad):
    """The quad as a detector gives it: the same box, corner 0 the one at the image's top-left."""
    k = int(np.argmin(quad.sum(1)))
    return np.roll(quad, -k, axis=0)


@pytest.mark.parametrize("angle", [0, 25, -40, 90, -90, 180])
def test_cut_word_gives_the_word_upright(angle):
    word = _word()
    img, quad = _place(word, angle)
    crop = cut_word(img, quad)
    assert abs(crop.shape[0] - word.shape[0]) <= 1 and abs(crop.shape[1] - word.shape[1]) <= 1
    crop = cv2.resize(crop, (word.shape[1], word.shape[0]))
    a = cv2.cvtColor(word, cv2.COLOR_RGB2GRAY).astype(np.float32).ravel()
    b = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32).ravel()
    assert np.corrcoef(a, b)[0, 1] > 0.9


def test_cut_word_turns_and_shrinks():
    word = _word(size=120)
    img, quad = _place(word, 90, canvas=(700, 700))
    box = _box_order(quad)  # as a detector gives a vertical word: tall box, corner 0 at its top-left
    up = cut_word(img, box, turn=3)  # the word reads bottom to top: a quarter turn clockwise
    assert up.shape[0] == 64 and up.shape[1] > up.shape[0]  # shrunk to the recognizer's scale, upright
    ref = cv2.resize(cv2.cvtColor(word, cv2.COLOR_RGB2GRAY), (up.shape[1], up.shape[0]), interpolation=cv2.INTER_AREA)
    assert np.corrcoef(ref.ravel().astype(float), cv2.cvtColor(up, cv2.COLOR_RGB2GRAY).ravel().astype(float))[0, 1] > 0.9


def test_group_lines_in_reading_order():
    def box(x, y, w, h):
        return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)

    quads = [box(120, 12, 60, 20), box(10, 10, 100, 22), box(10, 50, 40, 20), box(60, 52, 50, 20),
             box(400, 11, 50, 20),  # far to the right of line 1: its own line
             box(10, 200, 30, 8)]   # small print below
    assert group_lines(quads) == [[1, 0], [4], [2, 3], [5]]
    # the same two lines rotated by 30 degrees stay two lines, words in order along them
    m = cv2.getRotationMatrix2D((0, 0), 30, 1.0)
    rot = [(q @ m[:, :2].T + m[:, 2]).astype(np.float32) for q in quads[:4]]
    lines = group_lines(rot)
    assert sorted(map(tuple, lines)) == sorted([(1, 0), (2, 3)])
    assert group_lines([]) == []


class _Oracle(Detector):
    """Gives fixed quads (the boxes a perfect detector would give), so the reader's own part is tested."""

    def __init__(self, quads):
        self.quads = quads

    def detect(self, images, **kwargs):
        return [[{"quad": q, "score": 1.0} for q in self.quads] for _ in images]


@pytest.fixture(scope="module")
def recognizer():
    from ocrmodels import load_recognizer

    return load_recognizer()


@pytest.mark.parametrize("angle", [0, 90, -90, 180])
def test_reader_reads_words_in_any_orientation(recognizer, angle):
    word = _word("Shampoo")
    img, quad = _place(word, angle)
    reader = Reader(_Oracle([_box_order(quad)]), recognizer, decoder="greedy")
    out = reader.read(img)[0]
    assert [w["text"] for w in out["words"]] == ["Shampoo"]
    got = out["words"][0]["quad"]
    assert np.abs(got - quad).max() < 1.0  # corner 0 is the text's own top-left
    assert out["lines"] == [{"words": [0], "text": "Shampoo"}]


def test_reader_gives_lines_and_attributes(recognizer):
    canvas = np.full((160, 420, 3), 255, np.uint8)
    quads = []
    for text, (x, y) in (("Oat", (10, 10)), ("Milk", (100, 10)), ("500", (10, 90)), ("ml", (120, 90))):
        w = _word(text)
        canvas[y:y + w.shape[0], x:x + w.shape[1]] = w
        quads.append(np.array([[x - 0.5, y - 0.5], [x + w.shape[1] - 0.5, y - 0.5],
                               [x + w.shape[1] - 0.5, y + w.shape[0] - 0.5], [x - 0.5, y + w.shape[0] - 0.5]], np.float32))
    out = Reader(_Oracle(quads), recognizer).read([canvas])[0]
    assert [ln["text"] for ln in out["lines"]] == ["Oat Milk", "500 ml"]
    q = out["attributes"]["quantity"]
    assert [(a["value"], a["unit"], a["words"]) for a in q] == [(500.0, "ml", [2, 3])]
    assert all(out["attributes"][k] == [] for k in ("price", "date", "lot"))
    nothing = Reader(_Oracle([]), recognizer).read([canvas])[0]
    assert nothing["words"] == [] and nothing["lines"] == [] and all(v == [] for v in nothing["attributes"].values())
    known = Reader(_Oracle(quads), recognizer, beam_width=20, lexicon_bonus=1.0)
    assert [ln["text"] for ln in known.read([canvas])[0]["lines"]] == ["Oat Milk", "500 ml"]
    with pytest.raises(ValueError, match="lexicon_bonus"):
        Reader(_Oracle(quads), recognizer, lexicon_bonus=-1)



@pytest.fixture(scope="module")
def bundled_reader(recognizer):
    from ocrmodels import load_detector

    return Reader(load_detector(), recognizer)


def test_bundled_reader_reads_a_synthetic_scene_end_to_end(bundled_reader):
    from ocrmodels.metrics import match_detections
    from synthgen import SceneGenerator

    gen = SceneGenerator({"text_size": [18.0, 40.0], "blocks": [2, 4], "distractors": [0, 1]})
    matched = total = 0
    for i in range(3):
        scene, _ = gen.sample_at(5, i)
        page = bundled_reader.read([scene.image])[0]
        assert all(w["quad"].shape == (4, 2) and isinstance(w["text"], str) for w in page["words"])
        m = match_detections(list(scene.word_quads), [w["quad"] for w in page["words"]],
                             gt_texts=scene.words, detected_texts=[w["text"] for w in page["words"]])
        matched += m["matched"]  # boxes at IoU >= 0.5 whose text is read right
        total += len(scene.words)
    assert matched >= 0.5 * total, (matched, total)


def test_bundled_reader_finds_nothing_where_there_is_no_text(bundled_reader):
    rng = np.random.default_rng(0)
    flat = np.full((300, 400, 3), 230, np.uint8)
    noise = cv2.GaussianBlur(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8), (0, 0), 4)
    for img in (flat, noise):
        page = bundled_reader.read([img])[0]
        assert page["words"] == [] and page["lines"] == [] and all(v == [] for v in page["attributes"].values())


def test_the_reader_loads_its_recognizer_in_float32_even_where_bfloat16_is_native(monkeypatch):
    import ocrmodels.recognizer as recognizer
    from ocrmodels.precision import computes_in

    monkeypatch.setattr(recognizer, "native_bfloat16", lambda: True)
    assert computes_in(recognizer.load_recognizer().model) >= {"bfloat16"}  # what "auto" picks for batches
    reader = Reader(_Oracle([]), None)  # an image's words come a few at a time, where bfloat16 is slower
    assert computes_in(reader.recognizer.model) == {"float32"}
