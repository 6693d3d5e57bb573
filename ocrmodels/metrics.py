"""Recognition metrics (exact word accuracy, case-insensitive alphanumeric accuracy, character error
rate) and detection metrics (precision, recall, H-mean under the ICDAR 2015 protocol).

Plain Python, NumPy and OpenCV; no framework.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

__all__ = ["alnum_fold", "detection_metrics", "edit_distance", "intersection_area", "iou", "match_detections",
           "polygon_area", "recognition_metrics"]

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


def polygon_area(poly) -> float:
    """Area of a simple polygon ``[k, 2]`` (shoelace), in square pixels."""
    p = np.asarray(poly, np.float64).reshape(-1, 2)
    if len(p) < 3:
        return 0.0
    x, y = p[:, 0], p[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _convex(poly) -> np.ndarray:
    return cv2.convexHull(np.asarray(poly, np.float32).reshape(-1, 1, 2)).reshape(-1, 2)


def intersection_area(a, b) -> float:
    """Area shared by two quads or polygons (each taken as its convex hull; ICDAR boxes are convex)."""
    pa, pb = _convex(a), _convex(b)
    if len(pa) < 3 or len(pb) < 3:
        return 0.0
    area, _ = cv2.intersectConvexConvex(pa, pb)
    return max(0.0, float(area))


def iou(a, b) -> float:
    """Intersection over union of two quads or polygons."""
    inter = intersection_area(a, b)
    union = polygon_area(_convex(a)) + polygon_area(_convex(b)) - inter
    return inter / union if union > 0 else 0.0


def match_detections(gt_quads, detected_quads, *, ignore=None, iou_threshold: float = 0.5,
                     dont_care_overlap: float = 0.5, gt_texts=None, detected_texts=None) -> dict:
    """One image under the ICDAR 2015 protocol.

    A detection more than ``dont_care_overlap`` of whose area lies inside one don't-care ground
    truth (``ignore[i]``) is dropped; the rest are matched one-to-one to the other ground-truth
    boxes, greedily by IoU (largest first), a pair counting when its IoU is at least ``iou_threshold``.
    With ``gt_texts`` and ``detected_texts`` (end to end, the word-spotting protocol without a
    lexicon), a pair counts only when both texts are equal under :func:`alnum_fold`.

    Returns:
        ``{"gt": cared ground-truth boxes, "detections": detections kept, "matched": pairs,
        "pairs": [(gt index, detection index, iou)], "dropped": indices of dropped detections}``.
    """
    gts = [np.asarray(q, np.float32).reshape(-1, 2) for q in gt_quads]
    dets = [np.asarray(q, np.float32).reshape(-1, 2) for q in detected_quads]
    ignore = [False] * len(gts) if ignore is None else [bool(v) for v in ignore]
    if len(ignore) != len(gts):
        raise ValueError(f"ignore needs one flag per ground-truth box. Received: {len(ignore)} for {len(gts)}")
    care = [i for i in range(len(gts)) if not ignore[i]]
    dc = [i for i in range(len(gts)) if ignore[i]]
    dropped, kept = [], []
    for j, d in enumerate(dets):
        area = polygon_area(_convex(d))
        if dc and area > 0 and any(intersection_area(gts[i], d) / area > dont_care_overlap for i in dc):
            dropped.append(j)
        else:
            kept.append(j)
    texts = gt_texts is not None or detected_texts is not None
    if texts and (gt_texts is None or detected_texts is None or len(gt_texts) != len(gts)
                  or len(detected_texts) != len(dets)):
        raise ValueError("gt_texts and detected_texts need one text per box each, or neither.")
    cand = []
    for i in care:
        for j in kept:
            if texts and alnum_fold(str(gt_texts[i])) != alnum_fold(str(detected_texts[j])):
                continue
            v = iou(gts[i], dets[j])
            if v >= iou_threshold:
                cand.append((v, i, j))
    cand.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g, used_d, pairs = set(), set(), []
    for v, i, j in cand:
        if i not in used_g and j not in used_d:
            used_g.add(i)
            used_d.add(j)
            pairs.append((i, j, v))
    return {"gt": len(care), "detections": len(kept), "matched": len(pairs), "pairs": pairs, "dropped": dropped}


def detection_metrics(per_image: list[dict]) -> dict:
    """Precision, recall and H-mean over images from :func:`match_detections` results (counts summed)."""
    g = sum(r["gt"] for r in per_image)
    d = sum(r["detections"] for r in per_image)
    m = sum(r["matched"] for r in per_image)
    p = m / d if d else (1.0 if g == 0 else 0.0)
    r = m / g if g else 1.0
    h = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "hmean": h, "gt": g, "detections": d, "matched": m}
