"""A trained recognizer: preprocessing of word crops of any size or mode, prediction, decoding, loading.

``load_recognizer()`` gives the bundled model (trained on synthgen crops only); ``load_recognizer(path)``
a ``.keras`` file written by :func:`~ocrmodels.train_recognizer`, or an ``.onnx`` file written by
:func:`~ocrmodels.export_recognizer` (read with ONNX Runtime).
"""

from __future__ import annotations

import functools
import os
import zipfile
from pathlib import Path

import cv2
import keras
import numpy as np

from synthgen.effects import fit_box, to_grey

from .crnn import CharsetOutput, model_vocabulary  # noqa: F401  (registers the layer for loading)
from .ctc import CTCLoss, beam_search_decode, greedy_decode  # noqa: F401  (registers the loss)
from .metrics import alnum_fold
from .precision import rebuild_with_policy

__all__ = ["BUNDLED_RECOGNIZER", "COMPUTE_DTYPES", "DECODERS", "DESKEW_ANGLES", "WIDE_RATIO", "Recognizer", "fit_crop",
           "load_recognizer", "native_bfloat16", "rebuild_with_width", "skew_slope", "unrotate_crop", "with_compute_dtype"]

#: Decoders of :meth:`Recognizer.recognize`: best path, prefix beam search, and beam search with a character LM.
DECODERS = ("lm", "greedy", "beam")

BUNDLED_RECOGNIZER = Path(__file__).resolve().parent / "weights" / "crnn_small.keras"

#: Angles (degrees, each tried both ways) at which :meth:`Recognizer.recognize` also reads a weakly read crop
#: turned back: the words of photographed scenes are often turned inside an upright cut.
DESKEW_ANGLES = (10.0, 20.0, 30.0, 40.0)
#: Degrees either side of the best of ``DESKEW_ANGLES`` read too (a finer search where it matters).
DESKEW_REFINE = 5.0
#: A weakly read crop wider than tall whose ink slopes clearly one way (:func:`skew_slope` at least this far from 0)
#: is read at the ``DESKEW_ANGLES`` of that way first, and the other way only if none of those reads as well as the
#: ``deskew`` floor; ``None`` reads both ways always.
DESKEW_SIGN = 0.1
#: The share of a crop's height cut off at its top and at its bottom for the second reading of ``trim``.
TRIM_FRACTION = 0.1
#: Crops less high than this (pixels) are never read trimmed: small born-digital words cut tight lose glyph parts.
TRIM_MIN_HEIGHT = 16
#: Width over height beyond which the layout (75% of the height, ``fit_crop``) shrinks a crop to fit 126 of 128 px.
WIDE_RATIO = 126 / 24
#: Crops narrower than this many times their height may be read stretched (see ``stretch`` in ``Recognizer.recognize``).
STRETCH_RATIO = 2.0
#: How many times wider the stretched reading draws a narrow crop.
STRETCH_FACTOR = 2.0
#: Crops at least this many times as wide as high may be read squeezed (see ``squeeze`` in ``Recognizer.recognize``).
SQUEEZE_RATIO = 3.5
#: How many times as wide the squeezed reading draws a wide crop.
SQUEEZE_FACTOR = 0.65
#: The views of a weakly read crop that ``vote`` in ``Recognizer.recognize`` reads: drawn 0.8 and 1.25 times as wide,
#: with ``TRIM_FRACTION`` of its height cut off at the top and the bottom, and padded by an eighth of its height.
VOTE_VIEWS = ("x0.8", "x1.25", "trimmed", "padded")


