"""``synthgen generate / verify / inspect / preview``."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

__all__ = ["main"]


def _int_at_least(lo: int):
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {s!r}") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"must be at least {lo}, got {v}")
        return v

    return parse


_positive_int = _int_at_least(1)
_seed = _int_at_least(0)


def _parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("synthgen")
    except PackageNotFoundError:
        ver = "unknown (not installed)"
    ap = argparse.ArgumentParser(prog="synthgen", description="Synthetic OCR word crops and scenes with exact character boxes "
                                 "and CRAFT maps, in HDF5 shards.")
    ap.add_argument("--version", action="version", version=f"%(prog)s {ver}")
    sub = ap.add_subparsers(dest="cmd", required=True)

    g = sub.add_parser("generate", help="generate word crops (or scenes) into shards")
    g.add_argument("--out", required=True, help="output folder")
    g.add_argument("--count", required=True, type=_positive_int, help="number of crops or scenes")
    g.add_argument("--kind", choices=("words", "scenes"), default="words",
                   help="words: crops for recognition (default); scenes: 512x512 images with text blocks and CRAFT maps for detection")
    g.add_argument("--workers", type=_positive_int, default=1, help="worker processes (default 1)")
    g.add_argument("--seed", type=_seed, default=0, help="seed (default 0); same seed and config, same bytes")
    g.add_argument("--shard-size", type=_positive_int, default=None, help="samples per shard (default 5000 crops or 500 scenes)")
    g.add_argument("--split", default="train", help="shard name prefix (default train)")
    g.add_argument("--catalog", help="catalog file: .txt (one title per line), .csv or .jsonl")
    g.add_argument("--catalog-column", help="CSV column / JSONL field with the text (default title)")
    g.add_argument("--config", help="YAML file of generator options")
    g.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one option (YAML value), e.g. --set color=true --set rotation=[-10,10]")
    g.add_argument("--resume", action="store_true", help="complete an interrupted run in --out")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the shards on a Dask cluster (needs the dask extra; --out must be on a filesystem the "
                        "workers share; --workers is then ignored)")

    v = sub.add_parser("verify", help="check every invariant of every shard; exit 1 naming bad shards")
    v.add_argument("dir", help="dataset folder or a single .h5 shard")

    i = sub.add_parser("inspect", help="counts, charset, fonts, backgrounds and text lengths")
    i.add_argument("dir", help="dataset folder or a single .h5 shard")
    i.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("preview", help="contact sheet PNG with char quads drawn (and CRAFT maps with --heatmaps)")
    p.add_argument("dir", help="dataset folder or a single .h5 shard")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--count", type=_positive_int, default=None, help="samples on the sheet (default 48 crops or 4 scenes)")
    p.add_argument("--cols", type=_positive_int, default=None, help="columns (default 4 crops or 2 scenes)")
    p.add_argument("--scale", type=_positive_int, default=None, help="magnification (default 3 for crops, 1 for scenes)")
    p.add_argument("--heatmaps", action="store_true",
                   help="draw CRAFT region (red-yellow) and affinity (cyan) maps beside each sample: stored maps, or built from the quads")
    p.add_argument("--seed", type=_seed, default=0, help="which samples are picked")
    return ap


def _config_from_args(a) -> dict:
    from .config import load_config_file, safe_yaml

    cfg = load_config_file(a.config) if a.config else {}
    for item in a.set:
        if "=" not in item:
            raise ValueError(f"--set expects KEY=VALUE. Received: {item!r}")
        k, val = item.split("=", 1)
        cfg[k.strip()] = safe_yaml(val, f"--set {item[:60]!r}: the value")
    if a.catalog:
        cfg["catalog"] = a.catalog
    if a.catalog_column:
        cfg["catalog_column"] = a.catalog_column
    return cfg


def _shard_paths(d: str) -> list[Path]:
    from .dataset import _resolve_paths

    return _resolve_paths(d, None)


def cmd_generate(a) -> int:
    import time

    from .parallel import generate

    t0 = time.perf_counter()
    r = generate(a.out, a.count, config=_config_from_args(a), seed=a.seed, workers=a.workers, kind=a.kind,
                 shard_size=a.shard_size, split=a.split, resume=a.resume, progress=not a.no_progress,
                 scheduler=a.scheduler)
    dt = time.perf_counter() - t0
    what = "crops" if a.kind == "words" else "scenes"
    print(f"wrote {r['written']} shard(s), kept {r['skipped']} complete one(s): {r['count']} {what} in {r['num_shards']} "
          f"shard(s) under {r['out']} ({dt:.1f} s)")
    rej = sum(r["rejects"].values())
    print(f"rejected candidates: {rej}" + (f" {dict(sorted(r['rejects'].items()))}" if rej else ""))
    print(f"catalog text: {r['text_report']}")
    return 0


def cmd_verify(a) -> int:
    from .parallel import MANIFEST_NAME
    from .shards import parse_shard_name, verify_shard

    p = Path(a.dir)
    paths = _shard_paths(a.dir)
    expected, bad, total = None, 0, 0
    if p.is_dir() and (p / MANIFEST_NAME).exists():
        m = json.loads((p / MANIFEST_NAME).read_text())
        expected = {"split": m["split"], "num_shards": m["num_shards"], "config": m["config"]}
        have = {parse_shard_name(x.name)[1] for x in paths if parse_shard_name(x.name)[0] == m["split"]}
        missing = sorted(set(range(m["num_shards"])) - have)
        if missing:
            bad += 1
            print(f"MISSING {len(missing)} shard(s) of {m['num_shards']}: first {missing[:5]} (run generate --resume)")
        for t in sorted(p.glob("*.h5.tmp")):
            print(f"NOTE leftover temporary file {t.name} (an interrupted run; generate --resume removes it)")
    for path in paths:
        problems = verify_shard(path, expected=expected)
        if problems:
            bad += 1
            print(f"BAD {path}")
            for pr in problems:
                print(f"    - {pr}")
        else:
            import h5py

            with h5py.File(path, "r") as f:
                total += int(f.attrs["count"])
    print(f"{len(paths)} shard(s) checked, {bad} problem(s); {total} samples in sound shards")
    return 1 if bad else 0


def cmd_inspect(a) -> int:
    import numpy as np

    from .shards import Shard

    paths = _shard_paths(a.dir)
    total, fonts, bgs, lengths, rejects, per_scene = 0, Counter(), Counter(), Counter(), Counter(), Counter()
    charset = config = kind = None
    maps = None
    for path in paths:
        with Shard(path) as s:
            f = s._file()
            total += len(s)
            charset, config, kind = s.attrs["charset"], s.config, s.kind
            ft = [r["name"] for r in s.font_table()]
            bt = s.background_table()
            for k, c in zip(*np.unique(f["word_font" if kind == "scenes" else "font"][()], return_counts=True)):
                fonts[ft[k]] += int(c)
            for k, c in zip(*np.unique(f["background"][()], return_counts=True)):
                bgs[bt[k]] += int(c)
            for t in s.texts():
                if kind == "scenes":
                    ws = t.split(" ")
                    per_scene[len(ws)] += 1
                    lengths.update(len(w) for w in ws)
                else:
                    lengths[len(t)] += 1
            rejects.update(json.loads(s.attrs.get("rejects", "{}")))
            if s.has_maps:
                maps = "x".join(str(int(v)) for v in s.attrs["map_shape"])
    scenes = kind == "scenes"
    unit = "scenes" if scenes else "crops"
    if scenes:
        image = f"{config['canvas_height']}x{config['canvas_width']} RGB ({config['image_codec']})"
    else:
        image = f"{config['height']}x{config['width']} {'RGB' if config['color'] else 'grey'} ({config['image_codec']})"
    info = {
        "kind": kind, "shards": len(paths), unit: total, "charset": charset, "charset_size": len(charset), "image": image,
        "fonts_used": len(fonts), "backgrounds_used": len(bgs),
        "fonts": dict(fonts.most_common()), "backgrounds": dict(bgs.most_common()),
        "lengths": dict(sorted(lengths.items())), "rejects": dict(rejects),
        f"bytes_per_{unit[:-1]}": round(sum(p.stat().st_size for p in paths) / max(total, 1), 1),
    }
    if scenes:
        info["words"] = int(sum(lengths.values()))
        info["words_per_scene"] = dict(sorted(per_scene.items()))
        info["maps"] = maps
    if a.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{total} {unit} in {info['shards']} shard(s); {image}; {info[f'bytes_per_{unit[:-1]}']} bytes per {unit[:-1]} on disk")
    if scenes:
        print(f"words: {info['words']} ({info['words'] / max(total, 1):.1f} per scene); CRAFT maps: {maps or 'not stored'}")
    print(f"charset ({info['charset_size']}): {charset}")
    print(f"fonts used: {len(fonts)}" + (" (words)" if scenes else ""))
    for name, c in fonts.most_common(10):
        print(f"  {c:8d}  {name}")
    if len(fonts) > 10:
        print(f"  ... and {len(fonts) - 10} more")
    print(f"backgrounds used: {len(bgs)}")
    for name, c in bgs.most_common(10):
        print(f"  {c:8d}  {name}")
    if len(bgs) > 10:
        print(f"  ... and {len(bgs) - 10} more")
    print("word length histogram:" if scenes else "text length histogram:")
    peak = max(lengths.values())
    for L in range(1, max(lengths) + 1):
        c = lengths.get(L, 0)
        print(f"  {L:3d} {c:8d} {'#' * round(40 * c / peak)}")
    print(f"rejected candidates: {dict(rejects) or 0}")
    return 0


def cmd_preview(a) -> int:
    import numpy as np

    from .preview import save_contact_sheet
    from .shards import Shard

    shards = [Shard(p) for p in _shard_paths(a.dir)]
    scenes = shards[0].kind == "scenes"
    count = a.count or (4 if scenes else 48)
    cols = a.cols or (2 if scenes else 4)
    scale = a.scale or (1 if scenes else 3)
    sizes = np.array([len(s) for s in shards])
    total = int(sizes.sum())
    rng = np.random.default_rng(a.seed)
    picks = np.sort(rng.choice(total, size=min(count, total), replace=False))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    samples = []
    for g in picks:
        k = int(np.searchsorted(starts, g, side="right") - 1)
        samples.append(shards[k][int(g - starts[k])])
    if a.heatmaps:
        cols = max(1, cols // 2) if a.cols is None else cols
    path = save_contact_sheet(samples, a.out, cols=cols, scale=scale, heatmaps=a.heatmaps)
    print(f"wrote {len(samples)} samples to {path}")
    return 0


def main(argv=None) -> int:
    a = _parser().parse_args(argv)
    try:
        return {"generate": cmd_generate, "verify": cmd_verify, "inspect": cmd_inspect, "preview": cmd_preview}[a.cmd](a)
    except KeyboardInterrupt:
        print("synthgen: interrupted; complete shards are kept, run the same command with --resume to finish.", file=sys.stderr)
        return 130
    except (ValueError, FileNotFoundError, OSError, RuntimeError) as e:
        print(f"synthgen: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
