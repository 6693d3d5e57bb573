"""ocrmodels: the Keras side of the project: data adapters over synthgen shards, and models trained on them.

Importing ``ocrmodels`` imports Keras (TensorFlow backend); ``import synthgen`` never does.
"""

from .data import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    DetectionDataset,
    RecognitionDataset,
    detection_tf_dataset,
    encode_labels,
    recognition_tf_dataset,
)

__all__ = ["DetectionDataset", "IMAGENET_MEAN", "IMAGENET_STD", "RecognitionDataset", "detection_tf_dataset",
           "encode_labels", "recognition_tf_dataset"]
