"""The CRNN recognizer: conv stack -> 31 time steps -> two BiLSTMs -> per-step softmax over blank + vocabulary.

Input: float32 ``[B, 32, 128, 1]``, grey levels in 0..1. Output: float32 ``[B, 31, V + 1]``
probabilities, index 0 the CTC blank and index ``i`` the ``i``-th vocabulary character.
The vocabulary lives in the output layer's config, so a saved ``.keras`` file carries it.
"""

from __future__ import annotations

import keras
from keras import layers

from synthgen.charset import DEFAULT_CHARSET

__all__ = ["CRNN_SIZES", "CharsetOutput", "build_crnn", "model_vocabulary"]

# conv widths of the 7 conv layers and LSTM units per direction
CRNN_SIZES = {
    "tiny": ((16, 32, 48, 48, 64, 64, 64), 48),
    "small": ((32, 64, 128, 128, 192, 192, 192), 128),
    "base": ((64, 128, 256, 256, 512, 512, 512), 256),  # the CRNN paper's widths
}


@keras.saving.register_keras_serializable(package="ocrmodels")
class CharsetOutput(layers.Dense):
    """Dense layer to ``len(vocabulary) + 1`` softmax outputs (0 = CTC blank) that stores the vocabulary.

    Args:
        vocabulary: the characters of ids 1..V, in order.
    """

    def __init__(self, vocabulary: str, **kwargs):
        if not isinstance(vocabulary, str) or not vocabulary or len(set(vocabulary)) != len(vocabulary):
            raise ValueError(f"vocabulary must be a non-empty string of distinct characters. Received: vocabulary={vocabulary!r}")
        kwargs.pop("units", None)
        kwargs.setdefault("activation", "softmax")
        super().__init__(units=len(vocabulary) + 1, **kwargs)
        self.vocabulary = vocabulary

    def get_config(self):
        config = super().get_config()
        config.pop("units", None)
        config["vocabulary"] = self.vocabulary
        return config


def model_vocabulary(model: keras.Model) -> str:
    """The vocabulary a recognizer model was built with (ids 1..V)."""
    for layer in reversed(model.layers):
        if isinstance(layer, CharsetOutput):
            return layer.vocabulary
    raise ValueError(f"Model {model.name!r} has no CharsetOutput layer, so it is not an ocrmodels recognizer.")


def _conv(x, filters, name, bn):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=not bn, name=f"{name}_conv")(x)
    if bn:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def build_crnn(size: str = "small", vocabulary: str | None = None, *, height: int = 32, width: int = 128,
               dropout: float = 0.2, name: str | None = None) -> keras.Model:
    """The classic CRNN (Shi et al., 2015) for ``height x width`` grey crops.

    Conv stack: 3x3 convs with 2x2 pools twice, then (2, 1) pools that keep the width, and a
    final 2x2 valid conv: ``width / 4 - 1`` time steps (31 for 128). Batch norm after convs 5-7.

    Args:
        size: ``"tiny"``, ``"small"`` or ``"base"`` (see ``CRNN_SIZES``).
        vocabulary: characters of ids 1..V; default: synthgen's 92-character vocabulary.
        height: must be 32 (the stack reduces it to 1).
        width: a multiple of 4; time steps = width / 4 - 1.
        dropout: before the output layer, in training only.
    """
    if size not in CRNN_SIZES:
        raise ValueError(f"size must be one of {sorted(CRNN_SIZES)}. Received: size={size!r}")
    if height != 32:
        raise ValueError(f"The CRNN stack needs 32-pixel-high crops. Received: height={height}")
    if width < 8 or width % 4:
        raise ValueError(f"width must be a multiple of 4 and at least 8. Received: width={width}")
    vocabulary = DEFAULT_CHARSET if vocabulary is None else vocabulary
    convs, units = CRNN_SIZES[size]
    inp = keras.Input((height, width, 1), name="image")
    x = _conv(inp, convs[0], "c1", False)
    x = layers.MaxPooling2D(2, name="p1")(x)  # 16 x 64
    x = _conv(x, convs[1], "c2", False)
    x = layers.MaxPooling2D(2, name="p2")(x)  # 8 x 32
    x = _conv(x, convs[2], "c3", False)
    x = _conv(x, convs[3], "c4", False)
    x = layers.MaxPooling2D((2, 1), name="p3")(x)  # 4 x 32
    x = _conv(x, convs[4], "c5", True)
    x = _conv(x, convs[5], "c6", True)
    x = layers.MaxPooling2D((2, 1), name="p4")(x)  # 2 x 32
    x = layers.Conv2D(convs[6], 2, padding="valid", use_bias=False, name="c7_conv")(x)  # 1 x 31
    x = layers.BatchNormalization(name="c7_bn")(x)
    x = layers.ReLU(name="c7_relu")(x)
    steps = width // 4 - 1
    x = layers.Reshape((steps, convs[6]), name="to_sequence")(x)
    x = layers.Bidirectional(layers.LSTM(units, return_sequences=True), name="bilstm1")(x)
    x = layers.Bidirectional(layers.LSTM(units, return_sequences=True), name="bilstm2")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    out = CharsetOutput(vocabulary, dtype="float32", name="chars")(x)
    return keras.Model(inp, out, name=name or f"crnn_{size}")
