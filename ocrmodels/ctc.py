"""CTC loss (``keras.ops.ctc_loss``) and decoding: best path in NumPy, beam search via ``keras.ops.ctc_decode``.

Conventions: id 0 is the blank, ids 1..V the vocabulary characters; labels are int ``[B, L]``
padded with -1 (as :class:`~ocrmodels.RecognitionDataset` gives them); model outputs are
probabilities ``[B, T, V + 1]``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

__all__ = ["CTCLoss", "beam_search_decode", "ctc_loss", "greedy_decode"]

_EPS = 1e-8


def ctc_loss(y_true, y_pred):
    """Per-sample CTC negative log-likelihood.

    Args:
        y_true: int ``[B, L]`` label ids 1..V, padded with -1 (or any negative value).
        y_pred: float ``[B, T, V + 1]`` per-step probabilities (softmax), blank at index 0.

    Returns:
        float32 ``[B]``.
    """
    y_true = ops.cast(y_true, "int32")
    label_length = ops.sum(ops.cast(y_true > 0, "int32"), axis=-1)
    target = ops.where(y_true > 0, y_true, ops.zeros_like(y_true))
    y_pred = ops.cast(y_pred, "float32")
    batch, steps = ops.shape(y_pred)[0], ops.shape(y_pred)[1]
    output_length = ops.full((batch,), steps, dtype="int32")
    # ctc_loss takes logits: log-probabilities are logits whose log-softmax is themselves
    return ops.ctc_loss(target, ops.log(y_pred + _EPS), label_length, output_length, mask_index=0)


@keras.saving.register_keras_serializable(package="ocrmodels")
class CTCLoss(keras.losses.Loss):
    """:func:`ctc_loss` as a Keras loss (mean over the batch by default)."""

    def __init__(self, name: str = "ctc_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return ctc_loss(y_true, y_pred)


def _check_probs(probs, vocabulary: str) -> np.ndarray:
    probs = np.asarray(probs)
    if probs.ndim != 3 or probs.shape[-1] != len(vocabulary) + 1:
        raise ValueError(
            f"Expected probabilities [batch, steps, {len(vocabulary) + 1}] for a {len(vocabulary)}-character "
            f"vocabulary. Received: probs.shape={probs.shape}"
        )
    return probs


def greedy_decode(probs, vocabulary: str) -> list[tuple[str, float]]:
    """Best-path decoding: the most likely symbol per step, repeats merged, blanks dropped.

    Args:
        probs: float ``[B, T, V + 1]`` per-step probabilities, blank at 0.
        vocabulary: characters of ids 1..V.

    Returns:
        ``(text, confidence)`` per crop; confidence is the best path's probability
        (the product of the per-step maxima), in 0..1.
    """
    probs = _check_probs(probs, vocabulary)
    best = probs.argmax(-1)
    conf = np.exp(np.log(np.maximum(probs.max(-1), _EPS)).sum(-1))
    keep = best != 0
    keep[:, 1:] &= best[:, 1:] != best[:, :-1]
    chars = np.array([""] + list(vocabulary), dtype=object)
    return [("".join(chars[b[k]]), float(c)) for b, k, c in zip(best, keep, conf)]


def beam_search_decode(probs, vocabulary: str, beam_width: int = 10) -> list[tuple[str, float]]:
    """CTC prefix beam search (TensorFlow's decoder through ``keras.ops.ctc_decode``).

    Returns:
        ``(text, confidence)`` per crop; confidence is the probability of the text summed
        over its alignments that the beam kept, in 0..1.
    """
    probs = _check_probs(probs, vocabulary)
    if int(beam_width) < 1:
        raise ValueError(f"beam_width must be at least 1. Received: beam_width={beam_width!r}")
    if len(probs) == 0:
        return []
    lengths = np.full((len(probs),), probs.shape[1], np.int32)
    decoded, scores = ops.ctc_decode(np.log(np.maximum(probs, _EPS)).astype(np.float32), lengths,
                                     strategy="beam_search", beam_width=int(beam_width), top_paths=1, mask_index=0)
    decoded = ops.convert_to_numpy(decoded)[0]
    scores = ops.convert_to_numpy(scores)[:, 0]
    chars = np.array([""] + list(vocabulary), dtype=object)
    return [("".join(chars[d[d > 0]]), float(np.exp(s))) for d, s in zip(decoded, scores)]
