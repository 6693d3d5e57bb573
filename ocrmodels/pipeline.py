"""The end-to-end reader: image -> detected words -> upright crops -> recognised text -> lines -> attributes.

:class:`Reader` joins a :class:`~ocrmodels.Detector` and a :class:`~ocrmodels.Recognizer`. Each
detected quad is cut out with a perspective warp (``cv2.warpPerspective``), so rotated, sheared
and vertical words reach the recognizer upright and laid out as it was trained (a tight word
box, :func:`~ocrmodels.fit_crop`); the crops of all images go through the recognizer in batches.
A vertical word is read both ways (turned left and right) and keeps the better reading; a
horizontal word read with low confidence is also tried upside down. Words are grouped into
lines (same direction, overlapping across it, close along it) in reading order, and
:func:`~ocrmodels.attributes.extract_attributes` pulls product attributes from the lines.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from .attributes import extract_attributes
from .detector import Detector, as_rgb, load_detector
from .recognizer import Recognizer, load_recognizer

__all__ = ["Reader", "cut_word", "group_lines"]


def _sides(q: np.ndarray) -> tuple[float, float]:
    """(width along the top/bottom edges, height along the left/right edges) of a quad."""
    w = 0.5 * (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3]))
    h = 0.5 * (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1]))
    return float(w), float(h)


def cut_word(image: np.ndarray, quad, *, turn: int = 0, max_height: int = 64) -> np.ndarray:
    """The word inside ``quad`` (float ``[4, 2]``, clockwise from its top-left corner, image pixels)
    warped to an upright rectangle, then turned by ``turn`` quarter turns counter-clockwise
    (1: a word that reads bottom to top, 3: top to bottom, 2: upside down).

    The crop keeps the quad's own size (its height at most ``max_height`` pixels: larger words are
    shrunk, as the recognizer reads 32 px lines). Returns uint8 ``[h, w, 3]``.
    """
    q = np.asarray(quad, np.float32).reshape(4, 2)
    w, h = _sides(q)
    s = min(1.0, max_height / max(w if turn % 2 else h, 1.0))  # the text's height
    W, H = max(1, int(round(w * s))), max(1, int(round(h * s)))
    # pixel centres at integers: the quad's corners are the crop's outer corners (-0.5 .. W-0.5)
    dst = np.array([[-0.5, -0.5], [W - 0.5, -0.5], [W - 0.5, H - 0.5], [-0.5, H - 0.5]], np.float32)
    m = cv2.getPerspectiveTransform(q, dst)
    crop = cv2.warpPerspective(image, m, (W, H), flags=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    return np.ascontiguousarray(np.rot90(crop, turn)) if turn % 4 else crop


def _reading_frame(q: np.ndarray) -> tuple[np.ndarray, float]:
    """Unit vector along a word (from its top-left to top-right corner) and its height."""
    w, h = _sides(q)
    u = (q[1] - q[0]) + (q[2] - q[3])
    n = float(np.linalg.norm(u))
    return (u / n if n > 0 else np.array([1.0, 0.0])), h


def group_lines(quads) -> list[list[int]]:
    """Words grouped into lines in reading order.

    Words join a line when they run in the same direction (within 20 degrees), overlap across it
    (their centres within 0.6 of the taller one's height of the line's axis), have similar
    heights (at most 2x apart) and lie close along it (a gap under 3 heights). Lines come top to
    bottom (by their first word's top), words along the line's direction.

    Args:
        quads: float ``[n, 4, 2]`` word quads (each clockwise from the word's top-left).

    Returns:
        a list of lines, each a list of word indices.
    """
    quads = [np.asarray(q, np.float32).reshape(4, 2) for q in quads]
    n = len(quads)
    if n == 0:
        return []
    centre = np.array([q.mean(0) for q in quads])
    frames = [_reading_frame(q) for q in quads]
    widths = [_sides(q)[0] for q in quads]
    order = sorted(range(n), key=lambda i: (centre[i][1], centre[i][0]))
    lines: list[list[int]] = []
    for i in order:
        u, h = frames[i]
        best, best_d = None, None
        for li, line in enumerate(lines):
            j = line[-1]
            uj, hj = frames[j]
            if float(u @ uj) < np.cos(np.deg2rad(20)) or max(h, hj) > 2 * max(min(h, hj), 1e-6):
                continue
            v = np.array([-uj[1], uj[0]])
            d = centre[i] - centre[j]
            across = abs(float(d @ v))
            if across > 0.6 * max(h, hj):
                continue
            # gap along the line between the nearest words
            along = min(abs(float((centre[i] - centre[k]) @ uj)) - 0.5 * (widths[i] + widths[k]) for k in line)
            if along > 3 * max(h, hj):
                continue
            if best is None or across < best_d:
                best, best_d = li, across
        if best is None:
            lines.append([i])
        else:
            lines[best].append(i)
    out = []
    for line in lines:
        u = np.mean([frames[i][0] for i in line], 0)
        out.append(sorted(line, key=lambda i: float(centre[i] @ u)))
    out.sort(key=lambda ln: (min(quads[i][:, 1].min() for i in ln), min(quads[i][:, 0].min() for i in ln)))
    return out


class Reader:
    """Detector + recognizer: whole images in, words (quad, text, confidence), lines and attributes out.

    Args:
        detector: a :class:`~ocrmodels.Detector`, a detector ``.keras`` path, or ``None`` for the bundled one.
        recognizer: a :class:`~ocrmodels.Recognizer`, a recognizer ``.keras`` path (or ``.onnx``, see
            :func:`~ocrmodels.export_recognizer`), or ``None`` for the bundled one (loaded in float32: the
            reader reads an image's words a few crops at a time, where bfloat16 is slower).
        decoder, beam_width, lexicon_bonus: the recognizer's decoding (:meth:`Recognizer.recognize`).
        retry_below: a horizontal word read with less confidence is also read upside down, and the
            reading with the higher confidence is kept (recognition costs a small part of a read).
        batch_size: crops per recognizer batch.
        **detector_options: :class:`~ocrmodels.Detector` settings (``canvas_size``, ``mag_ratio``,
            ``text_threshold``, ``link_threshold``, ``low_text``) when the detector is loaded here.
    """

    def __init__(self, detector=None, recognizer=None, *, decoder: str = "lm", beam_width: int = 10,
                 lexicon_bonus: float = 0.0, retry_below: float = 0.9, batch_size: int = 256, **detector_options):
        if detector is None or not isinstance(detector, Detector):
            detector = load_detector(detector, **detector_options)
        elif detector_options:
            raise ValueError(f"Detector options {sorted(detector_options)} apply only when the Reader loads the "
                             "detector; set them on your Detector instead.")
        if recognizer is None or not isinstance(recognizer, Recognizer):
            # float32: an image's words come in batches of a few crops, where bfloat16 is slower even on CPUs that have it
            recognizer = load_recognizer(recognizer, compute_dtype="float32")
        self.detector, self.recognizer = detector, recognizer
        if not lexicon_bonus >= 0:
            raise ValueError(f"lexicon_bonus must be >= 0. Received: lexicon_bonus={lexicon_bonus!r}")
        self.decoder, self.beam_width, self.lexicon_bonus = decoder, int(beam_width), float(lexicon_bonus)
        self.retry_below, self.batch_size = float(retry_below), int(batch_size)
        self.timings = {"detect": 0.0, "cut": 0.0, "recognize": 0.0, "group": 0.0}

    def _recognize(self, crops):
        if not crops:
            return []
        # the reader turns its crops itself; narrow and wide ones are read resized
        return self.recognizer.recognize(crops, batch_size=self.batch_size, decoder=self.decoder,
                                         beam_width=self.beam_width, lexicon_bonus=self.lexicon_bonus,
                                         vertical=None, deskew=None, trim=None)

    def read(self, images, *, attributes: bool = True) -> list[dict]:
        """Read whole images.

        Args:
            images: arrays of any size and mode (grey, RGB, RGBA, 8/16-bit), or one array.
            attributes: also extract product attributes from the lines.

        Returns:
            per image ``{"words": [{"quad": float32 [4, 2], "text": str, "score": float (the
            recognizer's confidence), "detection_score": float}], "lines": [{"words": [indices],
            "text": str}], "attributes": {kind: [...]}}`` (the attribute matches' ``words`` index
            ``words``). An image without text gives empty lists.
        """
        if isinstance(images, np.ndarray) and images.ndim in (2, 3) and images.dtype != object:
            images = [images]
        t0 = time.perf_counter()
        rgbs = [as_rgb(img, f"images[{k}]") for k, img in enumerate(images)]
        dets = [self.detector.detect([img])[0] for img in rgbs]
        t1 = time.perf_counter()
        # one crop per word in the orientation its box suggests, plus the other way for vertical words
        crops, owners = [], []
        for k, (img, words) in enumerate(zip(rgbs, dets)):
            for j, d in enumerate(words):
                w, h = _sides(d["quad"])
                turns = (1, 3) if h > 1.5 * w else (0,)
                for t in turns:
                    crops.append(cut_word(img, d["quad"], turn=t))
                    owners.append((k, j, t))
        t2 = time.perf_counter()
        read = self._recognize(crops)
        best: dict = {}
        for (k, j, t), (text, conf) in zip(owners, read):
            if (k, j) not in best or conf > best[(k, j)][1]:
                best[(k, j)] = (text, float(conf), t)
        retry = [key for key, (_, conf, turn) in best.items() if turn == 0 and conf < self.retry_below]
        if retry:
            again = self._recognize([cut_word(rgbs[k], dets[k][j]["quad"], turn=2) for k, j in retry])
            for (k, j), (text, conf) in zip(retry, again):
                if conf > best[(k, j)][1]:
                    best[(k, j)] = (text, float(conf), 2)
        t3 = time.perf_counter()
        results = []
        for k, words in enumerate(dets):
            out_words = []
            for j, d in enumerate(words):
                text, conf, t = best[(k, j)]
                quad = np.asarray(d["quad"], np.float32)
                if t:  # the reading direction: corners rolled so that corner 0 is the text's top-left
                    quad = np.roll(quad, -t, axis=0)
                out_words.append({"quad": quad, "text": text, "score": conf, "detection_score": float(d["score"])})
            lines = group_lines([w["quad"] for w in out_words])
            item = {"words": out_words,
                    "lines": [{"words": ln, "text": " ".join(out_words[i]["text"] for i in ln)} for ln in lines]}
            if attributes:
                found = extract_attributes([[out_words[i]["text"] for i in ln] for ln in lines])
                flat = [i for ln in lines for i in ln]
                for matches in found.values():
                    for m in matches:
                        m["words"] = [flat[i] for i in m["words"]]
                item["attributes"] = found
            results.append(item)
        t4 = time.perf_counter()
        for key, v in (("detect", t1 - t0), ("cut", t2 - t1), ("recognize", t3 - t2), ("group", t4 - t3)):
            self.timings[key] += v
        return results
