"""Rebuilding a saved model to compute in another precision.

A model trained with ``--mixed-precision`` is saved with Keras' ``mixed_bfloat16`` policy and computes in
bfloat16 wherever it is loaded. Only CPUs with AVX512-BF16 or AMX do that natively; elsewhere it is emulated
and inference runs several times slower than in float32, with the same weights.
"""

from __future__ import annotations

import keras

__all__ = ["computes_in", "rebuild_with_policy"]


def computes_in(model: keras.Model) -> set:
    """The compute dtypes of ``model``'s layers (input layers left out)."""
    return {layer.dtype_policy.compute_dtype for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)}


def rebuild_with_policy(model: keras.Model, policy: str, *, float32_classes: tuple = ()) -> keras.Model:
    """A functional ``model`` rebuilt from its config with every layer's dtype policy set to ``policy``
    (``"float32"`` or ``"mixed_bfloat16"``), the weights copied; layers of ``float32_classes`` (class names)
    stay float32 (an output softmax, as models are built for mixed precision)."""

    def walk(node):
        if isinstance(node, dict):
            return {k: (_with_policy(v, policy) if k == "dtype" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    config = walk(model.get_config())
    for layer in config["layers"]:
        if layer["class_name"] in float32_classes:
            layer["config"]["dtype"] = _with_policy(layer["config"]["dtype"], "float32")
    twin = keras.Model.from_config(config)
    twin.set_weights(model.get_weights())
    return twin


def _with_policy(value, policy):
    if isinstance(value, dict) and value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
        return {**value, "config": {**value["config"], "name": policy}}
    return value  # a plain tensor dtype (an input layer's), not a policy
