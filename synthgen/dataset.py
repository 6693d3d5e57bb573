"""Dataset API: shards as one indexable, iterable, picklable dataset (no framework imports).

``open_dataset`` takes a folder, a glob, one shard or a list of shards. HDF5 files are
opened lazily in each process (an open handle does not survive a fork), so the object can
be sent to worker processes. Epoch orders are reproducible: :meth:`ShardDataset.epoch_order`
permutes runs of consecutive rows ("chunks") from ``(seed, epoch)``. The rows of a shard are
independent samples by construction (each is drawn from its own ``(seed, index)``), so
mixing chunks from all shards is as good a shuffle as a row-level one, and a batch then
costs a few contiguous reads instead of one random HDF5 access per row.

Keras and tf.data adapters live in :mod:`ocrmodels.data` (``synthgen`` imports no framework).
"""

from __future__ import annotations

import glob as _glob
import os
import warnings
from pathlib import Path

import numpy as np

from .shards import Shard, ShardError, parse_shard_name

__all__ = ["ShardDataset", "open_dataset"]

ON_ERROR = ("raise", "skip")


def _resolve_paths(path, split: str | None) -> list[Path]:
    if isinstance(path, (list, tuple)):
        if not path:
            raise ValueError("open_dataset got an empty list of shards. Received: path=[]")
        paths = []
        for p in path:  # each entry: a shard, a folder or a glob
            paths += _resolve_paths(p, None)
    else:
        s = os.fspath(path)
        p = Path(s)
        if any(c in s for c in "*?["):
            paths = sorted(Path(x) for x in _glob.glob(s))
            if not paths:
                raise FileNotFoundError(f"No file matches the pattern {s!r}.")
        elif p.is_dir():
            paths = sorted(x for x in p.glob("*.h5") if parse_shard_name(x.name))
            if not paths:
                raise FileNotFoundError(f"No shard ({{split}}-NNNNN-of-NNNNN.h5) in the folder {s!r}.")
        elif p.exists():
            paths = [p]
        else:
            raise FileNotFoundError(f"No such dataset folder or shard: {s!r}.")
    if split is not None:
        paths = [p for p in paths if (parse_shard_name(p.name) or ("",))[0] == split]
        if not paths:
            raise FileNotFoundError(f"No shard of split {split!r} in {path!r}.")
    return paths


