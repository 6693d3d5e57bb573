"""Recognizer accuracy and speed next to Tesseract 5 on the same crops.

    python benchmarks/bench_recognizer.py --data ../shared/realdev/rec/ic13bd_dev [--model M.keras|M.onnx|bundled ...]
        [--synthetic DIR ...] [--threads 1] [--repeat 3] [--deskew 0.5 0] [--trim 0.8 0] [--stretch 0.8 0] [--squeeze 0.8 0] [--vote 0 0.8] [--decoders lm greedy beam]
        [--beam-width 10 20] [--lexicon-bonus 0 1] [--compute-dtype auto float32]
        [--no-tesseract]

Tesseract (Debian ``tesseract-ocr``, English model, LSTM engine, ``--psm 8``) reads every crop in one
process (a list file; pages split on form feeds), with ``OMP_THREAD_LIMIT`` = ``--threads``, three times:
crops as they are; upscaled to 64 px high (cubic) with a 10 px white border (as ``realdev/README.md``'s
reference figures); and upscaled the same with a 16 px border of the crop's median border colour
(Tesseract's best of the layouts tried: a replicated border smears ink that touches the crop's
edge, a white one adds an edge to dark grounds). Our models (each ``--model``: the bundled one, a ``.keras``
file, or an ``.onnx`` file from ``ocrmodels export-recognizer`` read with ONNX Runtime) run with
TensorFlow or ONNX Runtime limited to ``--threads`` threads, with each decoder (``lm``: beam search with the bundled
character language model; ``greedy``; ``beam``) and each ``--deskew`` setting (``Recognizer.recognize``'s
re-reading of weakly read crops levelled, as words turned inside an upright cut; 0 = off) and ``--trim``
setting (the second reading with the top and bottom trimmed; 0 = off; default 0.8) and ``--stretch`` setting
(the second reading of narrow crops drawn twice as wide; 0 = off; default 0.8) and ``--squeeze`` setting (the
second reading of wide crops drawn 0.65 times as wide; 0 = off; default 0.8) and ``--vote`` setting (weak crops
read in more views, the most frequent text winning; 0 = off, the default). Speeds include preprocessing and decoding; each
reader runs ``--repeat`` times and the median speed is reported (a shared 2-core machine varies by
about 10% from run to run).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


LAYOUTS = {"as is": None, "64 px + white border": "white", "64 px + median border": "median"}


def tesseract(files, texts, threads: int, border: str | None):
    from ocrmodels.metrics import recognition_metrics

    with tempfile.TemporaryDirectory() as tmp:
        listed = []
        for i, f in enumerate(files):
            img = cv2.imread(str(f), cv2.IMREAD_COLOR)
            if img is None:
                img = np.full((8, 8, 3), 255, np.uint8)
            if border:
                edge = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
                fill = (255, 255, 255) if border == "white" else tuple(int(v) for v in np.median(edge, axis=0))
                s = 64 / img.shape[0]
                img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
                n = 10 if border == "white" else 16
                img = cv2.copyMakeBorder(img, n, n, n, n, cv2.BORDER_CONSTANT, value=fill)
            p = Path(tmp) / f"{i:06d}.png"
            cv2.imwrite(str(p), img)
            listed.append(str(p))
        (Path(tmp) / "list.txt").write_text("\n".join(listed) + "\n")
        env = dict(os.environ, OMP_THREAD_LIMIT=str(threads))
        t = time.perf_counter()
        out = subprocess.run(["tesseract", str(Path(tmp) / "list.txt"), "stdout", "--psm", "8", "-l", "eng"],
                             capture_output=True, text=True, env=env, check=True).stdout
        seconds = time.perf_counter() - t
    pages = out.split("\f")[: len(files)]
    preds = [" ".join(p.split()) for p in pages]
    preds += [""] * (len(files) - len(preds))
    m = recognition_metrics(texts, preds)
    m.pop("distances")
    m["crops_per_second"] = len(files) / seconds
    return m


def median_speed(runs: list) -> dict:
    """The first run's figures with the median of the runs' crops/s."""
    return {**runs[0], "crops_per_second": float(np.median([r["crops_per_second"] for r in runs]))}


def train_speed(size: str, mixed: bool, batch: int = 64, steps: int = 15) -> float:
    import keras
    import numpy as np

    import ocrmodels

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if mixed else "float32")
    model = ocrmodels.build_crnn(size)
    keras.mixed_precision.set_global_policy("float32")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=ocrmodels.CTCLoss(), jit_compile=False)
    rng = np.random.default_rng(0)
    x = rng.random((batch, 32, 128, 1), np.float32)
    y = rng.integers(1, 93, (batch, 10)).astype(np.int32)
    for _ in range(3):
        model.train_on_batch(x, y)
    t = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    return steps * batch / (time.perf_counter() - t)


def _decodings(args):
    """(decoder, beam width, lexicon bonus) to run: widths for the beam decoders, bonuses for lm only."""
    for decoder in args.decoders:
        widths = [10] if decoder == "greedy" else args.beam_width
        bonuses = args.lexicon_bonus if decoder == "lm" else [0.0]
        for width, bonus in itertools.product(widths, bonuses):
            yield decoder, width, bonus


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="labels.tsv folder of real crops")
    ap.add_argument("--model", nargs="+", default=["bundled"],
                    help="recognizers to run: 'bundled', .keras files, .onnx files (default: bundled)")
    ap.add_argument("--synthetic", nargs="*", default=[], help="synthetic hold-out shard folders to evaluate too")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="runs per reader; the median speed is reported")
    ap.add_argument("--deskew", type=float, nargs="+", default=[0.5],
                    help="deskew settings to run (as ocrmodels recognize --deskew; 0 = off; default 0.5)")
    ap.add_argument("--trim", type=float, nargs="+", default=[0.8],
                    help="trim settings to run (as ocrmodels recognize --trim; 0 = off; default 0.8)")
    ap.add_argument("--stretch", type=float, nargs="+", default=[0.8],
                    help="stretch settings to run (as ocrmodels recognize --stretch; 0 = off; default 0.8)")
    ap.add_argument("--squeeze", type=float, nargs="+", default=[0.8],
                    help="squeeze settings to run (as ocrmodels recognize --squeeze; 0 = off; default 0.8)")
    ap.add_argument("--vote", type=float, nargs="+", default=[0.0],
                    help="vote settings to run (as ocrmodels recognize --vote; 0 = off, the default)")
    ap.add_argument("--decoders", nargs="+", choices=("lm", "greedy", "beam"), default=["lm", "greedy", "beam"])
    ap.add_argument("--beam-width", type=int, nargs="+", default=[10],
                    help="beam widths to run (lm and beam decoders; default 10)")
    ap.add_argument("--lexicon-bonus", type=float, nargs="+", default=[0.0],
                    help="lexicon bonuses to run (lm decoder; as ocrmodels recognize --lexicon-bonus; default 0: off)")
    ap.add_argument("--compute-dtype", nargs="+", default=["auto"], choices=("auto", "float32", "mixed_bfloat16"),
                    help="compute precisions of Keras models to run (default auto: bfloat16 on CPUs with AMX or "
                         "AVX512-BF16, float32 elsewhere)")
    ap.add_argument("--no-tesseract", action="store_true")
    ap.add_argument("--train-speed", action="store_true",
                    help="also time training steps (batch 64, synthetic batches in memory) per size, fp32 and bf16")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error(f"--repeat must be at least 1. Received: {args.repeat}")
    if min(args.beam_width) < 1 or min(args.lexicon_bonus) < 0:
        ap.error(f"--beam-width must be positive and --lexicon-bonus 0 or more. Received: {args.beam_width}, "
                 f"{args.lexicon_bonus}")

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import ocrmodels
    from ocrmodels.evaluate import evaluate_recognizer, read_labels_tsv

    rows = []
    sets = [("real", args.data)] + [(f"synthetic {Path(p).name}", p) for p in args.synthetic]
    runs = [(m, d) for m in args.model for d in (args.compute_dtype if not m.lower().endswith(".onnx") else ["auto"])]
    for model, dtype in runs:
        rec = ocrmodels.load_recognizer(None if model == "bundled" else model, threads=args.threads, compute_dtype=dtype)
        if rec.runtime == "keras":
            bf16 = any(layer.dtype_policy.compute_dtype == "bfloat16" for layer in rec.model.layers)
            computes = "bfloat16" if bf16 else "float32"
            model_name = f"{Path(model).name}, {computes}"
        else:
            model_name = Path(model).name
        for name, data in sets:
            evaluate_recognizer(rec, data, limit=256)  # warm-up: graph tracing
            for deskew in args.deskew:
                for trim in args.trim:
                    for stretch, squeeze, vote in itertools.product(args.stretch, args.squeeze, args.vote):
                        for decoder, width, bonus in _decodings(args):
                            r = median_speed([evaluate_recognizer(rec, data, decoder=decoder, deskew=deskew or None,
                                                                  trim=trim or None, stretch=stretch or None,
                                                                  squeeze=squeeze or None, vote=vote or None,
                                                                  beam_width=width, lexicon_bonus=bonus)
                                              for _ in range(args.repeat)])
                            label = (f"{decoder}, deskew {deskew or 'off'}, trim {trim or 'off'}, "
                                     f"stretch {stretch or 'off'}, squeeze {squeeze or 'off'}, vote {vote or 'off'}")
                            if decoder != "greedy" and (len(args.beam_width) > 1 or width != 10):
                                label += f", beam {width}"
                            if decoder == "lm" and (len(args.lexicon_bonus) > 1 or bonus):
                                label += f", lexicon {bonus or 'off'}"
                            rows.append((f"ocrmodels {model_name} ({label})", name, r))
    if not args.no_tesseract and shutil.which("tesseract"):
        files, texts = read_labels_tsv(args.data)
        for label, border in LAYOUTS.items():
            r = median_speed([tesseract(files, texts, args.threads, border) for _ in range(args.repeat)])
            rows.append((f"tesseract --psm 8 ({label})", "real", r))
    elif not args.no_tesseract:
        print("tesseract not found: apt install tesseract-ocr", file=sys.stderr)
    if args.train_speed:
        print("\ntraining steps, batch 64, data in memory (the CTC model's compute alone):")
        for size in ("tiny", "small", "base"):
            for mixed in (False, True):
                print(f"  {size:5s} {'bf16' if mixed else 'fp32'}: {train_speed(size, mixed):.0f} samples/s")
    print(f"\n{args.threads} thread(s)")
    print("| reader | crops | count | alnum acc (case-insens.) | exact acc | CER | mean CER | crops/s |")
    print("|---|---|---|---|---|---|---|---|")
    for who, name, r in rows:
        print(f"| {who} | {name} | {r['count']} | {r['alnum_accuracy']:.1%} | {r['word_accuracy']:.1%} | {r['cer']:.3f} "
              f"| {r['mean_cer']:.3f} | {r['crops_per_second']:.0f} |")


if __name__ == "__main__":
    main()