def rebuild_with_width(model: keras.Model, width: int) -> keras.Model:
    """A CRNN (:func:`~ocrmodels.build_crnn`) rebuilt for ``width``-pixel-wide input (``width / 4 - 1`` time steps),
    the weights copied: the convolutions, LSTMs and output layer hold no width."""
    if width < 8 or width % 4:
        raise ValueError(f"width must be a multiple of 4 and at least 8. Received: width={width}")
    config = model.get_config()
    layers_ = {layer["name"]: layer for layer in config.get("layers", [])}
    inputs = [layer for layer in layers_.values() if layer["class_name"] == "InputLayer"]
    if len(inputs) != 1 or "to_sequence" not in layers_:
        raise ValueError(f"Model {model.name!r} is not a CRNN built by build_crnn (no single input and "
                         "'to_sequence' layer), so it cannot be rebuilt for another width.")
    shape = list(inputs[0]["config"]["batch_shape"])
    inputs[0]["config"]["batch_shape"] = shape[:2] + [width] + shape[3:]
    steps = layers_["to_sequence"]["config"]["target_shape"]
    layers_["to_sequence"]["config"]["target_shape"] = [width // 4 - 1] + list(steps[1:])
    twin = keras.Model.from_config(config)
    twin.set_weights(model.get_weights())
    return twin


def fit_crop(image: np.ndarray, height: int = 32, width: int = 128, *, text_height: float = 0.75) -> np.ndarray:
    """One word crop of any size and mode -> uint8 ``[height, width]`` grey, as the generator lays crops out.

    Colour crops become grey with :func:`synthgen.effects.to_grey` (luma, or the principal colour
    axis when the text differs from its ground by hue more than by luma). A crop of exactly
    ``height x width`` is only converted to grey. Any other crop is taken as a
    tight box around the word: it is scaled, aspect kept, so its height is ``text_height`` of the
    output (less if it would not fit the width), and centred on a canvas filled with the median of
    its border pixels.

    Args:
        image: uint8 (or uint16/float in 0..1) ``[H, W]``, ``[H, W, 1]``, ``[H, W, 3]`` (RGB) or ``[H, W, 4]`` (RGBA).
    """
    img = _grey_crop(image)
    if img.shape == (height, width):
        return img
    return fit_box(img, height, width, text_height)[0]


def _grey_crop(image) -> np.ndarray:
    """A crop of any mode as uint8 ``[H, W]`` grey (see :func:`fit_crop`)."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)) or min(img.shape[:2]) < 1:
        raise ValueError(f"Expected an image [H, W], [H, W, 1], [H, W, 3] or [H, W, 4]. Received: shape={img.shape}")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(np.asarray(img, np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    if img.ndim == 3:
        if img.shape[2] == 4:  # composite on white
            a = img[:, :, 3:4].astype(np.float32) / 255
            img = (img[:, :, :3] * a + 255 * (1 - a)).astype(np.uint8)
        img = to_grey(img)
    return img


def skew_slope(image: np.ndarray) -> float:
    """Which way a word slopes inside its crop: the correlation (-1..1) of the x and y of its ink, the pixels that
    differ from the border's median by more than a quarter of the most any does (on the crop shrunk to at most 64
    px). Above 0 the ink runs from the top left to the bottom right: a word falling to the right, levelled by a
    positive angle of :func:`unrotate_crop`."""
    g = _grey_crop(image)
    h, w = g.shape
    s = min(1.0, 64.0 / max(h, w))
    if s < 1:
        g = cv2.resize(g, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    g = g.astype(np.float32)
    border = np.median(np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]]))
    ink = np.abs(g - border)
    ink = np.maximum(ink - 0.25 * ink.max(), 0)
    total = float(ink.sum())
    if total <= 0:
        return 0.0
    ys, xs = np.mgrid[0 : g.shape[0], 0 : g.shape[1]].astype(np.float32)
    dx = xs - float((ink * xs).sum()) / total
    dy = ys - float((ink * ys).sum()) / total
    sxx, syy, sxy = float((ink * dx * dx).sum()), float((ink * dy * dy).sum()), float((ink * dx * dy).sum())
    return sxy / np.sqrt(sxx * syy) if sxx > 0 and syy > 0 else 0.0


def unrotate_crop(image: np.ndarray, degrees: float, *, min_height: float = 0.2) -> np.ndarray | None:
    """A crop taken as the upright box of a word turned by ``degrees``, turned back and cut to the word's box.

    Photo datasets and loose detectors cut a turned word by the upright box of its quadrilateral: a
    ``w x h`` crop of a word box ``W x H`` turned by ``a`` has ``w = W cos a + H sin a`` and
    ``h = W sin a + H cos a``. This solves for ``W, H``, turns the crop by ``degrees`` about its centre
    (positive: counter-clockwise as displayed, which levels a word that falls to the right) and cuts the
    ``W x H`` box around the centre, edges replicated.

    Returns:
        the levelled crop, or ``None`` when no word at least as wide as tall (and at least ``min_height``
        of the crop's shorter side high) turned by ``degrees`` has this crop as its box: long flat crops
        admit only small angles, and crops taller than wide none (see ``vertical`` in :meth:`Recognizer.recognize`).
    """
    img = np.asarray(image)
    h, w = img.shape[:2]
    a = np.deg2rad(abs(float(degrees)))
    c, s = np.cos(a), np.sin(a)
    d = c * c - s * s
    if not 0 < abs(float(degrees)) < 45 or d <= 0:
        return None
    W, H = (w * c - h * s) / d, (h * c - w * s) / d
    if H < min_height * min(w, h) or W < H or H < 2:
        return None
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), float(degrees), 1.0)
    out_w, out_h = max(1, int(round(W))), max(1, int(round(H)))
    m[0, 2] += (out_w - w) / 2
    m[1, 2] += (out_h - h) / 2
    return cv2.warpAffine(img, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


class Recognizer:
    """A CRNN recognizer with its vocabulary: crops in, ``(text, confidence)`` out.

    Args:
        model: a Keras model built by :func:`~ocrmodels.build_crnn` (or loaded from its ``.keras`` file), or an
            :class:`~ocrmodels.OnnxRecognizerModel` (an exported ``.onnx`` file in ONNX Runtime).
    """

    def __init__(self, model):
        from .export import OnnxRecognizerModel

        if not isinstance(model, (keras.Model, OnnxRecognizerModel)):
            raise TypeError(f"model must be a Keras recognizer or an OnnxRecognizerModel. Received: {type(model).__name__}")
        self.model = model
        self.runtime = "keras" if isinstance(model, keras.Model) else "onnx"
        self.vocabulary = model.vocabulary if self.runtime == "onnx" else model_vocabulary(model)
        _, self.height, self.width, channels = model.input_shape
        if channels != 1:
            raise ValueError(f"Expected a grey-input recognizer. Received: input_shape={model.input_shape}")
        self._predict = None
        self._lm = None
        self._wide_twin = None  # the same weights in a layout twice as wide, built when ``wide`` first needs it

    @property
    def language_model(self):
        """The :class:`~ocrmodels.CharLM` the ``"lm"`` decoder uses: the bundled one (English words and
        the sample catalog, over this model's vocabulary) unless one was set. Assign a
        :class:`~ocrmodels.CharLM` (e.g. ``CharLM.from_files(["my_titles.txt"], alphabet=rec.vocabulary)``)
        to read your own text better."""
        if self._lm is None:
            from .lm import CharLM

            self._lm = CharLM.bundled(self.vocabulary)
        return self._lm

    @language_model.setter
    def language_model(self, lm):
        from .lm import CharLM

        if lm is not None and not isinstance(lm, CharLM):
            raise TypeError(f"language_model must be a CharLM or None (the bundled one). Received: {type(lm).__name__}")
        self._lm = lm

    def preprocess(self, images) -> np.ndarray:
        """Crops (a list of arrays of any size/mode, or one ``[N, H, W(, C)]`` array) -> float32 ``[N, 32, 128, 1]``."""
        x = np.empty((len(images), self.height, self.width, 1), np.float32)
        for i, img in enumerate(images):
            x[i, :, :, 0] = fit_crop(img, self.height, self.width)
        x *= np.float32(1 / 255)
        return x

    def probabilities(self, images, *, batch_size: int = 256) -> np.ndarray:
        """Per-step probabilities float32 ``[N, T, V + 1]`` (blank at 0)."""
        if self._predict is None:
            self._predict = self.model if self.runtime == "onnx" else _tf_function(self.model)
        out = []
        for a in range(0, len(images), batch_size):
            out.append(np.asarray(self._predict(self.preprocess(images[a : a + batch_size]))))
        if not out:
            return np.zeros((0, self.model.output_shape[1], len(self.vocabulary) + 1), np.float32)
        return np.concatenate(out)

    def recognize(self, images, *, batch_size: int = 256, decoder: str = "lm", beam_width: int = 10,
                  lm_weight: float = 0.5, insertion_bonus: float = 1.5, vertical: float | None = 2.0,
                  deskew: float | None = 0.5, deskew_angles=DESKEW_ANGLES, trim: float | None = 0.8,
                  wide: float | None = None, stretch: float | None = 0.8, squeeze: float | None = 0.8,
                  vote: float | None = None, lexicon_bonus: float = 0.0):
        """Texts and confidences of word crops.

        Args:
            images: word crops: uint8 arrays of any size, grey, RGB or RGBA (see :func:`fit_crop`).
            decoder: ``"lm"`` (prefix beam search with :attr:`language_model`, the default),
                ``"greedy"`` (best path, fastest) or ``"beam"`` (prefix beam search, no language model).
            beam_width: prefixes kept per step (``"lm"`` and ``"beam"``).
            lm_weight, insertion_bonus, lexicon_bonus: the ``"lm"`` decoder's fusion weights (see
                :func:`~ocrmodels.lm_beam_search_decode`; ``lexicon_bonus`` favours readings made of the words
                :attr:`language_model` was built from, and numbers).
            vertical: crops at least this many times taller than wide may hold a word turned a quarter
                (a spine, a sign read top to bottom): they are also read turned each way, and a turned
                reading of two or more characters wins when it is more confident per character (the
                geometric mean) than the upright one. ``None`` reads every crop as it is.
            deskew: a crop read with less confidence per character than this (and not already
                ``height x width``, the model's own layout) is also read levelled, taken as the upright
                box of a word turned by each of ``deskew_angles`` both ways (:func:`unrotate_crop`; long flat
                crops admit only small angles); a crop at least as tall as wide is searched turned a quarter
                each way (words turned 50-130 degrees either way), and read just turned too; a crop wider than tall whose
                ink slopes clearly one way (``DESKEW_SIGN``) is read at that way's angles first, and at the other way's
                only if none reaches ``deskew``; the angles are scored by their best path's confidence per
                character, the best one's neighbours ``DESKEW_REFINE`` degrees either side are read too, and
                the best of all, decoded as asked, replaces the upright reading if it has two or more
                characters and is at least ``deskew`` and more confident per character. ``None`` reads
                every crop as it is. Costs up to 10 more network passes (22 for a tall crop; about 4-5 on
                average for a wide one) and one more decoding for each crop it touches.
            deskew_angles: the coarse angles in degrees (each tried both ways, or one way first: ``DESKEW_SIGN``).
            trim: a crop (not in the model's layout, at least ``TRIM_MIN_HEIGHT`` pixels high, and not levelled
                by ``deskew``) whose best path scores less than this per character is read again with
                ``TRIM_FRACTION`` of its height cut off at the top and at the bottom (neighbouring lines, a frame,
                ground the cut took in: photographed words cut loosely), and the trimmed reading, decoded as asked,
                replaces the first if its best path scores more per character. One more network pass for each
                crop it touches. ``None`` reads no crop trimmed.
            wide: a crop (not in the model's layout) at least this many times wider than high is read instead in a
                layout twice as wide (``height x 2 width``, the same weights: twice the time steps), where a long
                word keeps its height rather than being shrunk to fit the width, and neither levelled nor trimmed.
                ``WIDE_RATIO`` is where the layout starts to shrink words. Keras models only (an ONNX file reads
                every crop in its own layout). ``None`` (the default) reads every crop in the model's layout.
            stretch: a crop (not in the model's layout, at least ``TRIM_MIN_HEIGHT`` pixels high, not read as
                ``tall`` or ``wide`` and not levelled by ``deskew``) less than ``STRETCH_RATIO`` times as wide as high
                whose best path scores less than this per character is read again drawn ``STRETCH_FACTOR`` times as
                wide (a short word foreshortened by a sign seen from the side, or set in condensed display type, gets
                the time steps its letters need); if that reading's best path scores more per character it replaces
                the first, and ``trim`` reads the stretched crop. One more network pass for each crop it touches.
                ``None`` reads no crop stretched.
            squeeze: the same for crops at least ``SQUEEZE_RATIO`` times as wide as high, read again drawn
                ``SQUEEZE_FACTOR`` times as wide (words in extended display type, or letter-spaced, whose letters
                the layout draws wider than the model learnt them). ``None`` reads no crop squeezed.
            vote: a crop (not in the model's layout, not read as ``tall`` or ``wide``, not levelled by ``deskew``)
                whose reading so far scores less than this per character is also read in each of ``VOTE_VIEWS``
                (decoded as asked, no second readings), and the text read most often (compared by alphanumeric
                characters, case-folded) among its reading and theirs wins, the most confident reading of that text
                per character breaking ties. Up to ``len(VOTE_VIEWS)`` more network passes for each crop it touches.
                ``None`` votes on no crop.

        Returns:
            a list of ``(text, confidence)``; the confidence is the model's probability of the text
            (for ``"lm"``, summed over all its alignments, without the language model).
        """
        if decoder not in DECODERS:
            raise ValueError(f"decoder must be one of {', '.join(map(repr, DECODERS))}. Received: decoder={decoder!r}")
        if vertical is not None and not vertical >= 1.0:
            raise ValueError(f"vertical must be a height/width ratio >= 1 or None. Received: vertical={vertical!r}")
        if deskew is not None and not 0 < deskew <= 1:
            raise ValueError(f"deskew must be a confidence in (0, 1] or None. Received: deskew={deskew!r}")
        tall = [] if vertical is None else [i for i, im in enumerate(images)
                                            if np.shape(im)[0] >= vertical * np.shape(im)[1]]
        if trim is not None and not 0 < trim <= 1:
            raise ValueError(f"trim must be a confidence in (0, 1] or None. Received: trim={trim!r}")
        if wide is not None and not wide >= 1.0:
            raise ValueError(f"wide must be a width/height ratio >= 1 or None. Received: wide={wide!r}")
        if stretch is not None and not 0 < stretch <= 1:
            raise ValueError(f"stretch must be a confidence in (0, 1] or None. Received: stretch={stretch!r}")
        if squeeze is not None and not 0 < squeeze <= 1:
            raise ValueError(f"squeeze must be a confidence in (0, 1] or None. Received: squeeze={squeeze!r}")
        if vote is not None and not 0 < vote <= 1:
            raise ValueError(f"vote must be a confidence in (0, 1] or None. Received: vote={vote!r}")
        if not lexicon_bonus >= 0:
            raise ValueError(f"lexicon_bonus must be >= 0. Received: lexicon_bonus={lexicon_bonus!r}")
        flat = set() if wide is None or self.runtime != "keras" else {
            i for i, im in enumerate(images)
            if np.shape(im)[:2] != (self.height, self.width) and np.shape(im)[1] >= wide * np.shape(im)[0]}
        decoding = (decoder, beam_width, lm_weight, insertion_bonus, lexicon_bonus)
        if flat:  # read in the wide layout below, not in this one
            rest = [i for i in range(len(images)) if i not in flat]
            probs = np.zeros((len(images), self.model.output_shape[1], len(self.vocabulary) + 1), np.float32)
            read = [("", 0.0)] * len(images)
            if rest:
                probs[rest] = self.probabilities([images[i] for i in rest], batch_size=batch_size)
                for i, reading in zip(rest, self._decode_probs(probs[rest], *decoding)):
                    read[i] = reading
        else:
            probs = self.probabilities(images, batch_size=batch_size)
            read = self._decode_probs(probs, *decoding)
        first = list(read)
        quarter_probs = {}  # (crop, quarter turns) -> probabilities, shared by the deskew search and the vertical pass
        if deskew is not None:
            weak = [i for i, im in enumerate(images) if np.shape(im)[:2] != (self.height, self.width)
                    and i not in flat and _per_char(*read[i]) < deskew]
            self._level(images, weak, read, deskew, deskew_angles, batch_size, quarter_probs, *decoding)
        levelled = {i for i, (a, b) in enumerate(zip(read, first)) if a is not b}
        upright = levelled | flat | set(tall)  # crops the resized readings and the vote leave alone
        if stretch is not None:
            images = self._restretch(images, probs, read, stretch, batch_size, decoding, upright)
        if squeeze is not None:
            images = self._restretch(images, probs, read, squeeze, batch_size, decoding, upright, narrow=False)
        if trim is not None:  # not the crops deskew levelled: their readings are of another cut
            self._retrim(images, probs, read, trim, batch_size, decoding, levelled | flat)
        del probs
        if vote is not None:
            self._vote(images, read, vote, batch_size, decoding, upright)
        if flat:
            order = sorted(flat)
            probs = self._wide().probabilities([images[i] for i in order], batch_size=batch_size)
            for i, reading in zip(order, self._decode_probs(probs, *decoding)):
                read[i] = reading
            del probs
        if tall:
            keys = [(i, k) for i in tall for k in (1, 3)]
            todo = [key for key in keys if key not in quarter_probs]
            if todo:
                probs = self.probabilities([np.ascontiguousarray(np.rot90(images[i], k)) for i, k in todo],
                                           batch_size=batch_size)
                quarter_probs.update(zip(todo, probs))
            again = self._decode_probs(np.stack([quarter_probs[key] for key in keys]), *decoding)
            for j, i in enumerate(tall):
                best = _per_char(*read[i])
                for text, conf in again[2 * j : 2 * j + 2]:
                    score = _per_char(text, conf)
                    if len(text.replace(" ", "")) >= 2 and score > best:
                        read[i], best = (text, conf), score
        return read

    def _wide(self) -> "Recognizer":
        """The same network and weights in a layout twice as wide (built once; see ``wide`` in :meth:`recognize`)."""
        if self._wide_twin is None:
            self._wide_twin = Recognizer(rebuild_with_width(self.model, 2 * self.width))
        return self._wide_twin

    def _restretch(self, images, probs, read, gate, batch_size, decoding, skip, narrow: bool = True):
        """Read again the crops (but those in ``skip``) narrower than ``STRETCH_RATIO`` x their height drawn
        ``STRETCH_FACTOR`` times as wide (``narrow``; see ``stretch`` in :meth:`recognize`), or those at least
        ``SQUEEZE_RATIO`` x as wide as high drawn ``SQUEEZE_FACTOR`` times as wide (see ``squeeze``), when their best
        path (``probs``) scores less than ``gate`` per character; where the new reading's best path scores more,
        update ``probs`` and ``read`` and put the resized crop in its place. Returns the crops."""
        ratio, factor = (STRETCH_RATIO, STRETCH_FACTOR) if narrow else (SQUEEZE_RATIO, SQUEEZE_FACTOR)
        sized = [i for i, im in enumerate(images) if i not in skip and np.shape(im)[:2] != (self.height, self.width)
                 and (np.shape(im)[1] < ratio * np.shape(im)[0]) == narrow and np.shape(im)[0] >= TRIM_MIN_HEIGHT]
        better = self._read_again(images, probs, sized, gate, f"x{factor}", batch_size, decoding)
        if better:
            images = list(images)
            for i, view, p, reading in better:
                images[i], probs[i], read[i] = view, p, reading
        return images

    def _read_again(self, images, probs, sized, gate, view, batch_size, decoding) -> list:
        """The crops of ``sized`` whose first best path (``probs``) scores less than ``gate`` per character, read
        again in ``view`` (a name of :func:`_views`): ``(crop, view, probabilities, reading)`` of each whose new best
        path scores more per character, the reading decoded as asked."""
        if not sized:
            return []
        first = dict(zip(sized, (_per_char(*r) for r in greedy_decode(probs[sized], self.vocabulary))))
        todo = [i for i in sized if first[i] < gate]
        if not todo:
            return []
        views = [_views(np.asarray(images[i]), (view,))[0] for i in todo]
        again = self.probabilities(views, batch_size=batch_size)
        better = [j for j, (text, conf) in enumerate(greedy_decode(again, self.vocabulary))
                  if _per_char(text, conf) > first[todo[j]]]
        if not better:
            return []
        return [(todo[j], views[j], again[j], reading)
                for j, reading in zip(better, self._decode_probs(again[better], *decoding))]

    def _vote(self, images, read, gate, batch_size, decoding, skip):
        """Read the crops (but those in ``skip``) whose reading scores less than ``gate`` per character in each of
        ``VOTE_VIEWS`` too, and keep the text read most often (see ``vote`` in :meth:`recognize`); update ``read``."""
        todo = [i for i, im in enumerate(images) if i not in skip and np.shape(im)[:2] != (self.height, self.width)
                and _per_char(*read[i]) < gate]
        if not todo:
            return
        views, owner = [], []
        for i in todo:
            for view in _views(np.asarray(images[i]), VOTE_VIEWS):
                views.append(view)
                owner.append(i)
        readings = {i: [read[i]] for i in todo}
        for i, reading in zip(owner, self._decode_probs(self.probabilities(views, batch_size=batch_size), *decoding)):
            readings[i].append(reading)
        for i, candidates in readings.items():
            counts = {}
            for text, _ in candidates:
                key = alnum_fold(text)
                counts[key] = counts.get(key, 0) + 1
            read[i] = max(candidates, key=lambda r: (counts[alnum_fold(r[0])], _per_char(*r)))

    def _retrim(self, images, probs, read, gate, batch_size, decoding, skip):
        """Read again, with ``TRIM_FRACTION`` of their height cut off at the top and the bottom, the crops (but
        those in ``skip``) whose first best path (``probs``) scores less than ``gate`` per character (see ``trim``
        in :meth:`recognize`); update ``read``."""
        sized = [i for i, im in enumerate(images) if i not in skip and np.shape(im)[0] >= TRIM_MIN_HEIGHT
                 and np.shape(im)[:2] != (self.height, self.width)]
        for i, _, _, reading in self._read_again(images, probs, sized, gate, "trimmed", batch_size, decoding):
            read[i] = reading

    def _level(self, images, weak, read, floor, angles, batch_size, quarter_probs, *decoding):
        """Read the ``weak`` crops levelled (see ``deskew`` in :meth:`recognize`), updating ``read`` in place
        and keeping the probabilities of plain quarter turns in ``quarter_probs`` (``(crop, turns) -> [T, V+1]``).

        The angles of ``angles`` (both ways) are read and scored by their best path's confidence per
        character; the best one's neighbours ``DESKEW_REFINE`` degrees either side are read too; the best of
        all is decoded with the requested decoder and replaces the upright reading if it has two or more
        characters and is at least ``floor`` and more confident per character than it.
        """
        best = {}  # crop -> (best-path score per character, (quarter turns, degrees), probabilities)

        def score(jobs):
            if not jobs:
                return
            probs = self.probabilities([level for _, _, level in jobs], batch_size=batch_size)
            for (i, key, _), p, (text, conf) in zip(jobs, probs, greedy_decode(probs, self.vocabulary)):
                if key[0] and key[1] == 0:
                    quarter_probs[(i, key[0])] = p
                value = _per_char(text, conf)
                if i not in best or value > best[i][0]:
                    best[i] = (value, key, p)

        quarter = {}

        def views(i):  # a wide crop as it is; one at least as tall as wide turned a quarter each way
            h, w = np.shape(images[i])[:2]
            if w > h:
                return {0: images[i]}
            if i not in quarter:
                quarter[i] = {k: np.ascontiguousarray(np.rot90(images[i], k)) for k in (1, 3)}
            return quarter[i]

        def levelled(i, keys):  # keys: (quarter turns, degrees)
            out = []
            for k, deg in keys:
                level = views(i)[k] if deg == 0 else unrotate_crop(views(i)[k], deg)
                if level is not None:
                    out.append((i, (k, deg), level))
            return out

        ways = {}  # wide crops whose ink slopes clearly one way: read that way first
        if DESKEW_SIGN is not None:
            for i in weak:
                h, w = np.shape(images[i])[:2]
                slope = skew_slope(images[i]) if w > h else 0.0
                if abs(slope) >= DESKEW_SIGN:
                    ways[i] = (1 if slope > 0 else -1,)
        score([job for i in weak for job in levelled(i, [(k, sign * a) for k in views(i) for a in angles
                                                          for sign in ways.get(i, (1, -1))]
                                                     + [(k, 0) for k in views(i) if k])])
        score([job for i, (way,) in ways.items() if i not in best or best[i][0] < floor
               for job in levelled(i, [(0, -way * a) for a in angles])])  # that way read poorly: the other too
        coarse = {sign * a for a in angles for sign in (1, -1)}
        score([job for i, (_, (k, deg), _) in list(best.items())
               for job in levelled(i, [(k, d) for d in (deg - DESKEW_REFINE, deg + DESKEW_REFINE)
                                       if d * deg > 0 and d not in coarse])])
        if not best:
            return
        order = list(best)
        for i, (text, conf) in zip(order, self._decode_probs(np.stack([best[i][2] for i in order]), *decoding)):
            s = _per_char(text, conf)
            if len(text.replace(" ", "")) >= 2 and s >= floor and s > _per_char(*read[i]):
                read[i] = (text, conf)

    def _decode_probs(self, probs, decoder, beam_width, lm_weight, insertion_bonus, lexicon_bonus=0.0):
        lm = self.language_model if decoder == "lm" else None
        if decoder == "greedy":
            return greedy_decode(probs, self.vocabulary)
        if decoder == "beam":
            return beam_search_decode(probs, self.vocabulary, beam_width)
        from .lm import lm_beam_search_decode

        return lm_beam_search_decode(probs, self.vocabulary, lm, beam_width=beam_width, lm_weight=lm_weight,
                                     insertion_bonus=insertion_bonus, lexicon_bonus=lexicon_bonus)

    def save(self, path) -> None:
        """Write the model: a ``.keras`` file (or a copy of the ``.onnx`` file it was read from)."""
        if self.runtime == "onnx":
            import shutil

            if Path(os.fspath(path)).suffix.lower() != ".onnx":
                raise ValueError(f"An ONNX recognizer saves as an .onnx file. Received: {path}")
            shutil.copyfile(self.model.path, path)
            return
        self.model.save(path)


def _views(img: np.ndarray, names) -> list:
    """The views of ``img`` named in ``names``: ``"xF"`` drawn F times as wide, ``"trimmed"`` with ``TRIM_FRACTION`` of
    its height cut off at the top and the bottom (only of crops at least ``TRIM_MIN_HEIGHT`` high), ``"padded"`` by an
    eighth of its height (the second readings of ``stretch``, ``squeeze`` and ``trim``, and ``VOTE_VIEWS``)."""
    h, w = img.shape[:2]
    out = []
    for name in names:
        if name.startswith("x"):
            f = float(name[1:])
            out.append(cv2.resize(img, (max(1, int(round(w * f))), h),
                                  interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR))
        elif name == "trimmed":
            if h >= TRIM_MIN_HEIGHT:
                cut = int(round(TRIM_FRACTION * h))
                out.append(img[cut : h - cut])
        elif name == "padded":
            p = max(1, h // 8)
            out.append(cv2.copyMakeBorder(img, p, p, p, p, cv2.BORDER_REPLICATE))
        else:
            raise ValueError(f"Unknown view {name!r}: expected 'xF' (a width factor), 'trimmed' or 'padded'")
    return out


def _per_char(text: str, conf: float) -> float:
    """A reading's confidence per character (readings of different lengths compare fairly)."""
    return float(conf) ** (1.0 / max(1, len(text.replace(" ", ""))))


def _tf_function(model):
    import tensorflow as tf

    spec = tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32)
    return tf.function(lambda x: model(x, training=False), input_signature=[spec], jit_compile=False)


def load_model_file(path, *, compile: bool = False) -> keras.Model:
    """A ``.keras`` recognizer file -> Keras model, with a clear error for anything else."""
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}. Train one with `ocrmodels train-recognizer` or omit it for the bundled model.")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a Keras model file (.keras, a zip archive). Pass a file written by `ocrmodels train-recognizer`.")
    try:
        return keras.saving.load_model(path, compile=compile)
    except Exception as e:  # Keras raises many kinds for foreign or broken archives
        raise ValueError(f"{path} could not be loaded as a recognizer model: {type(e).__name__}: {e}") from e


#: Compute dtypes :func:`load_recognizer` can run a model in (``None``: as saved in the file).
COMPUTE_DTYPES = ("float32", "mixed_bfloat16")


def with_compute_dtype(model: keras.Model, dtype: str = "float32") -> keras.Model:
    """``model`` rebuilt to compute in ``dtype`` (``"float32"`` or ``"mixed_bfloat16"``), same weights.

    A model trained with ``--mixed-precision`` is saved with the ``mixed_bfloat16`` policy and would
    compute in bfloat16, which only CPUs with AVX512-BF16 or AMX do natively: elsewhere it runs about
    4 times slower than float32. Returns ``model`` itself when every layer already computes in ``dtype``.
    """
    if dtype not in COMPUTE_DTYPES:
        raise ValueError(f"dtype must be one of {COMPUTE_DTYPES}. Received: dtype={dtype!r}")
    compute = "float32" if dtype == "float32" else "bfloat16"
    inner = [layer for layer in model.layers if not isinstance(layer, (CharsetOutput, keras.layers.InputLayer))]
    if all(layer.dtype_policy.compute_dtype == compute for layer in inner):
        return model
    return rebuild_with_policy(model, dtype, float32_classes=("CharsetOutput",))


@functools.lru_cache(maxsize=1)
def native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 natively: an x86 CPU with AVX512-BF16 or AMX (read from Linux's
    ``/proc/cpuinfo``; ``False`` where that cannot be read). Elsewhere TensorFlow emulates bfloat16, about 4 times
    slower than float32."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[-1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def load_recognizer(path=None, *, compute_dtype: str | None = "auto", threads: int | None = None) -> Recognizer:
    """The recognizer at ``path`` (a ``.keras`` file, or an ``.onnx`` file from :func:`~ocrmodels.export_recognizer`),
    or the bundled one.

    Args:
        compute_dtype: for a ``.keras`` file: ``"auto"`` (default: ``"mixed_bfloat16"`` where
            :func:`native_bfloat16`, 1.4-1.6 times as fast there in batches of 64-256 crops and reading within
            0.1 point of float32 on the bundled model's hold-outs, else ``"float32"``), ``"float32"`` (the same
            arithmetic on every CPU, and faster in batches of ten crops or fewer, as a :class:`~ocrmodels.Reader`
            reads an image's words), ``"mixed_bfloat16"`` or ``None`` (as saved in the file). See
            :func:`with_compute_dtype`.
            An ``.onnx`` file computes in the precision it was exported in.
        threads: for an ``.onnx`` file: ONNX Runtime's threads (default: the physical cores). A Keras model
            uses TensorFlow's thread pools (``tf.config.threading``).
    """
    if compute_dtype is not None and compute_dtype not in COMPUTE_DTYPES + ("auto",):
        raise ValueError(f"compute_dtype must be 'auto', one of {COMPUTE_DTYPES} or None (as saved). "
                         f"Received: compute_dtype={compute_dtype!r}")
    if compute_dtype == "auto":
        compute_dtype = "mixed_bfloat16" if native_bfloat16() else "float32"
    from .export import OnnxRecognizerModel, check_threads

    check_threads(threads)
    if path is not None and Path(os.fspath(path)).suffix.lower() == ".onnx":

        model = OnnxRecognizerModel(path, threads=threads)
        try:
            return Recognizer(model)
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None
    model = load_model_file(BUNDLED_RECOGNIZER if path is None else path)
    if compute_dtype is not None:
        model = with_compute_dtype(model, compute_dtype)
    try:
        return Recognizer(model)
    except ValueError as e:
        raise ValueError(f"{path or BUNDLED_RECOGNIZER}: {e}") from None
