"""Recognizer evaluation on synthgen shards or on a ``labels.tsv`` folder of real crops.

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

__all__ = ["evaluate_recognizer", "read_image", "read_labels_tsv"]


def read_labels_tsv(path) -> tuple[list[Path], list[str]]:
    """``labels.tsv`` -> image paths and texts. Raises ``ValueError`` naming the line of a malformed entry."""
    path = Path(os.fspath(path))
    if path.is_dir():
        path = path / "labels.tsv"
    if not path.is_file():
        raise FileNotFoundError(f"No labels file at {path}. Expected labels.tsv with lines filename<TAB>text.")
    files, texts = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise ValueError(f"{path}:{n}: expected filename<TAB>text. Received: {line[:80]!r}")
        name, text = line.split("\t", 1)
        p = path.parent / name
        if not p.exists() and (path.parent / "images" / name).exists():
            p = path.parent / "images" / name
        files.append(p)
        texts.append(text)
    if not files:
        raise ValueError(f"{path} holds no labelled crop.")
    return files, texts


def read_image(path) -> np.ndarray | None:
    """An image file as uint8 grey ``[H, W]``, RGB or RGBA (channel order as named), or None if unreadable."""
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
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
                        limit: int | None = None, worst: int = 20) -> dict:
    """Accuracy and speed of ``recognizer`` on shards or a ``labels.tsv`` set.

    Ground-truth characters outside the model's vocabulary are kept: such a word can never be
    read exactly, and it is counted in ``out_of_vocabulary_words`` (with the characters) rather than
    dropped. Unreadable images count as wrong (empty prediction) and are listed.

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
    results = recognizer.recognize([images[i] for i in ok], batch_size=batch_size, decoder=decoder, beam_width=beam_width)
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
        "crops_per_second": round(len(ok) / seconds, 1) if seconds > 0 else None,
        "out_of_vocabulary_words": sum(any(c not in vocab for c in t) for t in texts),
        "out_of_vocabulary_chars": "".join(oov),
        "unreadable": unreadable,
        "worst": [{"image": names[i], "truth": texts[i], "predicted": preds[i], "confidence": round(confs[i], 4),
                   "edit_distance": dist[i]} for i in order],
    }
