"""Scene generation throughput: 512x512 scenes with both CRAFT maps, written to HDF5 shards.

Usage: python benchmarks/bench_scenes.py [--count 3000] [--workers 1 2] [--shard-size 500] [--no-maps]

Prints, for each worker count: scenes/s overall and per worker (start-up, glyph-cache
warm-up and HDF5 writing included), bytes per scene on disk, words per scene, and a split
of one worker's time per scene into making the scene and computing the maps.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from synthgen import SceneGenerator, generate
from synthgen.heatmaps import craft_maps


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=3000, help="scenes per worker")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--shard-size", type=int, default=500)
    ap.add_argument("--no-maps", action="store_true", help="do not store maps")
    a = ap.parse_args()
    t0 = time.perf_counter()
    gen = SceneGenerator({"maps": not a.no_maps})
    print(f"generator start-up (catalog, font index, backgrounds): {time.perf_counter() - t0:.2f} s")
    base = None
    for w in a.workers:
        n = a.count * w
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            r = generate(d, n, seed=0, workers=w, shard_size=a.shard_size, progress=False, generator=gen)
            dt = time.perf_counter() - t
            size = sum(p.stat().st_size for p in Path(d).glob("*.h5"))
        rate = n / dt
        base = base or rate
        print(f"workers={w}: {n} scenes in {dt:.1f} s = {rate:,.1f} scenes/s, {rate / w:,.1f} per worker, "
              f"{size / n / 1024:,.1f} KiB/scene, speed-up {rate / base:.2f}x, rejected blocks {r['rejects']}")

    # where one worker's time goes (warm caches)
    g = SceneGenerator({"maps": False})
    for i in range(500):
        g.sample_at(1, i)
    scenes, t = [], time.perf_counter()
    for i in range(500, 1000):
        scenes.append(g.sample_at(1, i)[0])
    t_scene = (time.perf_counter() - t) / 500
    t = time.perf_counter()
    for s in scenes:
        craft_maps(s.char_quads, s.word_ids, 512, 512)
    t_maps = (time.perf_counter() - t) / 500
    words = np.mean([len(s.words) for s in scenes])
    chars = np.mean([len(s.char_quads) for s in scenes])
    print(f"per scene (warm caches): {1e3 * t_scene:.2f} ms to make ({words:.1f} words, {chars:.0f} chars), "
          f"{1e3 * t_maps:.2f} ms for both maps")


if __name__ == "__main__":
    main()