class ShardDataset:
    """Many shards as one dataset: ``len``, ``ds[i]`` (a dict), iteration, fast batched reads.

    Args:
        paths: shard files.
        on_error: ``"raise"`` (default): an unreadable shard or row raises :class:`ShardError`
            naming the file (and row). ``"skip"``: unreadable shards are left out at opening and
            unreadable rows when read, each with a warning, counted in :attr:`skipped_shards`
            and :attr:`skipped_rows` (counts of the process that read them).

    A sample is the dict of :meth:`synthgen.shards.Shard.rows`: ``image`` (uint8), ``text``,
    ``char_quads``, ``word_quads``, and for scenes ``words`` and ``region``/``affinity``
    (uint8) when the shards store maps; plus ``index``, its index in the dataset.
    """

    def __init__(self, paths, *, on_error: str = "raise"):
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be one of {list(ON_ERROR)}. Received: on_error={on_error!r}")
        self.on_error = on_error
        self.skipped_shards: list[tuple[str, str]] = []
        self.skipped_rows = 0
        shards, sizes = [], []
        for p in paths:
            sh = Shard(p)
            try:
                n = len(sh)
                sh.attrs["charset"], sh.attrs["image_shape"]
            except (ShardError, KeyError, OSError) as e:
                msg = str(e) if isinstance(e, ShardError) else f"Shard {str(p)!r} lacks the shard attributes ({e})."
                if on_error == "raise":
                    raise ShardError(msg + " Pass on_error='skip' to leave it out.") from None
                warnings.warn(f"{msg} Skipped.", stacklevel=3)
                self.skipped_shards.append((str(p), msg))
                continue
            finally:
                sh.close()
            if n > 0:
                shards.append(sh)
                sizes.append(n)
        if not shards:
            raise ShardError(f"No readable shard among {len(paths)} file(s): {[str(p) for p in paths][:3]}...")
        kinds = {s.kind for s in shards}
        charsets = {s.attrs["charset"] for s in shards}
        if len(kinds) > 1:
            first = {k: next(str(s.path) for s in shards if s.kind == k) for k in sorted(kinds)}
            raise ValueError(f"The shards mix kinds {sorted(kinds)} (e.g. {first}); open word crops and scenes as "
                             "separate datasets.")
        if len(charsets) > 1:
            ref = shards[0]
            other = next(s for s in shards if s.attrs["charset"] != ref.attrs["charset"])
            raise ValueError(f"The shards were made with different charsets: {str(ref.path)!r} "
                             f"({len(ref.attrs['charset'])} characters) and {str(other.path)!r} "
                             f"({len(other.attrs['charset'])}); open them as separate datasets.")
        self.shards = shards
        self.sizes = np.array(sizes, np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.kind = kinds.pop()
        self.charset = charsets.pop()
        self.image_shapes = sorted({tuple(int(v) for v in s.attrs["image_shape"]) for s in shards})
        self.has_maps = all(s.has_maps for s in shards)

    def __repr__(self):
        return (f"ShardDataset({len(self)} {self.kind} in {len(self.shards)} shard(s), image {self.image_shapes[0]}"
                f"{', maps' if self.has_maps else ''})")

    def __len__(self) -> int:
        return int(self.starts[-1])

    def locate(self, i: int) -> tuple[int, int]:
        """``(shard number, row)`` of global index ``i``."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"Index {i} is out of range for a dataset of {n} samples.")
        i %= n
        k = int(np.searchsorted(self.starts, i, side="right") - 1)
        return k, int(i - self.starts[k])

    def __getitem__(self, i: int) -> dict:
        k, r = self.locate(int(i))
        row = self.shards[k].rows(r, r + 1)[0]
        row["index"] = int(self.starts[k]) + r
        return row

    def __iter__(self):
        """All samples in order, read in runs of 256 rows."""
        for k, sh in enumerate(self.shards):
            for a in range(0, int(self.sizes[k]), 256):
                yield from self._read_run(k, a, min(a + 256, int(self.sizes[k])), None)

    def _read_run(self, k: int, a: int, b: int, fields) -> list[dict]:
        out = self._read_rows(k, a, b, fields)
        base = int(self.starts[k])
        for r in out:
            r["index"] = base + r.pop("_row")
        return out

    def _read_rows(self, k: int, a: int, b: int, fields) -> list[dict]:
        try:
            rows = self.shards[k].rows(a, b, fields=fields)
            for j, r in enumerate(rows):
                r["_row"] = a + j
            return rows
        except ShardError:
            if self.on_error == "raise" and b - a == 1:
                raise
            if self.on_error == "raise":  # find the row to name it
                for r in range(a, b):
                    self.shards[k].rows(r, r + 1, fields=fields)
                raise
        out = []
        for r in range(a, b):  # skip mode: row by row, leaving out the bad ones
            try:
                row = self.shards[k].rows(r, r + 1, fields=fields)[0]
                row["_row"] = r
                out.append(row)
            except ShardError as e:
                self.skipped_rows += 1
                warnings.warn(f"{e} Skipped.", stacklevel=4)
        return out

    def read(self, indices, *, fields=None) -> list[dict]:
        """The samples at global ``indices`` (in that order), each consecutive run read at once.

        ``fields`` limits what is read (see :meth:`synthgen.shards.Shard.rows`). In skip mode
        unreadable rows are left out, so fewer samples may come back.
        """
        idx = np.asarray(indices, np.int64).reshape(-1)
        if len(idx) == 0:
            return []
        n = len(self)
        if idx.min() < 0 or idx.max() >= n:
            raise IndexError(f"Indices must lie in 0..{n - 1}. Received: min {idx.min()}, max {idx.max()}")
        shard_of = np.searchsorted(self.starts, idx, side="right") - 1
        rows = idx - self.starts[shard_of]
        # runs of consecutive rows in one shard, in the requested order
        brk = np.flatnonzero((np.diff(shard_of) != 0) | (np.diff(rows) != 1)) + 1
        out = []
        for a, b in zip(np.concatenate([[0], brk]), np.concatenate([brk, [len(idx)]])):
            k, r0 = int(shard_of[a]), int(rows[a])
            out += self._read_run(k, r0, r0 + int(b - a), fields)
        return out

    def epoch_order(self, seed: int, epoch: int, *, chunk: int = 16) -> np.ndarray:
        """A permutation of all indices for ``(seed, epoch)``: runs of ``chunk`` consecutive rows, shuffled.

        Every index appears exactly once; the same ``seed`` and ``epoch`` give the same order.
        """
        if chunk < 1:
            raise ValueError(f"chunk must be >= 1. Received: chunk={chunk}")
        heads, lens = [], []
        for k, n in enumerate(self.sizes.tolist()):
            a = np.arange(0, n, chunk)
            heads.append(self.starts[k] + a)
            lens.append(np.minimum(chunk, n - a))
        heads, lens = np.concatenate(heads), np.concatenate(lens)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=(epoch,))))
        perm = rng.permutation(len(heads))
        heads, lens = heads[perm], lens[perm]
        starts = np.repeat(heads - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        return starts + np.arange(int(lens.sum()))

    def close(self) -> None:
        for s in self.shards:
            s.close()


def open_dataset(path, *, split: str | None = None, on_error: str = "raise") -> ShardDataset:
    """Open shards as one dataset.

    Args:
        path: a dataset folder, a glob (``"data/train-*.h5"``), one shard, or a list of any of these.
        split: keep only the shards of this split (the file name prefix: ``train``, ``val``...).
        on_error: ``"raise"`` or ``"skip"`` unreadable shards and rows (see :class:`ShardDataset`).
    """
    return ShardDataset(_resolve_paths(path, split), on_error=on_error)
