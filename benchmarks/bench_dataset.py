"""Dataset API throughput: crops per second delivered as ready batches, and memory over epochs.

Usage: python benchmarks/bench_dataset.py [--data DIR] [--count 50000] [--epochs 10] [--workers 2]
                                          [--batch-size 128] [--path keras|tf|both]

Generates ``--count`` word crops into ``--data`` if it holds no shards, then for each path:
- ``keras``: :class:`ocrmodels.RecognitionDataset` (``workers``, ``use_multiprocessing=True``)
  consumed through Keras' own PyDataset adapter as ``model.fit`` does (``get_tf_dataset``);
- ``tf``: :func:`ocrmodels.recognition_tf_dataset` iterated eagerly.
Prints crops/s per epoch and the resident memory (main process + workers) after each epoch.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def rss_mb() -> float:
    """Resident memory of this process and its children, MiB."""
    def one(pid):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    total = one(os.getpid())
    try:
        for child in Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split():
            total += one(int(child))
    except OSError:
        pass
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="folder of word shards (generated when empty)")
    ap.add_argument("--count", type=int, default=50000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--path", choices=("keras", "tf", "both"), default="both")
    a = ap.parse_args()

    import ocrmodels
    import ocrmodels
    import synthgen

    tmp = None
    data = a.data
    if data is None:
        tmp = tempfile.TemporaryDirectory()
        data = tmp.name
    if not any(Path(data).glob("*.h5")):
        t = time.perf_counter()
        synthgen.generate(data, a.count, workers=2, shard_size=5000, progress=False)
        print(f"generated {a.count} crops in {time.perf_counter() - t:.1f} s")
    ds = synthgen.open_dataset(data)
    print(f"{ds}; {a.workers} workers, batch {a.batch_size}")

    if a.path in ("keras", "both"):
        from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

        pyds = ocrmodels.RecognitionDataset(ds, a.batch_size, workers=a.workers, use_multiprocessing=a.workers > 0,
                                           max_queue_size=16)
        adapter = PyDatasetAdapter(pyds, shuffle=False)
        tfds = adapter.get_tf_dataset()
        for e in range(a.epochs):
            adapter.on_epoch_begin()
            t, n = time.perf_counter(), 0
            for x, y in tfds:
                n += int(x.shape[0])
            dt = time.perf_counter() - t
            adapter.on_epoch_end()
            print(f"keras PyDataset epoch {e}: {n} crops in {dt:.2f} s = {n / dt:,.0f} crops/s, memory {rss_mb():,.0f} MiB")

    if a.path in ("tf", "both"):
        tfds = ocrmodels.recognition_tf_dataset(ds, a.batch_size)
        for e in range(a.epochs):
            t, n = time.perf_counter(), 0
            for x, y in tfds:
                n += int(x.shape[0])
            dt = time.perf_counter() - t
            print(f"tf.data epoch {e}: {n} crops in {dt:.2f} s = {n / dt:,.0f} crops/s, memory {rss_mb():,.0f} MiB")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
