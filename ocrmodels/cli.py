"""``ocrmodels`` command line: train-recognizer, evaluate-recognizer, recognize, train-detector, evaluate-detector,
detect, read, evaluate-reader.

Keras and TensorFlow are imported only once the arguments are parsed, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

__all__ = ["main"]

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ocrmodels", description="Train, evaluate and run OCR models on synthgen data.")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train-recognizer", help="train a CRNN-CTC recognizer on word-crop shards",
                       description="Train a CRNN-CTC recognizer on synthgen word-crop shards. Beside OUT.keras, "
                                   "OUT.train/ holds the checkpoint (last.keras), state.json, log.csv and tensorboard/.")
    t.add_argument("--data", nargs="+", required=True, help="training shards: folders, globs or files")
    t.add_argument("--out", required=True, help="model file to write (.keras): the best epoch")
    t.add_argument("--val", nargs="+", help="validation shards (word accuracy per epoch picks the best)")
    t.add_argument("--epochs", type=int, default=10)
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--size", default=None, choices=("tiny", "small", "base"),
                   help="model size (default: small, or the --init model's size)")
    t.add_argument("--init", default=None, metavar="MODEL.keras",
                   help="fine-tune: start from this model's weights ('bundled': the bundled recognizer)")
    t.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (warm-up, then cosine decay; default 1e-3)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--workers", type=int, default=2, help="data-loading processes (default 2)")
    t.add_argument("--mixed-precision", action="store_true", help="bfloat16 compute (faster on CPUs with AMX/AVX512-BF16)")
    t.add_argument("--skip-bad-shards", action="store_true", help="leave out unreadable shards and rows (with a warning)")
    t.add_argument("--resume", action="store_true", help="continue the run saved beside --out")

    e = sub.add_parser("evaluate-recognizer", help="accuracy and speed as JSON",
                       description="Evaluate a recognizer on word-crop shards or a labels.tsv folder "
                                   "(filename<TAB>text, images beside it). Prints JSON.")
    e.add_argument("--model", help="a .keras recognizer (default: the bundled one)")
    e.add_argument("--data", required=True, help="a shard folder/glob/file, or labels.tsv (or its folder)")
    e.add_argument("--batch-size", type=int, default=256)
    _decoder_args(e)
    _vertical_arg(e)
    _deskew_arg(e)
    e.add_argument("--limit", type=int, help="evaluate the first N crops only")
    e.add_argument("--worst", type=int, default=20, help="how many worst examples to list (default 20)")
    e.add_argument("--output", help="also write the JSON to this file")

    r = sub.add_parser("recognize", help="read word crops: one line 'file<TAB>text<TAB>confidence' each")
    r.add_argument("images", nargs="*", help="word-crop image files (before --lm, which takes every file after it)")
    r.add_argument("--model", help="a .keras recognizer (default: the bundled one)")
    _decoder_args(r)
    _vertical_arg(r)
    _deskew_arg(r)

    td = sub.add_parser("train-detector", help="train a CRAFT text detector on scene shards",
                        description="Train a CRAFT detector on synthgen scene shards (synthgen generate --kind scenes). "
                                    "Beside OUT.keras, OUT.train/ holds the checkpoint (last.keras), state.json, "
                                    "log.csv and tensorboard/.")
    td.add_argument("--data", nargs="+", required=True, help="training scene shards: folders, globs or files")
    td.add_argument("--out", required=True, help="model file to write (.keras): the epoch with the lowest val loss")
    td.add_argument("--val", nargs="+", help="validation scene shards")
    td.add_argument("--epochs", type=int, default=10, help="total epochs (default 10)")
    td.add_argument("--steps-per-epoch", type=int, default=None,
                    help="batches per epoch (default: one pass over the data)")
    td.add_argument("--stop-after", type=int, default=None, metavar="EPOCH",
                    help="end after this epoch although the schedule runs over --epochs (--resume goes on)")
    td.add_argument("--batch-size", type=int, default=8, help="default 8")
    td.add_argument("--size", type=int, default=256, help="training crop side, a multiple of 32 (default 256)")
    td.add_argument("--scale", type=float, nargs=2, default=(0.5, 1.5), metavar=("LOW", "HIGH"),
                    help="random rescale of each scene before the crop, drawn log-uniformly (default 0.5 1.5)")
    td.add_argument("--val-size", type=int, default=512,
                    help="validation scenes are resized to this square, a multiple of 32 (default 512)")
    td.add_argument("--model-size", default=None, choices=("tiny", "small", "base"),
                    help="network size (default: small, or the --init model's size)")
    td.add_argument("--init", default=None, metavar="MODEL.keras",
                    help="fine-tune: start from this detector's weights ('bundled': the bundled detector)")
    td.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (default 1e-3)")
    td.add_argument("--seed", type=int, default=0, help="default 0")
    td.add_argument("--workers", type=int, default=2, help="data-loading processes (default 2)")
    td.add_argument("--mixed-precision", action="store_true", help="bfloat16 compute")
    td.add_argument("--no-xla", action="store_true",
                    help="no XLA compilation of the training step (starts faster, trains about 25%% slower)")
    td.add_argument("--skip-bad-shards", action="store_true", help="leave out unreadable shards and rows (with a warning)")
    td.add_argument("--resume", action="store_true", help="continue the run saved beside --out")

    ed = sub.add_parser("evaluate-detector", help="detection precision/recall/H-mean as JSON",
                        description="Evaluate a detector under the ICDAR 2015 protocol (IoU >= 0.5 one-to-one, "
                                    "don't-care regions) on a folder with gt.jsonl and images/, or on scene shards. "
                                    "Prints JSON.")
    ed.add_argument("--data", required=True, help="a folder with gt.jsonl and images/, or scene shards")
    ed.add_argument("--model", help="a .keras detector (default: the bundled one)")
    _detector_args(ed)
    ed.add_argument("--limit", type=int, help="evaluate the first N images only")
    ed.add_argument("--worst", type=int, default=10, help="how many worst images to list (default 10)")
    ed.add_argument("--detections", metavar="OUT.jsonl", help="also write the detections as JSON lines")
    ed.add_argument("--output", help="also write the JSON report to this file")

    dt = sub.add_parser("detect", help="find words in images: one JSON line per image",
                        description="Find words in images. One JSON line per image (stdout, or --json FILE): "
                                    '{"image", "width", "height", "words": [{"quad": [[x, y] x4], "score"}]}, '
                                    "quads clockwise from top-left in image pixels.")
    dt.add_argument("images", nargs="+", help="image files")
    dt.add_argument("--model", help="a .keras detector (default: the bundled one)")
    _detector_args(dt)
    dt.add_argument("--json", metavar="OUT.jsonl", help="write the JSON lines to this file instead of stdout")
    dt.add_argument("--overlay", metavar="DIR", help="also save NAME.overlay.png per image: boxes beside the heatmaps")
    dt.add_argument("--polygons", action="store_true", help="also give each word its outline polygon (curved text)")

    rd = sub.add_parser("read", help="read whole images: words with boxes and text, lines, product attributes",
                        description="Read whole images end to end (detector, then recognizer on upright crops). One "
                                    "JSON line per image (stdout, or --json FILE): {\"image\", \"width\", \"height\", "
                                    "\"words\": [{\"quad\", \"text\", \"score\"}], \"lines\": [{\"words\", \"text\"}]"
                                    ", \"attributes\"?}.")
    rd.add_argument("images", nargs="*", help="image files (before --lm, which takes every file after it)")
    rd.add_argument("--model", help="a .keras detector (default: the bundled one)")
    rd.add_argument("--recognizer", help="a .keras recognizer (default: the bundled one)")
    _detector_args(rd)
    _decoder_args(rd)
    rd.add_argument("--json", metavar="OUT.jsonl", help="write the JSON lines to this file instead of stdout")
    rd.add_argument("--overlay", metavar="DIR", help="also save NAME.read.png per image: boxes and the text read")
    rd.add_argument("--attributes", action="store_true",
                    help="also extract product attributes (quantity, price, dates, lot, percentages, claims)")

    er = sub.add_parser("evaluate-reader", help="end-to-end precision/recall/H-mean as JSON",
                        description="Evaluate the reader end to end: a word counts when its box matches the ground "
                                    "truth (IoU >= 0.5, one-to-one, don't-care regions) and its text equals it "
                                    "(case-insensitive, [0-9a-z]). On a folder with gt.jsonl (with text) and images/, "
                                    "or scene shards. Prints JSON.")
    er.add_argument("--data", required=True, help="a folder with gt.jsonl and images/, or scene shards")
    er.add_argument("--model", help="a .keras detector (default: the bundled one)")
    er.add_argument("--recognizer", help="a .keras recognizer (default: the bundled one)")
    _detector_args(er)
    _decoder_args(er)
    er.add_argument("--limit", type=int, help="evaluate the first N images only")
    er.add_argument("--worst", type=int, default=10, help="how many worst images to list (default 10)")
    er.add_argument("--results", metavar="OUT.jsonl", help="also write what was read as JSON lines")
    er.add_argument("--output", help="also write the JSON report to this file")
    return p


def _detector_args(p):
    from .postprocess import DETECTOR_MAG_RATIO, DETECTOR_THRESHOLDS as T

    p.add_argument("--canvas-size", type=int, default=1280, help="longest side an image is magnified to (default 1280)")
    p.add_argument("--mag-ratio", type=float, default=DETECTOR_MAG_RATIO,
                   help=f"magnification before detection (default {DETECTOR_MAG_RATIO:g})")
    p.add_argument("--text-threshold", type=float, default=T["text_threshold"],
                   help=f"least region peak of a word (default {T['text_threshold']:g})")
    p.add_argument("--link-threshold", type=float, default=T["link_threshold"],
                   help=f"affinity that joins characters (default {T['link_threshold']:g})")
    p.add_argument("--low-text", type=float, default=T["low_text"],
                   help=f"region value of a character pixel (default {T['low_text']:g})")


def _load_detector(args):
    from .detector import load_detector  # Keras loads here, after the argument checks

    return load_detector(args.model, canvas_size=args.canvas_size, mag_ratio=args.mag_ratio,
                         text_threshold=args.text_threshold, link_threshold=args.link_threshold,
                         low_text=args.low_text)


def _check_detector_args(args):
    if args.canvas_size < 32:
        raise ValueError(f"--canvas-size must be at least 32. Received: {args.canvas_size}")
    if not args.mag_ratio > 0:
        raise ValueError(f"--mag-ratio must be positive. Received: {args.mag_ratio}")
    for n in ("text_threshold", "link_threshold", "low_text"):
        v = getattr(args, n)
        if not 0 < v < 1:
            raise ValueError(f"--{n.replace('_', '-')} must lie between 0 and 1. Received: {v}")
    if args.model is not None and not Path(args.model).is_file():
        raise FileNotFoundError(f"--model {args.model} does not exist. Pass a .keras file from "
                                "`ocrmodels train-detector`, or leave --model out for the bundled detector.")


def _check_image_files(files) -> tuple[list[str], list[str]]:
    """Files that look like images, and a message for each that does not (missing, a folder, not an image)."""
    import cv2

    good, bad = [], []
    for f in files:
        p = Path(f)
        if not p.exists():
            bad.append(f"{f} does not exist")
        elif not p.is_file():
            bad.append(f"{f} is not a file")
        elif not cv2.haveImageReader(str(p)):
            bad.append(f"{f} is not an image OpenCV can read (PNG, JPEG, BMP, TIFF, WebP, ...)")
        else:
            good.append(f)
    return good, bad


def _run_on_images(args, command: str, load, one) -> int:
    """The image commands' loop: files checked before ``load()`` loads the model, then per readable image
    ``one(model, file, image) -> (json row, overlay picture or None, overlay suffix)`` written as a JSON line
    (and a PNG under ``--overlay``); unreadable files are named and skipped (exit 1), none readable: exit 2."""
    good, bad = _check_image_files(args.images)
    for msg in bad:
        print(f"ocrmodels {command}: error: {msg}; skipped.", file=sys.stderr)
    if not good:
        return 2
    from .evaluate import read_image

    model = load()
    if args.overlay:
        Path(args.overlay).mkdir(parents=True, exist_ok=True)
    sink = open(args.json, "w", encoding="utf-8") if args.json else sys.stdout
    failed = len(bad)
    try:
        for f in good:
            img = read_image(f)
            if img is None:
                print(f"ocrmodels {command}: error: {f} cannot be decoded (truncated, corrupt or too large); skipped.",
                      file=sys.stderr)
                failed += 1
                continue
            row, pic, suffix = one(model, f, img)
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
            if args.overlay and pic is not None:
                import cv2

                cv2.imwrite(str(Path(args.overlay) / (Path(f).stem + suffix)), pic[:, :, ::-1])
    finally:
        if sink is not sys.stdout:
            sink.close()
    return 1 if failed else 0


def _detect(args) -> int:
    _check_detector_args(args)

    def one(det, f, img):
        words, region, affinity = det.detect([img], polygons=args.polygons, return_maps=True)[0]
        h, w = img.shape[:2]
        row = {"image": f, "width": int(w), "height": int(h),
               "words": [{"quad": _pts(d["quad"]), "score": round(d["score"], 4),
                          **({"polygon": _pts(d["polygon"])} if "polygon" in d else {})}
                         for d in words]}
        pic = None
        if args.overlay:
            from .detector import draw_overlay

            pic = draw_overlay(img, words, region, affinity)
        return row, pic, ".overlay.png"

    return _run_on_images(args, "detect", lambda: _load_detector(args), one)


def _pts(points) -> list:
    """Points as JSON lists rounded to 0.01 px (through float64, so 137.11 prints as 137.11)."""
    return np.round(np.asarray(points, np.float64), 2).tolist()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("synthgen")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _decoder_args(p):
    p.add_argument("--decoder", default="lm", choices=("lm", "greedy", "beam"),
                   help="lm: beam search with a character language model (default); greedy: best path (fastest); "
                        "beam: beam search without a language model")
    p.add_argument("--beam-width", type=int, default=10)
    p.add_argument("--lm", nargs="+", metavar="TEXT_FILE",
                   help="build the language model from these files (.txt one text per line, .csv/.jsonl 'title') "
                        "instead of the bundled English words and sample catalog")
    p.add_argument("--compute-dtype", default="float32", choices=("float32", "mixed_bfloat16", "saved"),
                   help="the recognizer's compute precision: float32 (default, fastest on most CPUs), mixed_bfloat16 "
                        "(faster on CPUs with AMX or AVX512-BF16), saved (as in the .keras file)")


def _compute_dtype(args):
    return None if args.compute_dtype == "saved" else args.compute_dtype


def _vertical_arg(p):
    p.add_argument("--vertical", type=float, default=2.0, metavar="RATIO",
                   help="crops at least RATIO times taller than wide are also read turned a quarter each way "
                        "(vertical words); 0 = read every crop as it is (default 2.0)")


def _deskew_arg(p):
    p.add_argument("--deskew", type=float, default=0.5, metavar="CONF",
                   help="crops read with less confidence per character than CONF are also read levelled at "
                        "10-40 degrees each way (the best refined by 5), as words turned inside an upright cut (photographed text); a "
                        "levelled reading at least CONF confident per character replaces a less confident one; "
                        "0 = off (default 0.5)")


def _deskew(args):
    if args.deskew == 0:
        return None
    if not 0 < args.deskew <= 1:
        raise ValueError(f"--deskew must be 0 (off) or a confidence in (0, 1]. Received: {args.deskew}")
    return args.deskew


def _vertical(args):
    if args.vertical == 0:
        return None
    if not args.vertical >= 1:
        raise ValueError(f"--vertical must be 0 (off) or a height/width ratio >= 1. Received: {args.vertical}")
    return args.vertical


def _check_lm_files(args):
    images = [f for f in args.lm or () if Path(f).suffix.lower() in _IMAGE_SUFFIXES]
    if images:
        raise ValueError(f"--lm takes every file after it, so it got image files: {', '.join(images[:3])}. "
                         "Put the images before --lm: ocrmodels recognize a.png b.png --lm titles.txt")


def _load(args):
    if args.lm and args.decoder != "lm":
        raise ValueError(f"--lm is read by --decoder lm only. Received: --decoder {args.decoder} with --lm; "
                         "drop --lm or use --decoder lm.")
    _check_lm_files(args)
    from .recognizer import load_recognizer  # Keras loads here, after the argument checks

    rec = load_recognizer(args.model, compute_dtype=_compute_dtype(args))
    if args.lm:
        from .lm import CharLM

        rec.language_model = CharLM.from_files(args.lm, alphabet=rec.vocabulary)
    return rec


def _load_reader(args):
    _check_detector_args(args)
    if args.lm and args.decoder != "lm":
        raise ValueError(f"--lm is read by --decoder lm only. Received: --decoder {args.decoder} with --lm; "
                         "drop --lm or use --decoder lm.")
    _check_lm_files(args)
    if args.recognizer is not None and not Path(args.recognizer).is_file():
        raise FileNotFoundError(f"--recognizer {args.recognizer} does not exist. Pass a .keras file from "
                                "`ocrmodels train-recognizer`, or leave it out for the bundled recognizer.")
    from .pipeline import Reader
    from .recognizer import load_recognizer

    rec = load_recognizer(args.recognizer, compute_dtype=_compute_dtype(args))
    if args.lm:
        from .lm import CharLM

        rec.language_model = CharLM.from_files(args.lm, alphabet=rec.vocabulary)
    return Reader(_load_detector(args), rec, decoder=args.decoder, beam_width=args.beam_width)


def _read(args) -> int:
    if not args.images:
        raise ValueError("Give at least one image file: ocrmodels read IMAGE ... (before --lm, if any).")
    _positive("beam-width", args.beam_width)
    _check_detector_args(args)

    def one(reader, f, img):
        res = reader.read([img], attributes=args.attributes)[0]
        h, w = img.shape[:2]
        row = {"image": f, "width": int(w), "height": int(h),
               "words": [{"quad": _pts(d["quad"]), "text": d["text"], "score": round(d["score"], 4)}
                         for d in res["words"]],
               "lines": res["lines"]}
        if args.attributes:
            row["attributes"] = res["attributes"]
        pic = None
        if args.overlay:
            from .detector import draw_overlay

            pic = draw_overlay(img, res["words"], texts=[d["text"] for d in res["words"]])
        return row, pic, ".read.png"

    return _run_on_images(args, "read", lambda: _load_reader(args), one)


def _positive(name, v):
    if v is not None and v < 1:
        raise ValueError(f"--{name} must be a positive integer. Received: {v}")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras with the C++ start-up lines (oneDNN, CPU features, absl) held back:
    TensorFlow prints them to file descriptor 2 before any log level applies. If the import fails,
    what it printed is shown after all."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            import keras  # noqa: F401
            import tensorflow as tf

            tf.constant(0.0) + 1.0  # the first op prints the CPU-feature line
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.write(held.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _import_tensorflow_quietly()
        if args.command == "train-recognizer":
            for n in ("epochs", "batch_size", "workers"):
                _positive(n.replace("_", "-"), getattr(args, n))
            from .train import train_recognizer

            train_recognizer(args.data, args.out, val=args.val, epochs=args.epochs, batch_size=args.batch_size,
                             size=args.size, init=args.init, learning_rate=args.lr, seed=args.seed, workers=args.workers,
                             resume=args.resume, mixed_precision=args.mixed_precision,
                             on_error="skip" if args.skip_bad_shards else "raise")
            print(f"wrote {args.out}")
        elif args.command == "evaluate-recognizer":
            for n in ("batch_size", "limit", "beam_width"):
                _positive(n.replace("_", "-"), getattr(args, n))
            if args.worst < 0:
                raise ValueError(f"--worst must be 0 or more. Received: {args.worst}")
            vertical, deskew = _vertical(args), _deskew(args)
            from .evaluate import evaluate_recognizer

            report = evaluate_recognizer(_load(args), args.data, batch_size=args.batch_size,
                                         decoder=args.decoder, beam_width=args.beam_width, limit=args.limit,
                                         worst=args.worst, vertical=vertical, deskew=deskew)
            report = {"model": args.model or "bundled", "data": args.data, **report}
            if args.decoder == "lm":
                report["language_model"] = args.lm or "bundled"
            text = json.dumps(report, indent=2, ensure_ascii=False)
            print(text)
            if args.output:
                with open(args.output, "w", encoding="utf-8") as f:
                    f.write(text + "\n")
        elif args.command == "recognize":
            from .evaluate import read_image

            _positive("beam-width", args.beam_width)
            vertical, deskew = _vertical(args), _deskew(args)
            if not args.images:
                _check_lm_files(args)  # images after --lm: say so rather than "no images"
                raise ValueError("No image files given. Pass word-crop images (before --lm, which takes every file "
                                 "after it): ocrmodels recognize a.png b.png [--lm titles.txt]")
            good, bad = _check_image_files(args.images)
            for msg in bad:
                print(f"ocrmodels recognize: error: {msg}; skipped.", file=sys.stderr)
            if not good:
                return 2
            rec = _load(args)
            names, images = [], []
            for f in good:
                img = read_image(f)
                if img is None:
                    print(f"ocrmodels recognize: error: {f} cannot be decoded (truncated, corrupt or too large); "
                          "skipped.", file=sys.stderr)
                    bad.append(f)
                    continue
                names.append(f)
                images.append(img)
            if images:
                for f, (text, conf) in zip(names, rec.recognize(images, decoder=args.decoder, beam_width=args.beam_width,
                                                                vertical=vertical, deskew=deskew)):
                    print(f"{f}\t{text}\t{conf:.4f}")
            return 1 if bad else 0
        elif args.command == "train-detector":
            for n in ("epochs", "batch_size", "workers", "steps_per_epoch", "size", "val_size", "stop_after"):
                _positive(n.replace("_", "-"), getattr(args, n))
            from .train import train_detector

            train_detector(args.data, args.out, val=args.val, epochs=args.epochs, batch_size=args.batch_size,
                           size=args.size, val_size=args.val_size, scale=tuple(args.scale), jit_compile=not args.no_xla,
                           model_size=args.model_size, init=args.init, learning_rate=args.lr,
                           steps_per_epoch=args.steps_per_epoch, stop_after=args.stop_after, seed=args.seed,
                           workers=args.workers,
                           resume=args.resume, mixed_precision=args.mixed_precision,
                           on_error="skip" if args.skip_bad_shards else "raise", verbose=2)
            print(f"wrote {args.out}")
        elif args.command == "evaluate-detector":
            _check_detector_args(args)
            _positive("limit", args.limit)
            if args.worst < 0:
                raise ValueError(f"--worst must be 0 or more. Received: {args.worst}")
            p = Path(args.data)
            if not p.exists() and not any(c in args.data for c in "*?["):
                raise FileNotFoundError(f"--data {args.data} does not exist. Pass a folder with gt.jsonl and "
                                        "images/, or scene shards.")
            from .evaluate import evaluate_detector

            report = evaluate_detector(_load_detector(args), args.data, limit=args.limit, worst=args.worst,
                                       detections_out=args.detections)
            report = {"model": args.model or "bundled", "data": args.data, **report}
            text = json.dumps(report, indent=2, ensure_ascii=False)
            print(text)
            if args.output:
                with open(args.output, "w", encoding="utf-8") as f:
                    f.write(text + "\n")
        elif args.command == "detect":
            return _detect(args)
        elif args.command == "read":
            return _read(args)
        elif args.command == "evaluate-reader":
            for n in ("limit", "beam_width"):
                _positive(n.replace("_", "-"), getattr(args, n))
            if args.worst < 0:
                raise ValueError(f"--worst must be 0 or more. Received: {args.worst}")
            if not Path(args.data).exists() and not any(c in args.data for c in "*?["):
                raise FileNotFoundError(f"--data {args.data} does not exist. Pass a folder with gt.jsonl and "
                                        "images/, or scene shards.")
            from .evaluate import evaluate_reader

            report = evaluate_reader(_load_reader(args), args.data, limit=args.limit, worst=args.worst,
                                     results_out=args.results)
            report = {"model": args.model or "bundled", "recognizer": args.recognizer or "bundled",
                      "decoder": args.decoder, "data": args.data, **report}
            text = json.dumps(report, indent=2, ensure_ascii=False)
            print(text)
            if args.output:
                with open(args.output, "w", encoding="utf-8") as f:
                    f.write(text + "\n")
    except (ValueError, FileNotFoundError, FileExistsError, RuntimeError) as e:
        print(f"ocrmodels {args.command}: error: {e}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] in ("keras", "tensorflow", "tensorboard"):
            print(f"ocrmodels {args.command}: error: {e.name} is not installed. ocrmodels needs the tf extra: "
                  "pip install 'synthgen[tf]' (from a clone: pip install -e '.[tf]').", file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt:
        print(f"ocrmodels {args.command}: interrupted; a training run continues with --resume.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
