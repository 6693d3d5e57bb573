"""Evaluation: the recognizer on synthgen shards or a ``labels.tsv`` folder of real crops; the detector on
scene shards or a ``gt.jsonl`` folder of real images.

``labels.tsv``: one ``filename<TAB>text`` per line, UTF-8, no header, images beside it or in
``images/`` beside it (as in ICDAR-style word-crop sets).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import cv2
import numpy as np

from .metrics import recognition_metrics

__all__ = ["evaluate_detector", "evaluate_recognizer", "read_gt_jsonl", "read_image", "read_labels_tsv"]


def read_labels_tsv(path) -> tuple[list[Path], list[str]]:
    """``labels.tsv`` -> image paths and texts. Raises ``ValueError`` naming the line of a malformed entry."""
    path = Path(os.fspath(path))
    if path.is_dir():
        path = path / "labels.tsv"
    if not path.is_file():
        raise FileNotFoundError(f"No labels file at {path}. Expected labels.tsv with lines filename<TAB>text.")
    files, texts, empty = [], [], []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise ValueError(f"{path}:{n}: expected filename<TAB>text. Received: {line[:80]!r}")
        name, text = line.split("\t", 1)
        if not name.strip():
            raise ValueError(f"{path}:{n}: an empty file name. Every line needs filename<TAB>text. "
                             f"Received: {line[:80]!r}")
        if not text.strip():
            empty.append(n)
        p = path.parent / name
        if not p.exists() and (path.parent / "images" / name).exists():
            p = path.parent / "images" / name
        files.append(p)
        texts.append(text)
    if not files:
        raise ValueError(f"{path} holds no labelled crop.")
    if empty:
        import warnings

        warnings.warn(f"{path}: {len(empty)} line(s) have an empty label (line {', '.join(map(str, empty[:5]))}"
                      f"{', ...' if len(empty) > 5 else ''}); they count as crops with nothing to read.", stacklevel=2)
    return files, texts


def read_image(path) -> np.ndarray | None:
    """An image file as uint8 grey ``[H, W]``, RGB or RGBA (channel order as named), or None if unreadable."""
    try:
        img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    except cv2.error:  # e.g. a header declaring more pixels than OpenCV decodes
        return None
    if img is not None and img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA if img.shape[2] == 4 else cv2.COLOR_BGR2RGB)
    return img


def _load_tsv(path, limit):
    files, texts = read_labels_tsv(path)
    if limit:
        files, texts = files[:limit], texts[:limit]
    images = [read_image(f) for f in files]
    unreadable = [str(f) for f, img in zip(files, images) if img is None]
    return [f.name for f in files], texts, images, unreadable


def _load_shards(path, limit, height, width):
    from synthgen.dataset import open_dataset
    from synthgen.effects import to_grey

    ds = open_dataset(path)
    if ds.kind != "words":
        raise ValueError(f"{path}: evaluation reads word-crop shards; these hold {ds.kind}.")
    idx = np.arange(min(len(ds), limit) if limit else len(ds))
    rows = ds.read(idx, fields=("image", "text"))
    images = []
    for r in rows:
        img = r["image"]
        if img.shape[:2] != (height, width):
            # a shard crop is a whole layout, not a tight word box: resized whole, as RecognitionDataset
            # feeds it in training (the Recognizer would lay it out as a detected word)
            img = cv2.resize(to_grey(img) if img.ndim == 3 else img, (width, height), interpolation=cv2.INTER_AREA)
        images.append(img)
    return [f"#{i}" for i in idx], [r["text"] for r in rows], images, []


def evaluate_recognizer(recognizer, data, *, batch_size: int = 256, decoder: str = "lm", beam_width: int = 10,
                        limit: int | None = None, worst: int = 20, vertical: float | None = 2.0,
                        deskew: float | None = 0.5, trim: float | None = 0.8, wide: float | None = None,
                        stretch: float | None = 0.8, squeeze: float | None = 0.8,
                        vote: float | None = None, lexicon_bonus: float = 0.0) -> dict:
    """Accuracy and speed of ``recognizer`` on shards or a ``labels.tsv`` set.

    Ground-truth characters outside the model's vocabulary are kept: such a word can never be
    read exactly, and it is counted in ``out_of_vocabulary_words`` (with the characters) rather than
    dropped. Unreadable images count as wrong (empty prediction) and are listed.

    ``vertical``, ``deskew``, ``trim``, ``wide``, ``stretch``, ``squeeze``, ``vote``, ``lexicon_bonus``: as
    :meth:`Recognizer.recognize`
    (tall crops also read turned a quarter; weakly read crops also read levelled, as words turned inside an upright
    cut, and trimmed top and bottom; long flat crops read in a layout twice as wide; weakly read narrow crops also read
    drawn twice as wide, and wide ones narrower; weakly read crops read in more views, the most frequent text
    winning; readings made of the language model's words favoured).

    Returns:
        a JSON-ready dict: ``count``, ``word_accuracy``, ``alnum_accuracy``, ``cer``, ``mean_cer``,
        ``crops_per_second`` (preprocessing, model and decoding), ``out_of_vocabulary_words``,
        ``out_of_vocabulary_chars``, ``unreadable``, ``worst`` (largest edit distances first).
    """
    p = Path(os.fspath(data))
    tsv = p.suffix == ".tsv" or (p.is_dir() and (p / "labels.tsv").is_file())
    if tsv:
        names, texts, images, unreadable = _load_tsv(p, limit)
    else:
        names, texts, images, unreadable = _load_shards(data, limit, recognizer.height, recognizer.width)
    ok = [i for i, im in enumerate(images) if im is not None]
    # warm-up (graph tracing, building the language model), left out of the timing
    recognizer.recognize([np.zeros((32, 128), np.uint8)], decoder=decoder)
    t = time.perf_counter()
    results = recognizer.recognize([images[i] for i in ok], batch_size=batch_size, decoder=decoder, beam_width=beam_width,
                                   vertical=vertical, deskew=deskew, trim=trim, wide=wide, stretch=stretch,
                                   squeeze=squeeze, vote=vote, lexicon_bonus=lexicon_bonus)
    seconds = time.perf_counter() - t
    preds, confs = [""] * len(texts), [0.0] * len(texts)
    for i, (text, conf) in zip(ok, results):
        preds[i], confs[i] = text, conf
    m = recognition_metrics(texts, preds)
    vocab = set(recognizer.vocabulary)
    oov = sorted({c for t in texts for c in t if c not in vocab})
    dist = m.pop("distances")
    order = sorted(range(len(texts)), key=lambda i: (-dist[i] / max(1, len(texts[i])), -dist[i], i))[:worst]
    return {
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()},
        "decoder": decoder,
        "vertical": vertical,
        "deskew": deskew,
        "trim": trim,
        "wide": wide,
        "stretch": stretch,
        "squeeze": squeeze,
        "vote": vote,
        "lexicon_bonus": lexicon_bonus,
        "crops_per_second": round(len(ok) / seconds, 1) if seconds > 0 else None,
        "out_of_vocabulary_words": sum(any(c not in vocab for c in t) for t in texts),
        "out_of_vocabulary_chars": "".join(oov),
        "unreadable": unreadable,
        "worst": [{"image": names[i], "truth": texts[i], "predicted": preds[i], "confidence": round(confs[i], 4),
                   "edit_distance": dist[i]} for i in order],
    }


def read_gt_jsonl(path) -> list[dict]:
    """A detection ground-truth file (``gt.jsonl``: one ``{"image", "words": [{"quad", "ignore"?, "text"?}]}``
    per line) -> its rows, quads as float32 ``[4, 2]``. Raises ``ValueError`` naming the line of a bad entry."""
    import json

    path = Path(os.fspath(path))
    if path.is_dir():
        path = path / "gt.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"No ground-truth file at {path}. Expected gt.jsonl with one JSON object per image.")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("image"), str):
                raise ValueError("no 'image' name")
            words = row.get("words", [])
            if not isinstance(words, list):
                raise ValueError("'words' is not a list")
            for w in words:
                q = np.asarray(w["quad"], np.float32)
                if q.shape != (4, 2) or not np.isfinite(q).all():
                    raise ValueError(f"a quad of shape {q.shape} (expected 4 points [x, y])")
                w["quad"] = q
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path}:{n}: not a ground-truth entry ({e}). Expected {{\"image\": name, \"words\": "
                             f"[{{\"quad\": [[x, y] x4]}}]}}. Received: {line[:80]!r}") from None
        rows.append(row)
    if not rows:
        raise ValueError(f"{path} holds no image.")
    return rows


def _detection_items(data, limit):
    """``(name, image or None, gt quads, ignore flags, gt texts)`` for a gt.jsonl folder or scene shards."""
    p = Path(os.fspath(data))
    if p.name == "gt.jsonl" or (p.is_dir() and (p / "gt.jsonl").is_file()):
        base = p.parent if p.name == "gt.jsonl" else p
        rows = read_gt_jsonl(p)[:limit] if limit else read_gt_jsonl(p)
        for r in rows:
            f = base / "images" / r["image"]
            if not f.exists():
                f = base / r["image"]
            words = r.get("words", [])
            yield (r["image"], read_image(f), [w["quad"] for w in words], [bool(w.get("ignore", False)) for w in words],
                   [str(w.get("text", "")) for w in words])
        return
    from synthgen.dataset import open_dataset

    ds = open_dataset(data)
    if ds.kind != "scenes":
        raise ValueError(f"{data}: detector evaluation reads scene shards (synthgen generate --kind scenes) or a "
                         f"folder with gt.jsonl and images/; these shards hold {ds.kind}.")
    n = min(len(ds), limit) if limit else len(ds)
    for a in range(0, n, 16):
        for r in ds.read(np.arange(a, min(n, a + 16)), fields=("image", "word_quads", "text")):
            q = np.asarray(r["word_quads"], np.float32).reshape(-1, 4, 2)
            yield f"#{r['index']}", r["image"], list(q), [False] * len(q), r["text"].split(" ") if r["text"] else []


def evaluate_detector(detector, data, *, limit: int | None = None, worst: int = 10, iou_threshold: float = 0.5,
                      detections_out=None) -> dict:
    """Precision, recall and H-mean of ``detector`` under the ICDAR 2015 protocol (see
    :func:`~ocrmodels.metrics.match_detections`), on a folder with ``gt.jsonl`` and ``images/``
    (the layout of ``realdev/det``) or on scene shards (their word quads as ground truth).

    Args:
        detections_out: also write the detections as JSON lines (the ``gt.jsonl`` layout, with scores).

    Returns:
        a JSON-ready dict: ``precision``, ``recall``, ``hmean``, ``images``, ``gt``, ``detections``,
        ``matched``, ``images_per_second`` (preprocessing, model and post-processing), ``unreadable``,
        ``worst`` (images by H-mean, lowest first).
    """
    import json

    from .metrics import detection_metrics, match_detections

    per_image, names, unreadable, seconds = [], [], [], 0.0
    detector.detect([np.zeros((64, 64, 3), np.uint8)])  # warm-up (tracing), left out of the timing
    sink = open(detections_out, "w", encoding="utf-8") if detections_out else None
    try:
        for name, img, gt, ignore, _ in _detection_items(data, limit):
            if img is None:
                unreadable.append(name)
                words = []
            else:
                t = time.perf_counter()
                words = detector.detect([img])[0]
                seconds += time.perf_counter() - t
            r = match_detections(gt, [w["quad"] for w in words], ignore=ignore, iou_threshold=iou_threshold)
            per_image.append(r)
            names.append(name)
            if sink is not None:
                h, w = (img.shape[:2] if img is not None else (0, 0))
                sink.write(json.dumps({"image": name, "width": int(w), "height": int(h),
                                       "words": [{"quad": np.round(d["quad"], 2).tolist(), "score": round(d["score"], 4)}
                                                 for d in words]}) + "\n")
    finally:
        if sink is not None:
            sink.close()
    m = detection_metrics(per_image)
    done = len(per_image) - len(unreadable)
    return {
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()},
        "images": len(per_image),
        "iou_threshold": iou_threshold,
        "images_per_second": round(done / seconds, 2) if seconds > 0 else None,
        "unreadable": unreadable,
        "worst": _worst_images(names, per_image, worst),
    }


def _worst_images(names, per_image, worst: int) -> list[dict]:
    """The ``worst`` images by H-mean (lowest first; among equals, more ground truth first)."""
    from .metrics import detection_metrics

    scored = sorted(((detection_metrics([r])["hmean"], name, r) for name, r in zip(names, per_image)),
                    key=lambda t: (t[0], -t[2]["gt"], t[1]))
    return [{"image": name, "hmean": round(h, 4), "gt": r["gt"], "detections": r["detections"],
             "matched": r["matched"]} for h, name, r in scored[:worst]]


def _scene_attributes(data, limit):
    """The attributes each scene's info blocks state (scene shards that record them), else None."""
    p = Path(os.fspath(data))
    if p.name == "gt.jsonl" or (p.is_dir() and (p / "gt.jsonl").is_file()):
        return None
    from synthgen import ShardError
    from synthgen.dataset import open_dataset

    ds = open_dataset(data)
    if ds.kind != "scenes":
        return None
    n = min(len(ds), limit) if limit else len(ds)
    try:
        return [r["attributes"] for r in ds.read(np.arange(n), fields=("attributes",))]
    except ShardError:  # shards made before scenes recorded attributes
        return None


def evaluate_reader(reader, data, *, limit: int | None = None, worst: int = 10, iou_threshold: float = 0.5,
                    results_out=None) -> dict:
    """End-to-end precision, recall and H-mean of a :class:`~ocrmodels.Reader`: a word counts when its
    box matches a ground-truth box (IoU >= ``iou_threshold``, one-to-one, don't-care boxes as in
    :func:`evaluate_detector`) and its text equals the ground truth's, case-insensitively over
    ``[0-9a-z]`` (the ICDAR word-spotting protocol without a lexicon). ``data``: a folder with
    ``gt.jsonl`` (with ``text``) and ``images/``, or scene shards.

    Returns:
        a JSON-ready dict: ``precision``, ``recall``, ``hmean``, ``gt``, ``detections``, ``matched``,
        ``detection`` (the same figures ignoring the text), ``attributes`` (scene shards that record
        the attributes their info blocks state: precision, recall and F1 of the extracted attributes per
        kind and over all, compared by :func:`~ocrmodels.attributes.attribute_key`), ``images``,
        ``images_per_second``, ``seconds`` (detection, cutting, recognition, grouping), ``unreadable``, ``worst``.
    """
    import json

    from .attributes import ATTRIBUTE_KINDS, attribute_key
    from .metrics import detection_metrics, match_detections

    per_image, per_det, names, unreadable, seconds = [], [], [], [], 0.0
    attr_counts = {k: [0, 0, 0] for k in ATTRIBUTE_KINDS}  # truth, found, matched
    truths = _scene_attributes(data, limit)
    reader.read([np.zeros((64, 64, 3), np.uint8)], attributes=False)  # warm-up, left out of the timing
    for k in reader.timings:
        reader.timings[k] = 0.0
    sink = open(results_out, "w", encoding="utf-8") if results_out else None
    try:
        for name, img, gt, ignore, texts in _detection_items(data, limit):
            if img is None:
                unreadable.append(name)
                words = []
            else:
                t = time.perf_counter()
                res = reader.read([img], attributes=truths is not None)[0]
                seconds += time.perf_counter() - t
                words = res["words"]
                if truths is not None:
                    want = {attribute_key(a["kind"], a) for a in truths[len(names)]}
                    got = {attribute_key(k, m) for k, ms in res["attributes"].items() for m in ms}
                    for kind in ATTRIBUTE_KINDS:
                        w_k, g_k = {x for x in want if x[0] == kind}, {x for x in got if x[0] == kind}
                        attr_counts[kind][0] += len(w_k)
                        attr_counts[kind][1] += len(g_k)
                        attr_counts[kind][2] += len(w_k & g_k)
            quads = [w["quad"] for w in words]
            per_image.append(match_detections(gt, quads, ignore=ignore, iou_threshold=iou_threshold, gt_texts=texts,
                                              detected_texts=[w["text"] for w in words]))
            per_det.append(match_detections(gt, quads, ignore=ignore, iou_threshold=iou_threshold))
            names.append(name)
            if sink is not None:
                h, w = (img.shape[:2] if img is not None else (0, 0))
                sink.write(json.dumps({"image": name, "width": int(w), "height": int(h),
                                       "words": [{"quad": np.round(d["quad"], 2).tolist(), "text": d["text"],
                                                  "score": round(d["score"], 4)} for d in words]}) + "\n")
    finally:
        if sink is not None:
            sink.close()
    m = detection_metrics(per_image)
    d = detection_metrics(per_det)
    done = len(per_image) - len(unreadable)
    attrs = None
    if truths is not None:
        attrs = {}
        counts = list(attr_counts.items()) + [("all", [sum(v[i] for v in attr_counts.values()) for i in range(3)])]
        for kind, (nt, nf, nm) in counts:
            a = detection_metrics([{"gt": nt, "detections": nf, "matched": nm}])  # the same counting, for attributes
            attrs[kind] = {"precision": round(a["precision"], 4), "recall": round(a["recall"], 4),
                           "f1": round(a["hmean"], 4), "truth": nt, "found": nf}
    return {
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()},
        "detection": {k: round(d[k], 4) for k in ("precision", "recall", "hmean")},
        **({"attributes": attrs} if attrs is not None else {}),
        "images": len(per_image),
        "iou_threshold": iou_threshold,
        "images_per_second": round(done / seconds, 2) if seconds > 0 else None,
        "seconds": {k: round(v, 2) for k, v in reader.timings.items()},
        "unreadable": unreadable,
        "worst": _worst_images(names, per_image, worst),
    }
