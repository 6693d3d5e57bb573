"""Born-digital words drawn small and cut tight, at their native size, as ICDAR 2013 crops are -> a labels.tsv folder.

    python benchmarks/make_small_crops.py --out small-english --config recipes/recognizer-english-small.yaml \\
        --count 1500 --seed 4201
    ocrmodels evaluate-recognizer --data small-english [--trim 0]

Each crop is a word of ``--config`` drawn as the generator draws born-digital text small (``small_render_prob``
1: hinted, at 6-40 px of ink) and cut at its ink (``tight_crop_box: ink``, the config's ``tight_crop_pad``): the
cut the generator would then lay out at 32x128, kept as it is (most are 6-22 px high). The synthetic stand-in for
small words cut tight, which a reading of the crop with its top and bottom trimmed can damage. Same seed, same crops.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder to write (labels.tsv and images/)")
    ap.add_argument("--config", required=True, help="synthgen YAML config of the words (a born-digital config)")
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error(f"--count must be at least 1. Received: {args.count}")
    import synthgen.generator as generator
    from synthgen.config import load_config_file
    from synthgen.generator import SampleRejected, WordGenerator, sample_rng

    cfg = load_config_file(args.config)
    cfg.update(small_render_prob=1.0, tight_crop_box="ink")
    gen = WordGenerator(cfg)
    cuts = []
    fit_box = generator.fx.fit_box

    def keep_cut(cut, *a, **k):  # the generator lays its tight cut out with fit_box: keep the cut as it is
        cuts.append(cut.copy())
        return fit_box(cut, *a, **k)

    out = Path(args.out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    lines, index = [], 0
    generator.fx.fit_box = keep_cut
    try:
        while len(lines) < args.count:
            rng = sample_rng(args.seed, index)
            index += 1
            cuts.clear()
            try:
                s = gen.make_sample(rng)
            except SampleRejected:
                continue
            if not s.text.strip() or not cuts or min(cuts[-1].shape[:2]) < 4:
                continue
            crop = cuts[-1]
            if crop.dtype != np.uint8:
                crop = np.clip(crop, 0, 255).astype(np.uint8)
            name = f"word_{len(lines)}.png"
            cv2.imwrite(str(out / "images" / name), cv2.cvtColor(crop[..., :3], cv2.COLOR_RGB2BGR) if crop.ndim == 3 else crop)
            lines.append(f"{name}\t{s.text}\n")
    finally:
        generator.fx.fit_box = fit_box
    (out / "labels.tsv").write_text("".join(lines), encoding="utf-8")
    print(f"wrote {len(lines)} crops to {out}")


if __name__ == "__main__":
    main()
