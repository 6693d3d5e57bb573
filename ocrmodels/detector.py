"""A trained text detector: images of any size or mode in, word quads with scores out.

``load_detector()`` gives the bundled CRAFT detector (trained on synthgen scenes only);
``load_detector(path)`` a ``.keras`` file written by :func:`~ocrmodels.train_detector`.

An image is magnified by ``mag_ratio`` with its aspect kept, its long side capped at
``canvas_size`` (CRAFT's public defaults: 1.5 and 1280), padded to a multiple of 32 with the
ImageNet mean, run through the model, and the maps are turned into word boxes by
:func:`~ocrmodels.postprocess.maps_to_words`, mapped back to the input image's pixels.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import cv2
import keras
import numpy as np

from .craft import craft_size_of
from .data import IMAGENET_MEAN, IMAGENET_STD
from .losses import CRAFTLoss  # noqa: F401  (registers the loss for loading)
from .postprocess import DETECTOR_MAG_RATIO, DETECTOR_THRESHOLDS, maps_to_words
from .precision import computes_in, rebuild_with_policy

__all__ = ["BUNDLED_DETECTOR", "DETECTOR_THRESHOLDS", "Detector", "as_rgb", "draw_overlay", "load_detector",
           "load_detector_model"]

BUNDLED_DETECTOR = Path(__file__).resolve().parent / "weights" / "craft_small.keras"



def load_detector_model(path, *, compile: bool = False) -> keras.Model:
    """A detector ``.keras`` file as a Keras model (safe mode); clear errors for missing or foreign files."""
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"No detector model file at {path}. Pass a .keras file from `ocrmodels train-detector`.")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a Keras model file (.keras). Pass a detector from `ocrmodels train-detector`.")
    try:
        model = keras.saving.load_model(path, compile=compile, safe_mode=True)
    except Exception as e:
        raise ValueError(f"{path} cannot be loaded as a detector ({type(e).__name__}: {str(e)[:200]}). Pass a "
                         "detector from `ocrmodels train-detector`.") from None
    craft_size_of(model)  # raises ValueError for a model that is not a CRAFT detector
    return model


def as_rgb(image, name: str = "image") -> np.ndarray:
    """Any image array (grey, grey+alpha, RGB, RGBA; uint8, uint16, bool or float in 0..1) -> uint8 ``[H, W, 3]``.

    Alpha is composited on white.
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (2, 3, 4)) or img.size == 0:
        raise ValueError(f"{name}: expected an image [H, W], [H, W, 1..4]. Received: shape={img.shape}")
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    elif img.dtype == bool:
        img = img.astype(np.uint8) * 255
    elif img.dtype != np.uint8:
        img = np.clip(np.nan_to_num(np.asarray(img, np.float32)) * 255 + 0.5, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        return np.repeat(img[:, :, None], 3, 2)
    if img.shape[2] in (2, 4):
        a = img[:, :, -1:].astype(np.float32) / 255
        col = img[:, :, :-1]
        if col.shape[2] == 1:
            col = np.repeat(col, 3, 2)
        return (col * a + 255 * (1 - a) + 0.5).astype(np.uint8)
    return np.ascontiguousarray(img)


class Detector:
    """A CRAFT detector: ``detect(images)`` -> per image, a list of ``{"quad", "score"}``.

    Args:
        model: a Keras model built by :func:`~ocrmodels.build_craft` (or loaded from its file).
        canvas_size: longest side an image is magnified to at most.
        mag_ratio: magnification of an image before detection (CRAFT: 1.5).
        text_threshold, link_threshold, low_text: post-processing thresholds (see
            :data:`DETECTOR_THRESHOLDS`).
    """

    def __init__(self, model: keras.Model, *, canvas_size: int = 1280, mag_ratio: float = DETECTOR_MAG_RATIO,
                 text_threshold: float = DETECTOR_THRESHOLDS["text_threshold"],
                 link_threshold: float = DETECTOR_THRESHOLDS["link_threshold"],
                 low_text: float = DETECTOR_THRESHOLDS["low_text"]):
        self.size = craft_size_of(model)
        self.model = model
        if isinstance(canvas_size, bool) or not isinstance(canvas_size, int) or canvas_size < 32:
            raise ValueError(f"canvas_size must be an integer >= 32. Received: canvas_size={canvas_size!r}")
        if not mag_ratio > 0:
            raise ValueError(f"mag_ratio must be positive. Received: mag_ratio={mag_ratio!r}")
        for n, v in (("text_threshold", text_threshold), ("link_threshold", link_threshold), ("low_text", low_text)):
            if not 0 < v < 1:
                raise ValueError(f"{n} must lie in (0, 1). Received: {n}={v!r}")
        self.canvas_size, self.mag_ratio = canvas_size, float(mag_ratio)
        self.thresholds = {"text_threshold": float(text_threshold), "link_threshold": float(link_threshold),
                           "low_text": float(low_text)}
        self._predict = None

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if self._predict is None:
            import tensorflow as tf

            model = self.model
            self._predict = tf.function(lambda t: model(t, training=False), reduce_retracing=True,
                                        input_signature=[tf.TensorSpec((None, None, None, 3), tf.float32)])
        return np.asarray(self._predict(x))

    def prepare(self, image) -> tuple[np.ndarray, float, tuple[int, int]]:
        """``(network input float32 [1, H', W', 3], ratio, (h, w) resized)`` for one image."""
        img = as_rgb(image)
        h, w = img.shape[:2]
        ratio = min(self.mag_ratio * max(h, w), self.canvas_size) / max(h, w)
        rh, rw = max(1, int(round(h * ratio))), max(1, int(round(w * ratio)))
        interp = cv2.INTER_AREA if ratio < 1 else cv2.INTER_LINEAR
        resized = cv2.resize(img, (rw, rh), interpolation=interp) if (rh, rw) != (h, w) else img
        ph, pw = -(-rh // 32) * 32, -(-rw // 32) * 32
        x = np.zeros((1, ph, pw, 3), np.float32)  # zero = the ImageNet mean after normalisation
        x[0, :rh, :rw] = (resized.astype(np.float32) - IMAGENET_MEAN) / IMAGENET_STD
        return x, ratio, (rh, rw)

    def maps(self, image) -> tuple[np.ndarray, np.ndarray, float]:
        """Region and affinity maps (float32, half the resized image) and the resize ratio of one image."""
        x, ratio, (rh, rw) = self.prepare(image)
        y = self._forward(x)[0]
        mh, mw = max(1, (rh + 1) // 2), max(1, (rw + 1) // 2)
        return y[:mh, :mw, 0], y[:mh, :mw, 1], ratio

    def detect(self, images, *, polygons: bool = False, return_maps: bool = False) -> list:
        """Words in each image.

        Args:
            images: arrays of any size and mode (see :func:`as_rgb`), or one array.
            polygons: also give each word its outline (``polygon``, float32 ``[k, 2]``), for curved text.
            return_maps: give ``(words, region, affinity)`` per image instead of ``words``.

        Returns:
            per image, a list of ``{"quad": float32 [4, 2] (clockwise from top-left, input-image
            pixels), "score": float}`` in reading order; an image without text gives ``[]``.
        """
        if isinstance(images, np.ndarray) and images.ndim in (2, 3) and images.dtype != object:
            images = [images]
        results = []
        for img in images:
            h, w = np.asarray(img).shape[:2]
            region, affinity, ratio = self.maps(img)
            words = maps_to_words(region, affinity, polygons=polygons, **self.thresholds)
            for d in words:
                d["quad"] = _to_image(d["quad"], ratio, w, h)
                if polygons:
                    d["polygon"] = _to_image(d["polygon"], ratio, w, h)
            results.append((words, region, affinity) if return_maps else words)
        return results


def _to_image(pts, ratio, w, h):
    p = (np.asarray(pts, np.float32) + 0.5) / np.float32(ratio) - 0.5
    p[:, 0] = np.clip(p[:, 0], -0.5, w - 0.5)
    p[:, 1] = np.clip(p[:, 1], -0.5, h - 0.5)
    return p.astype(np.float32)


def load_detector(path=None, *, compute_dtype: str | None = "float32", **kwargs) -> Detector:
    """The bundled detector, or the ``.keras`` file at ``path``; ``kwargs`` go to :class:`Detector`.

    ``compute_dtype``: ``"float32"`` (default) runs a model saved by a ``--mixed-precision`` training in
    float32 (bfloat16 is emulated, and slow, on CPUs without AVX512-BF16 or AMX); ``None`` keeps the
    file's policy.
    """
    if compute_dtype not in ("float32", None):
        raise ValueError(f"compute_dtype must be 'float32' or None (as saved). Received: compute_dtype={compute_dtype!r}")
    if path is None:
        path = BUNDLED_DETECTOR
        if not path.is_file():
            raise FileNotFoundError(f"No detector weights are bundled at {path}. Pass a model file from "
                                    "`ocrmodels train-detector` (--model M.keras, load_detector('M.keras')), or make "
                                    "the bundled one with `bash recipes/detector.sh`.")
    model = load_detector_model(path)
    if compute_dtype == "float32" and computes_in(model) != {"float32"}:
        model = rebuild_with_policy(model, "float32")
    return Detector(model, **kwargs)


def draw_overlay(image, words, region=None, affinity=None, *, texts=None) -> np.ndarray:
    """uint8 RGB picture: the image with each word's quad (and ``texts``, if given) drawn, beside the
    region (red-yellow) and affinity (cyan) heatmaps resized to the image, when given."""
    img = as_rgb(image).copy()
    h, w = img.shape[:2]
    scale = max(1, int(np.ceil(240 / max(1, min(h, w))))) if max(h, w) < 480 else 1
    if scale > 1:
        img = cv2.resize(img, (w * scale, h * scale), interpolation=cv2.INTER_NEAREST)
    for k, d in enumerate(words):
        q = np.round((np.asarray(d["quad"], np.float32) + 0.5) * scale - 0.5).astype(np.int32)
        cv2.polylines(img, [q.reshape(-1, 1, 2)], True, (0, 220, 0), max(1, scale // 2 + 1), cv2.LINE_AA)
        cv2.circle(img, tuple(int(v) for v in q[0]), max(2, scale), (255, 0, 0), -1)
        if texts is not None and texts[k]:
            org = (int(q[:, 0].min()), max(10, int(q[:, 1].min()) - 3))
            cv2.putText(img, texts[k], org, cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
            cv2.putText(img, texts[k], org, cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 0), 1, cv2.LINE_AA)
    panels = [img]
    H, W = img.shape[:2]
    if region is not None:
        r = cv2.resize(np.clip(np.asarray(region, np.float32), 0, 1), (W, H), interpolation=cv2.INTER_LINEAR)
        heat = cv2.applyColorMap((r * 255).astype(np.uint8), cv2.COLORMAP_HOT)[:, :, ::-1]
        panels.append(heat)
    if affinity is not None:
        a = cv2.resize(np.clip(np.asarray(affinity, np.float32), 0, 1), (W, H), interpolation=cv2.INTER_LINEAR)
        cyan = np.stack([np.zeros_like(a), a, a], -1)
        panels.append((cyan * 255).astype(np.uint8))
    gap = np.full((H, 4, 3), 255, np.uint8)
    out = panels[0]
    for p in panels[1:]:
        out = np.concatenate([out, gap, p], 1)
    return out
