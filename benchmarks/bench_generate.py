"""Word crop generation throughput and size on disk.

Usage: python benchmarks/bench_generate.py [--count 20000] [--workers 1 2] [--shard-size 5000]

Prints, for each worker count: crops/s overall, crops/s per worker, bytes per crop on disk,
and the speed-up over one worker. The default config (full variety) is used; every run
writes real shards to a temporary folder, start-up included.
"""

import argparse
import tempfile
import time
from pathlib import Path

from synthgen import WordGenerator, generate


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=20000, help="crops per worker")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--shard-size", type=int, default=5000)
    ap.add_argument("--color", action="store_true")
    a = ap.parse_args()
    t0 = time.perf_counter()
    gen = WordGenerator({"color": a.color})
    print(f"generator start-up (catalog, font index, backgrounds): {time.perf_counter() - t0:.2f} s")
    base = None
    for w in a.workers:
        n = a.count * w
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            generate(d, n, seed=0, workers=w, shard_size=a.shard_size, progress=False, generator=gen)
            dt = time.perf_counter() - t
            size = sum(p.stat().st_size for p in Path(d).glob("*.h5"))
        rate = n / dt
        base = base or rate
        print(f"workers={w}: {n} crops in {dt:.1f} s = {rate:,.0f} crops/s, {rate / w:,.0f} per worker, "
              f"{size / n:,.0f} bytes/crop, speed-up {rate / base:.2f}x")


if __name__ == "__main__":
    main()
