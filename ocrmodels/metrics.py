"""Recognition metrics: exact word accuracy, case-insensitive alphanumeric accuracy, character error rate.

Plain Python and NumPy; no framework.
"""

from __future__ import annotations

import re

__all__ = ["alnum_fold", "edit_distance", "recognition_metrics"]

_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def alnum_fold(text: str) -> str:
    """The usual scene-text protocol's form of a word: lower case, only ``[0-9a-z]`` kept."""
    return _NOT_ALNUM.sub("", text.lower())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions, each cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def recognition_metrics(truth: list[str], predicted: list[str]) -> dict:
    """Accuracy figures of predicted words against ground truth.

    Returns:
        ``count``; ``word_accuracy`` (exact match); ``alnum_accuracy`` (case-insensitive, only
        ``[0-9a-z]`` compared); ``cer`` (edit operations / ground-truth characters, over all crops);
        ``mean_cer`` (per crop, each divided by its ground-truth length, capped at 1, averaged);
        ``distances``: the per-crop edit distances.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"truth and predicted differ in length. Received: {len(truth)} and {len(predicted)}")
    n = len(truth)
    dist = [edit_distance(t, p) for t, p in zip(truth, predicted)]
    chars = sum(len(t) for t in truth)
    return {
        "count": n,
        "word_accuracy": sum(t == p for t, p in zip(truth, predicted)) / n if n else 0.0,
        "alnum_accuracy": sum(alnum_fold(t) == alnum_fold(p) for t, p in zip(truth, predicted)) / n if n else 0.0,
        "cer": sum(dist) / chars if chars else 0.0,
        "mean_cer": sum(min(1.0, d / max(1, len(t))) for d, t in zip(dist, truth)) / n if n else 0.0,
        "distances": dist,
    }
