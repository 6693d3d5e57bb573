"""ocrmodels: the Keras side of the project: data adapters over synthgen shards, and models trained on them.

Importing ``ocrmodels`` imports Keras (TensorFlow backend); ``import synthgen`` never does.
"""

from .crnn import CRNN_SIZES, CharsetOutput, build_crnn, model_vocabulary
from .ctc import CTCLoss, beam_search_decode, ctc_loss, greedy_decode
from .data import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    DetectionDataset,
    RecognitionDataset,
    detection_tf_dataset,
    encode_labels,
    recognition_tf_dataset,
)
from .metrics import alnum_fold, edit_distance, recognition_metrics
from .recognizer import BUNDLED_RECOGNIZER, Recognizer, fit_crop, load_recognizer
from .train import train_recognizer

__all__ = [
    "BUNDLED_RECOGNIZER", "CRNN_SIZES", "CTCLoss", "CharsetOutput", "DetectionDataset", "IMAGENET_MEAN", "IMAGENET_STD",
    "RecognitionDataset", "Recognizer", "alnum_fold", "beam_search_decode", "build_crnn", "ctc_loss",
    "detection_tf_dataset", "edit_distance", "encode_labels", "fit_crop", "greedy_decode", "load_recognizer",
    "model_vocabulary", "recognition_metrics", "recognition_tf_dataset", "train_recognizer",
]
