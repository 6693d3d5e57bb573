"""``ocrmodels`` command line: train-recognizer, evaluate-recognizer, recognize.

Keras and TensorFlow are imported only once the arguments are parsed, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

__all__ = ["main"]

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ocrmodels", description="Train, evaluate and run OCR models on synthgen data.")
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
    t.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (warm-up, then cosine decay)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--workers", type=int, default=2, help="data-loading processes")
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
    e.add_argument("--limit", type=int, help="evaluate the first N crops only")
    e.add_argument("--worst", type=int, default=20, help="how many worst examples to list")
    e.add_argument("--output", help="also write the JSON to this file")

    r = sub.add_parser("recognize", help="read word crops: one line 'file<TAB>text<TAB>confidence' each")
    r.add_argument("images", nargs="*", help="word-crop image files (before --lm, which takes every file after it)")
    r.add_argument("--model", help="a .keras recognizer (default: the bundled one)")
    _decoder_args(r)
    return p


def _decoder_args(p):
    p.add_argument("--decoder", default="lm", choices=("lm", "greedy", "beam"),
                   help="lm: beam search with a character language model (default); greedy: best path (fastest); "
                        "beam: beam search without a language model")
    p.add_argument("--beam-width", type=int, default=10)
    p.add_argument("--lm", nargs="+", metavar="TEXT_FILE",
                   help="build the language model from these files (.txt one text per line, .csv/.jsonl 'title') "
                        "instead of the bundled English words and sample catalog")


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

    rec = load_recognizer(args.model)
    if args.lm:
        from .lm import CharLM

        rec.language_model = CharLM.from_files(args.lm, alphabet=rec.vocabulary)
    return rec


def _positive(name, v):
    if v is not None and v < 1:
        raise ValueError(f"--{name} must be a positive integer. Received: {v}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
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
            from .evaluate import evaluate_recognizer

            report = evaluate_recognizer(_load(args), args.data, batch_size=args.batch_size,
                                         decoder=args.decoder, beam_width=args.beam_width, limit=args.limit,
                                         worst=args.worst)
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
            if not args.images:
                _check_lm_files(args)  # images after --lm: say so rather than "no images"
                raise ValueError("No image files given. Pass word-crop images (before --lm, which takes every file "
                                 "after it): ocrmodels recognize a.png b.png [--lm titles.txt]")
            rec = _load(args)
            images = []
            for f in args.images:
                img = read_image(f)
                if img is None:
                    raise ValueError(f"{f} is not a readable image (PNG, JPEG, ...).")
                images.append(img)
            for f, (text, conf) in zip(args.images, rec.recognize(images, decoder=args.decoder, beam_width=args.beam_width)):
                print(f"{f}\t{text}\t{conf:.4f}")
    except (ValueError, FileNotFoundError, FileExistsError, RuntimeError) as e:
        print(f"ocrmodels {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ocrmodels {args.command}: interrupted; a training run continues with --resume.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
