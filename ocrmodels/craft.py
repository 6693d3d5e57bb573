"""The CRAFT text detector (Baek et al., 2019): a VGG16-BN U-Net with region and affinity heads.

``build_craft("base")`` is the paper's network: VGG16 with batch normalisation up to
``conv5_3``, the dilated ``fc6``/``fc7`` convolutions of its public implementation, a U-Net
decoder of four up-convolution blocks fed by ``conv5_3``, ``conv4_3``, ``conv3_2`` and ``conv2_2``,
and a small head giving two channels, region and affinity, at half the input resolution
(20.8M parameters). ``"small"`` and ``"tiny"`` keep the layout with a quarter and an eighth of
the widths, for CPUs. The input is RGB normalised with the ImageNet mean and std
(:data:`ocrmodels.IMAGENET_MEAN` / ``IMAGENET_STD``), any height and width that are multiples
of 32; the output is float32 ``[B, H/2, W/2, 2]`` in 0..1 (sigmoid), region first.

Only registered Keras layers are used, so ``.keras`` files load with ``safe_mode=True``.
"""

from __future__ import annotations

import keras
from keras import layers

__all__ = ["CRAFT_SIZES", "ResizeLike", "build_craft", "craft_size_of"]

#: width multiplier of each size (1.0: the paper's VGG16-BN widths).
CRAFT_SIZES = {"tiny": 0.125, "small": 0.25, "base": 1.0}

_VGG = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


def _cbr(x, filters, kernel, name, dilation=1):
    x = layers.Conv2D(filters, kernel, padding="same", dilation_rate=dilation, use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


@keras.saving.register_keras_serializable(package="ocrmodels")
class ResizeLike(layers.Layer):
    """Bilinear resize of the first input to the height and width of the second (any, even unknown, sizes)."""

    def call(self, inputs):
        import tensorflow as tf  # keras.ops.image.resize needs static sizes; the project runs on the TF backend

        x, ref = inputs
        # resized in float32 whatever the compute dtype: under XLA, bilinear resizing of bfloat16 has a float32
        # gradient that mixed-precision training rejects
        return tf.cast(tf.image.resize(tf.cast(x, tf.float32), tf.shape(ref)[1:3], method="bilinear"), x.dtype)

    def compute_output_shape(self, input_shapes):
        x, ref = input_shapes
        return (x[0], ref[1], ref[2], x[3])


def _upconv(x, skip, mid, out, name):
    x = ResizeLike(name=f"{name}_up")([x, skip])
    x = layers.Concatenate(name=f"{name}_cat")([x, skip])
    x = _cbr(x, mid, 1, f"{name}_a")
    return _cbr(x, out, 3, f"{name}_b")


def build_craft(size: str = "base", *, input_shape=(None, None, 3), name: str | None = None) -> keras.Model:
    """A CRAFT detector of the given size (weights initialised at random; nothing is downloaded).

    Args:
        size: ``"base"`` (the paper's VGG16-BN, 20.8M parameters), ``"small"`` (a quarter of the
            widths, 1.3M) or ``"tiny"`` (an eighth, 0.33M).
        input_shape: ``(H, W, 3)``; ``None`` sides take any multiple of 32 at call time.

    Returns:
        a ``keras.Model`` from ImageNet-normalised RGB ``[B, H, W, 3]`` to float32 ``[B, H/2, W/2, 2]``
        (region, affinity) in 0..1; its name records the size (``craft_small``).
    """
    if size not in CRAFT_SIZES:
        raise ValueError(f"size must be one of {sorted(CRAFT_SIZES)}. Received: size={size!r}")
    if len(input_shape) != 3 or input_shape[2] != 3:
        raise ValueError(f"input_shape must be (H, W, 3). Received: input_shape={input_shape!r}")
    for side in input_shape[:2]:
        if side is not None and side % 32:
            raise ValueError(f"Input height and width must be multiples of 32. Received: input_shape={input_shape!r}")
    m = CRAFT_SIZES[size]

    def w(c):
        return max(8, int(round(c * m)))

    inp = keras.Input(input_shape, name="image")
    x, feats = inp, []
    for b, widths in enumerate(_VGG, 1):
        if b > 1:
            x = layers.MaxPooling2D(2, name=f"pool{b - 1}")(x)
        for k, c in enumerate(widths, 1):
            x = _cbr(x, w(c), 3, f"conv{b}_{k}")
            if (b, k) in ((2, 2), (3, 2), (4, 3), (5, 3)):
                feats.append(x)  # conv2_2 (1/2), conv3_2 (1/4), conv4_3 (1/8), conv5_3 (1/16)
    # fc6 / fc7 as dilated convolutions (the public CRAFT's slice5), same resolution as conv5_3
    y = layers.MaxPooling2D(3, strides=1, padding="same", name="pool5")(x)
    y = layers.Conv2D(w(1024), 3, padding="same", dilation_rate=6, name="fc6")(y)
    y = layers.Conv2D(w(1024), 1, name="fc7")(y)
    c2, c3, c4, c5 = feats
    y = layers.Concatenate(name="up1_cat")([y, c5])
    y = _cbr(y, w(512), 1, "up1_a")
    y = _cbr(y, w(256), 3, "up1_b")
    y = _upconv(y, c4, w(256), w(128), "up2")
    y = _upconv(y, c3, w(128), w(64), "up3")
    y = _upconv(y, c2, w(64), w(32), "up4")
    for k, c in enumerate((32, 32, 16, 16), 1):
        y = layers.Conv2D(w(c), 3 if k < 4 else 1, padding="same", activation="relu", name=f"head{k}")(y)
    out = layers.Conv2D(2, 1, activation="sigmoid", dtype="float32", name="maps")(y)
    return keras.Model(inp, out, name=name or f"craft_{size}")


def craft_size_of(model: keras.Model) -> str:
    """The :data:`CRAFT_SIZES` entry ``model`` was built as; ``ValueError`` if it is not a CRAFT detector."""
    try:
        first = model.get_layer("conv1_1_conv")
        model.get_layer("maps")
    except ValueError:
        raise ValueError(f"Model {model.name!r} is not a CRAFT detector from ocrmodels.build_craft (it has no "
                         "conv1_1_conv and maps layers). Pass a detector .keras file from "
                         "`ocrmodels train-detector`.") from None
    for size, mult in CRAFT_SIZES.items():
        if first.filters == max(8, int(round(64 * mult))):
            return size
    raise ValueError(f"Model {model.name!r}: conv1_1 has {first.filters} filters, which matches no CRAFT size.")
