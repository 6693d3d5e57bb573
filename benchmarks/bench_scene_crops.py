"""Recognizer accuracy on word crops cut from synthetic scenes, as a detector would hand them over.

    synthgen generate --kind scenes --out scenes --count 300 --seed 71
    python benchmarks/bench_scene_crops.py --data scenes [--model M.keras] [--threads 1] [--max-slope 0.1] [--deskew 0]

Each word of a scene is cut out by the bounding box of its word quad (tight, as annotated word
boxes are), near-horizontal words only (``--max-slope``: rise over run of the quad's top edge), and
read with ``Recognizer.recognize``, so the crops go through ``fit_crop``'s layout as real crops do.
A synthetic stand-in for real word crops: changes to the layout or the preprocessing can be judged
here instead of on real evaluation data.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def scene_word_crops(data, max_slope: float = 0.1):
    """``(crops, texts)``: near-horizontal words of every scene under ``data``, cut by their quads' boxes."""
    from synthgen.dataset import open_dataset

    ds = open_dataset(data)
    if ds.kind != "scenes":
        raise ValueError(f"{data}: expected scene shards (synthgen generate --kind scenes). Received: {ds.kind}")
    crops, texts = [], []
    for r in ds.read(np.arange(len(ds)), fields=("image", "words", "word_quads")):
        img = r["image"]
        for w, q in zip(r["words"], r["word_quads"]):
            dx, dy = q[1] - q[0]
            if abs(dy) > max_slope * abs(dx) + 1:
                continue
            x0, y0 = np.maximum(np.floor(q.min(0) + 0.5).astype(int), 0)
            x1, y1 = np.ceil(q.max(0) - 0.5).astype(int)
            if x1 - x0 < 2 or y1 - y0 < 4:
                continue
            crops.append(img[y0 : y1 + 1, x0 : x1 + 1])
            texts.append(w)
    return crops, texts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="scene shards")
    ap.add_argument("--model", help="a .keras recognizer (default: the bundled one)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-slope", type=float, default=0.1)
    ap.add_argument("--deskew", type=float, default=0.5, help="as ocrmodels recognize --deskew (0 = off)")
    args = ap.parse_args(argv)

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import ocrmodels
    from ocrmodels.metrics import recognition_metrics

    crops, texts = scene_word_crops(args.data, args.max_slope)
    heights = [c.shape[0] for c in crops]
    print(f"{len(crops)} word crops, height median {np.median(heights):.0f} px (10-90%: "
          f"{np.percentile(heights, 10):.0f}-{np.percentile(heights, 90):.0f})")
    rec = ocrmodels.load_recognizer(args.model)
    deskew = args.deskew or None
    rec.recognize(crops[:256])  # warm-up: graph tracing, the language model
    print("| decoder | alnum acc (case-insens.) | exact acc | mean CER | crops/s |")
    print("|---|---|---|---|---|")
    for decoder in ("lm", "greedy"):
        t = time.perf_counter()
        preds = [p for p, _ in rec.recognize(crops, decoder=decoder, deskew=deskew)]
        speed = len(crops) / (time.perf_counter() - t)
        m = recognition_metrics(texts, preds)
        print(f"| {decoder} | {m['alnum_accuracy']:.1%} | {m['word_accuracy']:.1%} | {m['mean_cer']:.3f} | {speed:.0f} |")


if __name__ == "__main__":
    main()
