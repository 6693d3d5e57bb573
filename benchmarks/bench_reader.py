"""End-to-end reading (detector + recognizer) next to Tesseract 5 (``--psm 3``, words and text from its TSV).

Usage:
    python benchmarks/bench_reader.py --data ../shared/realdev/det/ic13bd_dev [--model DET.keras]
        [--recognizer REC.keras|REC.onnx] [--decoder lm] [--threads 1 2] [--limit N] [--no-tesseract]

Prints, per thread count: images/s of the reader and the share of its time spent detecting,
cutting crops, recognising (decoding included) and grouping lines; its end-to-end precision /
recall / H-mean (a word counts when its box matches at IoU >= 0.5 and its text equals the ground
truth, case-insensitive over [0-9a-z]) and its detection-only figures; the same for Tesseract.
"""

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def _tesseract_read(path, threads):
    env = {**os.environ, "OMP_THREAD_LIMIT": str(threads)}
    out = subprocess.run(["tesseract", str(path), "stdout", "--psm", "3", "tsv"], capture_output=True, text=True,
                         env=env).stdout
    quads, texts = [], []
    for row in csv.DictReader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            x, y, w, h = (float(row[k]) for k in ("left", "top", "width", "height"))
            quads.append([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
            texts.append(row["text"].strip())
    return quads, texts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a folder with gt.jsonl (with text) and images/, or scene shards")
    ap.add_argument("--model", help="detector .keras (default: bundled)")
    ap.add_argument("--recognizer", help="recognizer .keras, or .onnx from ocrmodels export-recognizer (default: bundled)")
    ap.add_argument("--decoder", default="lm", choices=("lm", "greedy", "beam"))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--limit", type=int)
    ap.add_argument("--no-tesseract", action="store_true")
    a = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if len(a.threads) > 1:  # TensorFlow fixes its thread pools at start-up: one process per setting
        for threads in a.threads:
            cmd = [sys.executable, __file__, "--data", a.data, "--threads", str(threads), "--decoder", a.decoder]
            cmd += (["--model", a.model] if a.model else []) + (["--recognizer", a.recognizer] if a.recognizer else [])
            cmd += (["--limit", str(a.limit)] if a.limit else []) + (["--no-tesseract"] if a.no_tesseract else [])
            subprocess.run(cmd, check=True)
        return
    threads = a.threads[0]
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from ocrmodels.evaluate import _detection_items
    from ocrmodels.metrics import detection_metrics, match_detections
    from ocrmodels.pipeline import Reader

    items = list(_detection_items(a.data, a.limit))
    from ocrmodels.recognizer import load_recognizer

    reader = Reader(a.model, load_recognizer(a.recognizer, threads=threads, compute_dtype="float32"),  # as Reader loads it
                    decoder=a.decoder)
    reader.read([np.zeros((64, 64, 3), np.uint8)])
    for k in reader.timings:
        reader.timings[k] = 0.0
    e2e, det = [], []
    t = time.perf_counter()
    for name, img, gt, ign, texts in items:
        words = reader.read([img], attributes=False)[0]["words"]
        quads = [w["quad"] for w in words]
        e2e.append(match_detections(gt, quads, ignore=ign, gt_texts=texts, detected_texts=[w["text"] for w in words]))
        det.append(match_detections(gt, quads, ignore=ign))
    dt = time.perf_counter() - t
    m, d = detection_metrics(e2e), detection_metrics(det)
    tot = sum(reader.timings.values())
    split = ", ".join(f"{k} {v / tot:.0%}" for k, v in reader.timings.items())
    print(f"{len(items)} images from {a.data}")
    print(f"reader ({a.decoder}), {threads} thread(s): {len(items) / dt:.2f} images/s; end to end P {m['precision']:.1%} "
          f"R {m['recall']:.1%} H {m['hmean']:.1%}; detection P {d['precision']:.1%} R {d['recall']:.1%} "
          f"H {d['hmean']:.1%}; time split {split}", flush=True)
    if not a.no_tesseract:
        import cv2

        e2e, det = [], []
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            for k, (name, img, gt, ign, texts) in enumerate(items):
                p = os.path.join(tmp, f"{k}.png")
                cv2.imwrite(p, img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA if img.shape[2] == 4 else cv2.COLOR_RGB2BGR))
                quads, got = _tesseract_read(p, threads)
                e2e.append(match_detections(gt, quads, ignore=ign, gt_texts=texts, detected_texts=got))
                det.append(match_detections(gt, quads, ignore=ign))
        dt = time.perf_counter() - t
        m, d = detection_metrics(e2e), detection_metrics(det)
        print(f"tesseract --psm 3, {threads} thread(s): {len(items) / dt:.2f} images/s; end to end P {m['precision']:.1%} "
              f"R {m['recall']:.1%} H {m['hmean']:.1%}; detection P {d['precision']:.1%} R {d['recall']:.1%} "
              f"H {d['hmean']:.1%}", flush=True)


if __name__ == "__main__":
    main()
