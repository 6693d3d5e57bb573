"""CRAFT's loss: per-pixel MSE on the region and affinity maps with online hard-negative mining.

For each sample and each map, every positive pixel (ground truth above ``positive_threshold``)
counts, plus the ``negative_ratio`` times as many negative pixels with the largest squared
error (the hardest ones); a map without a positive pixel counts its ``min_negatives`` hardest
negatives, so crops without text still teach the model to stay quiet. The loss of a map is the
mean squared error over the pixels chosen; a sample's loss is the mean over its two maps.
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["craft_loss", "CRAFTLoss"]


def craft_loss(y_true, y_pred, *, negative_ratio: float = 3.0, min_negatives: int = 500,
               positive_threshold: float = 0.1):
    """Hard-negative-mined MSE.

    Args:
        y_true, y_pred: float ``[B, H, W, C]`` maps in 0..1 (C = 2: region, affinity).
        negative_ratio: hardest negatives kept per positive pixel.
        min_negatives: hardest negatives kept in a map without positive pixels.
        positive_threshold: ground-truth value above which a pixel is positive.

    Returns:
        float32 ``[B]``: each sample's loss.
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.cast(y_pred, "float32")
    b = ops.shape(y_true)[0]
    c = ops.shape(y_true)[-1]
    yt = ops.transpose(ops.reshape(y_true, (b, -1, c)), (0, 2, 1))  # [B, C, N]
    yp = ops.transpose(ops.reshape(y_pred, (b, -1, c)), (0, 2, 1))
    n = ops.shape(yt)[-1]
    err = ops.square(yp - yt)
    pos = ops.cast(yt > positive_threshold, "float32")
    n_pos = ops.sum(pos, -1)  # [B, C]
    n_neg = ops.cast(n, "float32") - n_pos
    k = ops.where(n_pos > 0, ops.minimum(negative_ratio * n_pos, n_neg), ops.minimum(float(min_negatives), n_neg))
    neg_err = ops.where(pos > 0, -1.0, err)  # positives sort last
    ranked = ops.flip(ops.sort(neg_err, axis=-1), axis=-1)  # hardest first
    rank = ops.cast(ops.arange(n), "float32")
    chosen = ops.cast(rank[None, None, :] < k[..., None], "float32")
    neg_sum = ops.sum(ranked * chosen, -1)
    pos_sum = ops.sum(err * pos, -1)
    per_map = (pos_sum + neg_sum) / ops.maximum(n_pos + k, 1.0)
    return ops.mean(per_map, -1)


@keras.saving.register_keras_serializable(package="ocrmodels")
class CRAFTLoss(keras.losses.Loss):
    """:func:`craft_loss` as a Keras loss; the constructor arguments are its options."""

    def __init__(self, negative_ratio: float = 3.0, min_negatives: int = 500, positive_threshold: float = 0.1,
                 name: str = "craft_loss", reduction: str = "sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not negative_ratio >= 0:
            raise ValueError(f"negative_ratio must be 0 or more. Received: negative_ratio={negative_ratio!r}")
        if int(min_negatives) < 0:
            raise ValueError(f"min_negatives must be 0 or more. Received: min_negatives={min_negatives!r}")
        self.negative_ratio = float(negative_ratio)
        self.min_negatives = int(min_negatives)
        self.positive_threshold = float(positive_threshold)

    def call(self, y_true, y_pred):
        return craft_loss(y_true, y_pred, negative_ratio=self.negative_ratio, min_negatives=self.min_negatives,
                          positive_threshold=self.positive_threshold)

    def get_config(self):
        return {**super().get_config(), "negative_ratio": self.negative_ratio, "min_negatives": self.min_negatives,
                "positive_threshold": self.positive_threshold}
