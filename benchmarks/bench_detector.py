"""Detector speed and accuracy, next to Tesseract 5 (``--psm 3``, words from its TSV output).

Usage:
    python benchmarks/bench_detector.py --data ../shared/realdev/det/ic13bd_dev [--model M.keras]
        [--threads 1 2] [--limit N] [--train-speed] [--no-tesseract] [--memory]

Prints, per thread count: images/s of the detector at its default canvas (preprocessing, model
and post-processing) and its precision / recall / H-mean under the ICDAR 2015 protocol; the
same for Tesseract on the same images; with ``--train-speed`` training samples/s of each CRAFT
size at 256 and 384 crops (fp32 and bf16); with ``--memory`` the peak memory of detecting one
4000x4000 image.
"""

import argparse
import csv
import io
import os
import resource
import subprocess
import sys
import time

import numpy as np


def _tesseract_words(path, threads):
    env = {**os.environ, "OMP_THREAD_LIMIT": str(threads)}
    out = subprocess.run(["tesseract", str(path), "stdout", "--psm", "3", "tsv"], capture_output=True, text=True,
                         env=env).stdout
    words = []
    for row in csv.DictReader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            x, y, w, h = (float(row[k]) for k in ("left", "top", "width", "height"))
            words.append([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
    return words


def _items(data, limit):
    from ocrmodels.evaluate import _detection_items

    return list(_detection_items(data, limit))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a folder with gt.jsonl and images/, or scene shards")
    ap.add_argument("--model", help="detector .keras (default: bundled)")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--limit", type=int)
    ap.add_argument("--no-tesseract", action="store_true")
    ap.add_argument("--train-speed", action="store_true")
    ap.add_argument("--memory", action="store_true")
    a = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from ocrmodels.detector import load_detector
    from ocrmodels.metrics import detection_metrics, match_detections

    items = _items(a.data, a.limit)
    print(f"{len(items)} images from {a.data}")
    for threads in a.threads:
        # TensorFlow fixes its thread pools at start-up: one process per setting
        if len(a.threads) > 1:
            cmd = [sys.executable, __file__, "--data", a.data, "--threads", str(threads)]
            cmd += (["--model", a.model] if a.model else []) + (["--limit", str(a.limit)] if a.limit else [])
            cmd += ["--no-tesseract"] if a.no_tesseract else []
            subprocess.run(cmd, check=True)
            continue
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        det = load_detector(a.model)
        det.detect([np.zeros((64, 64, 3), np.uint8)])
        per, t = [], time.perf_counter()
        split = {"prepare": 0.0, "model": 0.0, "post": 0.0}
        for name, img, gt, ign, *_ in items:
            t1 = time.perf_counter()
            x, ratio, _ = det.prepare(img)
            t2 = time.perf_counter()
            det._forward(x)
            t3 = time.perf_counter()
            words = det.detect([img])[0]  # (runs the model again; the split is from the lines above)
            t4 = time.perf_counter()
            split["prepare"] += t2 - t1
            split["model"] += t3 - t2
            split["post"] += max(0.0, (t4 - t3) - (t3 - t1))
            per.append(match_detections(gt, [w["quad"] for w in words], ignore=ign))
        dt = time.perf_counter() - t
        m = detection_metrics(per)
        one = sum(split.values())
        print(f"detector ({det.size}), {threads} thread(s): {len(items) / one:.2f} images/s; "
              f"P {m['precision']:.1%} R {m['recall']:.1%} H {m['hmean']:.1%}; time split prepare "
              f"{split['prepare'] / one:.0%}, model {split['model'] / one:.0%}, post-processing {split['post'] / one:.0%} "
              f"(wall {dt:.1f} s incl. the repeated model pass)")
        if not a.no_tesseract:
            import tempfile

            import cv2

            per, t = [], time.perf_counter()
            with tempfile.TemporaryDirectory() as d:
                for k, (name, img, gt, ign, *_) in enumerate(items):
                    p = os.path.join(d, f"{k}.png")
                    cv2.imwrite(p, img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA if img.shape[2] == 4 else cv2.COLOR_RGB2BGR))
                    per.append(match_detections(gt, _tesseract_words(p, threads), ignore=ign))
            dt = time.perf_counter() - t
            m = detection_metrics(per)
            print(f"tesseract --psm 3, {threads} thread(s): {len(items) / dt:.2f} images/s; "
                  f"P {m['precision']:.1%} R {m['recall']:.1%} H {m['hmean']:.1%}")
    if a.memory:
        det = load_detector(a.model)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        img = np.random.default_rng(0).integers(0, 255, (4000, 4000, 3), dtype=np.uint8)
        det.detect([img])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"4000x4000 image: peak RSS {peak / 1024:.0f} MiB ({(peak - before) / 1024:+.0f} MiB over the loaded model)")
    if a.train_speed:
        import keras

        from ocrmodels.craft import build_craft
        from ocrmodels.losses import CRAFTLoss

        for size in ("tiny", "small", "base"):
            for side in (256, 384):
                for prec in ("float32", "mixed_bfloat16"):
                    keras.mixed_precision.set_global_policy(prec)
                    m = build_craft(size)
                    keras.mixed_precision.set_global_policy("float32")
                    m.compile(optimizer="adam", loss=CRAFTLoss(), jit_compile=True)
                    bs = 8 if size != "base" else 2
                    x = np.random.default_rng(0).normal(size=(bs, side, side, 3)).astype(np.float32)
                    y = np.random.default_rng(1).random((bs, side // 2, side // 2, 2)).astype(np.float32)
                    m.train_on_batch(x, y)
                    t = time.perf_counter()
                    for _ in range(3):
                        m.train_on_batch(x, y)
                    rate = 3 * bs / (time.perf_counter() - t)
                    print(f"train {size} {side}x{side} {prec}: {rate:.1f} samples/s (batch {bs})", flush=True)


if __name__ == "__main__":
    main()
