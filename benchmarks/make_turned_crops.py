"""Photographed words turned inside an upright cut, as IC15 and IIIT5K crops are cut -> a labels.tsv folder.

    python benchmarks/make_turned_crops.py --out turned-english --config recipes/recognizer-english-camera.yaml \\
        --count 1500 --seed 3103
    ocrmodels evaluate-recognizer --data turned-english [--deskew 0]

Each crop is a camera-config word (``--config``: perspective, blur, light, noise, JPEG, neighbouring words)
turned by an angle drawn uniformly in ``--angle`` (degrees, either way) on a 400 x 160 canvas, then cut by the
upright (axis-aligned) box of its word quad, padded on each side by a share of the box's shorter side drawn in
``--pad`` (default -2% to +10%): the synthetic stand-in for the real sets' large crops that hold a word at 15-45
degrees (``--angle -4 4 --pad 0.1 0.6``: near-upright words cut loosely, with ground and neighbours above and
below). ``--squeeze LOW HIGH`` scales each cut's width by a factor drawn in that range (words foreshortened by a
sign seen from the side, or set in condensed display type, whose upright box is nearly square: ``--angle -4 4
--squeeze 0.3 0.7``). Same seed, same crops.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder to write (labels.tsv and images/)")
    ap.add_argument("--config", required=True, help="synthgen YAML config of the words (a camera config)")
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--angle", type=float, nargs=2, default=[-45.0, 45.0], metavar=("LOW", "HIGH"))
    ap.add_argument("--pad", type=float, nargs=2, default=[-0.02, 0.1], metavar=("LOW", "HIGH"),
                    help="padding of each side, a share of the word box's shorter side (default -0.02 0.1)")
    ap.add_argument("--squeeze", type=float, nargs=2, default=[1.0, 1.0], metavar=("LOW", "HIGH"),
                    help="scale each cut's width by a factor drawn in this range (default 1 1: as cut)")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error(f"--count must be at least 1. Received: {args.count}")
    if not -0.5 <= args.pad[0] <= args.pad[1] <= 3.0:
        ap.error(f"--pad must be LOW <= HIGH within -0.5 .. 3. Received: {args.pad}")
    if not 0.1 <= args.squeeze[0] <= args.squeeze[1] <= 3.0:
        ap.error(f"--squeeze must be LOW <= HIGH within 0.1 .. 3. Received: {args.squeeze}")
    from synthgen.config import load_config_file
    from synthgen.generator import SampleRejected, WordGenerator, sample_rng

    cfg = load_config_file(args.config)
    cfg.update(tight_crop_prob=0.0, small_render_prob=0.0, height=160, width=400, text_height=[0.12, 0.3],
               margin=[0.0, 0.0], rotation_prob=1.0, rotation=list(args.angle))
    gen = WordGenerator(cfg)
    out = Path(args.out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    lines, index = [], 0
    while len(lines) < args.count:
        rng = sample_rng(args.seed, index)
        index += 1
        try:
            s = gen.make_sample(rng)
        except SampleRejected:
            continue
        if not s.text.strip():
            continue
        q = s.word_quads.reshape(-1, 2)
        (x0, y0), (x1, y1) = q.min(0), q.max(0)
        pad = rng.uniform(args.pad[0], args.pad[1], 4) * min(x1 - x0, y1 - y0)
        h, w = s.image.shape[:2]
        a, b = int(max(0, np.floor(x0 - pad[0]))), int(min(w, np.ceil(x1 + pad[1])))
        c, d = int(max(0, np.floor(y0 - pad[2]))), int(min(h, np.ceil(y1 + pad[3])))
        if b - a < 4 or d - c < 4:
            continue
        crop = s.image[c:d, a:b]
        if args.squeeze != [1.0, 1.0]:
            f = rng.uniform(args.squeeze[0], args.squeeze[1])
            crop = cv2.resize(crop, (max(4, int(round((b - a) * f))), d - c), interpolation=cv2.INTER_AREA)
        name = f"word_{len(lines)}.png"
        cv2.imwrite(str(out / "images" / name), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR) if crop.ndim == 3 else crop)
        lines.append(f"{name}\t{s.text}\n")
    (out / "labels.tsv").write_text("".join(lines), encoding="utf-8")
    print(f"wrote {len(lines)} crops to {out}")


if __name__ == "__main__":
    main()
