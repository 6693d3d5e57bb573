"""ocrmodels: the Keras side of the project: data adapters over synthgen shards, and models trained on them.

The public names below load their module (and Keras, TensorFlow backend) on first use, so the
command line starts fast; ``import synthgen`` never imports Keras.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "craft": ["CRAFT_SIZES", "build_craft"],
    "crnn": ["CRNN_SIZES", "CharsetOutput", "build_crnn", "model_vocabulary"],
    "ctc": ["CTCLoss", "beam_search_decode", "ctc_loss", "greedy_decode"],
    "data": ["IMAGENET_MEAN", "IMAGENET_STD", "DetectionDataset", "RecognitionDataset", "detection_tf_dataset",
             "encode_labels", "recognition_tf_dataset"],
    "detector": ["BUNDLED_DETECTOR", "Detector", "draw_overlay", "load_detector"],
    "evaluate": ["evaluate_detector", "evaluate_reader", "evaluate_recognizer", "read_gt_jsonl", "read_image",
                 "read_labels_tsv"],
    "attributes": ["ATTRIBUTE_KINDS", "extract_attributes"],
    "export": ["ONNX_PRECISIONS", "OnnxRecognizerModel", "export_recognizer"],
    "losses": ["CRAFTLoss", "craft_loss"],
    "lm": ["CharLM", "ctc_text_probability", "lm_beam_search_decode"],
    "metrics": ["alnum_fold", "detection_metrics", "edit_distance", "iou", "match_detections", "recognition_metrics"],
    "pipeline": ["Reader", "cut_word", "group_lines"],
    "postprocess": ["maps_to_words"],
    "recognizer": ["BUNDLED_RECOGNIZER", "COMPUTE_DTYPES", "DECODERS", "DESKEW_ANGLES", "WIDE_RATIO", "Recognizer", "fit_crop",
                   "load_recognizer", "native_bfloat16", "rebuild_with_width", "skew_slope", "unrotate_crop",
                   "with_compute_dtype"],
    "train": ["train_detector", "train_recognizer"],
}
_MODULE_OF = {name: mod for mod, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    mod = _MODULE_OF.get(name)
    if mod is None:
        raise AttributeError(f"module 'ocrmodels' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
