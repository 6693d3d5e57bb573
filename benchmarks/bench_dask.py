"""Crops/s on a Dask cluster of 1 and 2 worker processes (a LocalCluster on this machine) next to the local
backend, and the per-task overhead, so shards can be sized for a cluster.

Usage: python benchmarks/bench_dask.py [--count 20000] [--shard-size 2000]

The overhead is the time of a run of tiny shards (10 crops each) over the time the same crops take in
one local shard, per task.
"""

import argparse
import tempfile
import time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--shard-size", type=int, default=2000)
    a = ap.parse_args()
    from dask.distributed import Client, LocalCluster

    from synthgen import generate

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for workers in (1, 2):
            t = time.perf_counter()
            generate(tmp / f"local{workers}", a.count, shard_size=a.shard_size, workers=workers, progress=False)
            dt = time.perf_counter() - t
            print(f"local, {workers} worker(s): {a.count / dt:,.0f} crops/s", flush=True)
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                              host="127.0.0.1", silence_logs=40) as cl, Client(cl) as client:
                generate(tmp / f"warm{workers}", 200, shard_size=100, progress=False, scheduler=client)  # imports, caches
                t = time.perf_counter()
                generate(tmp / f"dask{workers}", a.count, shard_size=a.shard_size, progress=False, scheduler=client)
                dt = time.perf_counter() - t
                print(f"dask, {workers} worker(s): {a.count / dt:,.0f} crops/s", flush=True)
                if workers == 1:
                    n, small = 2000, 10
                    t = time.perf_counter()
                    generate(tmp / "tiny", n, shard_size=small, progress=False, scheduler=client)
                    tiny = time.perf_counter() - t
                    t = time.perf_counter()
                    generate(tmp / "one", n, shard_size=n, progress=False, scheduler=client)
                    one = time.perf_counter() - t
                    print(f"per-task overhead: {(tiny - one) / (n // small - 1) * 1000:.1f} ms "
                          f"({n // small} tasks of {small} crops: {tiny:.2f} s; one task of {n}: {one:.2f} s)", flush=True)


if __name__ == "__main__":
    main()
