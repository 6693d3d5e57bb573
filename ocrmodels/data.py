"""Keras 3 ``PyDataset`` and ``tf.data`` adapters over :func:`synthgen.open_dataset`.

The framework side of the dataset API: ``synthgen`` (generation and the plain-Python
dataset) never imports Keras or TensorFlow; this module does. Batches are built with NumPy
and OpenCV only, so they are safe in forked worker processes (``workers=2,
use_multiprocessing=True``).

- :class:`RecognitionDataset`: ``(images, labels)``: float32 ``[B, 32, 128, 1]`` in 0..1
  (grey; RGB crops are converted as the Recognizer does, other sizes resized), int32 ``[B, max_label_length]`` char
  ids 1..V (0 is the CTC blank) padded with ``-1``; with ``with_lengths`` the targets are
  ``{"labels": ..., "label_length": int32 [B]}``.
- :class:`DetectionDataset`: ``(images, maps)``: float32 ``[B, S, S, 3]`` normalised with the
  ImageNet mean/std, float32 ``[B, S/2, S/2, 2]`` (region, affinity), after a random
  rescale and crop applied to the image and its char quads; maps are then built from the
  moved quads with :func:`synthgen.heatmaps.craft_maps`.

Both shuffle per epoch from ``seed`` (reproducibly, whatever the worker count). Keras'
``fit(shuffle=True)`` additionally shuffles the order of batches with Python's global
``random``: pass ``shuffle=False`` to ``fit`` for a fully reproducible order.
"""

from __future__ import annotations

import math
import os

import cv2
import keras
import numpy as np

from synthgen.charset import Charset
from synthgen.dataset import ShardDataset, open_dataset
from synthgen.effects import to_grey
from synthgen.heatmaps import MAP_VERSION, craft_maps, word_ids_from_text

__all__ = ["RecognitionDataset", "DetectionDataset", "recognition_tf_dataset", "detection_tf_dataset", "encode_labels",
           "IMAGENET_MEAN", "IMAGENET_STD"]

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32) * 255


def encode_labels(texts, charset: Charset, max_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Texts -> int32 ``[B, max_length]`` ids ``1..len(charset)`` padded with -1, and int32 lengths.

    Raises ``ValueError`` for a character outside the charset or a text longer than ``max_length``.
    """
    lut = {c: i + 1 for i, c in enumerate(charset.chars)}
    out = np.full((len(texts), max_length), -1, np.int32)
    lens = np.zeros(len(texts), np.int32)
    for k, t in enumerate(texts):
        if len(t) > max_length:
            raise ValueError(f"Label {t!r} has {len(t)} characters, more than max_label_length={max_length}.")
        try:
            out[k, : len(t)] = [lut[c] for c in t]
        except KeyError as e:
            raise ValueError(f"Label {t!r} holds {e.args[0]!r}, which is outside the charset.") from None
        lens[k] = len(t)
    return out, lens


def _as_dataset(data, on_error) -> ShardDataset:
    return data if isinstance(data, ShardDataset) else open_dataset(data, on_error=on_error)


def _attach(name: str, shape, dtype) -> np.ndarray:
    """Unpickling side of :class:`_SharedBatch`: copy the block out, then free it."""
    from multiprocessing import shared_memory

    shm = shared_memory.SharedMemory(name=name)
    try:
        return np.ndarray(shape, dtype, buffer=shm.buf).copy()
    finally:
        shm.close()
        shm.unlink()


class _SharedBatch(np.ndarray):
    """An array that crosses a process boundary through shared memory instead of the pipe.

    Keras' process workers send batches back pickled through a pipe; for float32 images that
    copy costs more than making the batch. Pickling this array puts its bytes in a
    ``multiprocessing.shared_memory`` block (one copy) and the receiving process copies them
    out and unlinks the block (see :func:`_attach`).
    """

    def __reduce__(self):
        from multiprocessing import shared_memory

        arr = np.ascontiguousarray(self).view(np.ndarray)
        shm = shared_memory.SharedMemory(create=True, size=max(arr.nbytes, 1))
        try:
            np.ndarray(arr.shape, arr.dtype, buffer=shm.buf)[...] = arr
        finally:
            shm.close()
        return _attach, (shm.name, arr.shape, arr.dtype.str)


class _Base(keras.utils.PyDataset):
    def __init__(self, data, batch_size, seed, shuffle, chunk, drop_remainder, on_error, kwargs):
        super().__init__(**kwargs)  # workers, use_multiprocessing, max_queue_size
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer. Received: batch_size={batch_size!r}")
        self.data = _as_dataset(data, on_error)
        self.batch_size = batch_size
        self.seed = int(seed)
        self.shuffle = bool(shuffle)
        self.chunk = int(chunk)
        self.drop_remainder = bool(drop_remainder)
        self.epoch = 0
        self._pid = os.getpid()
        if self.use_multiprocessing:
            # one resource tracker, started here, is inherited by the workers: a shared-memory
            # block made by a worker and freed here is then tracked once, and one never
            # received is removed when this process exits
            from multiprocessing import resource_tracker

            resource_tracker.ensure_running()
        self._order = None
        self._order_epoch = None
        if len(self) == 0:
            raise ValueError(f"{len(self.data)} samples make no batch of {batch_size} with drop_remainder=True.")

    def __len__(self) -> int:
        n = len(self.data)
        return n // self.batch_size if self.drop_remainder else math.ceil(n / self.batch_size)

    def order(self, epoch: int | None = None) -> np.ndarray:
        """Sample indices of ``epoch`` (default: the current one) in batch order."""
        epoch = self.epoch if epoch is None else epoch
        if self._order_epoch != epoch:
            self._order = (self.data.epoch_order(self.seed, epoch, chunk=self.chunk) if self.shuffle
                           else np.arange(len(self.data)))
            self._order_epoch = epoch
        return self._order

    def batch_indices(self, index: int, epoch: int | None = None) -> np.ndarray:
        if not 0 <= index < len(self):
            raise IndexError(f"Batch {index} is out of range for {len(self)} batches.")
        return self.order(epoch)[index * self.batch_size : (index + 1) * self.batch_size]

    def __getitem__(self, index: int):
        x, y = self.get_batch(index, self.epoch)
        if self.use_multiprocessing and os.getpid() != self._pid:
            x = x.view(_SharedBatch)  # in a worker process: large arrays travel through shared memory
            if isinstance(y, np.ndarray) and y.nbytes > (1 << 16):
                y = y.view(_SharedBatch)
        return x, y

    def on_epoch_end(self):
        self.epoch += 1

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_order"] = state["_order_epoch"] = None
        return state


class RecognitionDataset(_Base):
    """Word crops for a CTC recognizer, as a Keras ``PyDataset``.

    Args:
        data: a :class:`~synthgen.dataset.ShardDataset` or anything :func:`~synthgen.open_dataset` takes.
        batch_size: crops per batch.
        seed: the shuffling seed; epoch ``e`` is ordered by ``(seed, e)``.
        shuffle: shuffle each epoch (off for validation).
        height, width: model input size; crops of another size are resized.
        max_label_length: label width (default: the longest a generator makes, 25).
        with_lengths: targets as ``{"labels", "label_length"}`` instead of the padded labels.
        chunk: consecutive rows kept together when shuffling (see :meth:`ShardDataset.epoch_order`).
        drop_remainder: leave out the last, smaller batch.
        on_error: ``"raise"`` or ``"skip"`` unreadable shards and rows.
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size`` (Keras ``PyDataset``).
    """

    def __init__(self, data, batch_size: int = 64, *, seed: int = 0, shuffle: bool = True, height: int = 32,
                 width: int = 128, max_label_length: int = 25, with_lengths: bool = False, chunk: int = 16,
                 drop_remainder: bool = False, on_error: str = "raise", **kwargs):
        super().__init__(data, batch_size, seed, shuffle, chunk, drop_remainder, on_error, kwargs)
        if self.data.kind != "words":
            raise ValueError(f"RecognitionDataset reads word crops; these shards hold {self.data.kind}.")
        self.charset = Charset(self.data.charset)
        self.height, self.width = int(height), int(width)
        self.max_label_length = int(max_label_length)
        self.with_lengths = bool(with_lengths)

    @property
    def vocabulary(self) -> str:
        """Characters of ids 1..V (id 0 is the CTC blank)."""
        return self.charset.chars

    def get_batch(self, index: int, epoch: int):
        rows = self.data.read(self.batch_indices(index, epoch), fields=("image", "text"))
        x = np.empty((len(rows), self.height, self.width, 1), np.float32)
        for k, r in enumerate(rows):
            img = r["image"]
            if img.ndim == 3:
                img = to_grey(img)  # as the Recognizer converts colour crops
            if img.shape != (self.height, self.width):
                img = cv2.resize(img, (self.width, self.height), interpolation=cv2.INTER_AREA)
            x[k, :, :, 0] = img
        x *= np.float32(1 / 255)
        labels, lengths = encode_labels([r["text"] for r in rows], self.charset, self.max_label_length)
        if self.with_lengths:
            return x, {"labels": labels, "label_length": lengths}
        return x, labels


class DetectionDataset(_Base):
    """Scenes (or any shards with char quads) for a CRAFT detector, as a Keras ``PyDataset``.

    Each sample is rescaled by a random factor in ``scale`` and a ``size x size`` window is
    cropped at a random place (padded with the ImageNet mean where the image is smaller);
    the same affine moves the char quads, and the region/affinity maps are built from them
    at ``map_scale``. With ``augment=False`` the image is resized to ``size x size``, and
    stored maps are used as they are when they already have the output size and the current
    ``map_version`` (older ones are rebuilt from the quads).

    Args:
        data, batch_size, seed, shuffle, chunk, drop_remainder, on_error, **kwargs: as for
            :class:`RecognitionDataset`.
        size: output image side.
        scale: range of the random rescale factor.
        augment: random rescale and crop (training) or a plain resize (evaluation).
        map_scale: map resolution relative to the output image (CRAFT: 0.5).
    """

    def __init__(self, data, batch_size: int = 8, *, size: int = 384, scale=(0.6, 1.4), augment: bool = True,
                 map_scale: float = 0.5, seed: int = 0, shuffle: bool = True, chunk: int = 4,
                 drop_remainder: bool = False, on_error: str = "raise", **kwargs):
        super().__init__(data, batch_size, seed, shuffle, chunk, drop_remainder, on_error, kwargs)
        if not (isinstance(scale, (tuple, list)) and len(scale) == 2 and 0 < scale[0] <= scale[1]):
            raise ValueError(f"scale must be a pair 0 < low <= high. Received: scale={scale!r}")
        self.size = int(size)
        self.scale = (float(scale[0]), float(scale[1]))
        self.augment = bool(augment)
        self.map_scale = float(map_scale)
        self.map_size = max(1, int(round(self.size * self.map_scale)))
        # stored maps of an older map algorithm are rebuilt from the quads
        self._stale = [int(sh.attrs.get("map_version", 1)) != MAP_VERSION for sh in self.data.shards]

    def sample(self, row: dict, rng: np.random.Generator):
        """One ``(image, maps)`` pair from a dataset row (exposed for tests and custom pipelines)."""
        img = row["image"]
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
        h, w = img.shape[:2]
        S = self.size
        quads = np.asarray(row["char_quads"], np.float32)
        ids = word_ids_from_text(row["text"])
        if self.augment:
            s = float(np.exp(rng.uniform(np.log(self.scale[0]), np.log(self.scale[1]))))
            tx = rng.uniform(min(0.0, S - w * s), max(0.0, S - w * s))
            ty = rng.uniform(min(0.0, S - h * s), max(0.0, S - h * s))
            sx = sy = s
        else:
            sx, sy, tx, ty = S / w, S / h, 0.0, 0.0
        # pixel centres at integers: x' = (x + 0.5) * s - 0.5 + t
        m = np.array([[sx, 0, 0.5 * sx - 0.5 + tx], [0, sy, 0.5 * sy - 0.5 + ty]], np.float32)
        interp = cv2.INTER_AREA if max(sx, sy) < 1 else cv2.INTER_LINEAR
        out = cv2.warpAffine(img, m, (S, S), flags=interp, borderMode=cv2.BORDER_CONSTANT,
                             borderValue=tuple(float(v) for v in IMAGENET_MEAN))
        x = (out.astype(np.float32) - IMAGENET_MEAN) / IMAGENET_STD
        stored = row.get("region")
        if not self.augment and stored is not None and stored.shape == (self.map_size, self.map_size):
            y = np.stack([stored, row["affinity"]], -1).astype(np.float32) * np.float32(1 / 255)
        else:
            q = quads @ m[:, :2].T + m[:, 2]
            region, affinity = craft_maps(q, ids, S, S, scale=self.map_scale)
            y = np.stack([region, affinity], -1)
        return x, y

    def get_batch(self, index: int, epoch: int):
        idx = self.batch_indices(index, epoch)
        rows = self.data.read(idx, fields=("image", "text", "char_quads", "region", "affinity"))
        x = np.empty((len(rows), self.size, self.size, 3), np.float32)
        y = np.empty((len(rows), self.map_size, self.map_size, 2), np.float32)
        for k, r in enumerate(rows):
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=self.seed, spawn_key=(epoch, r["index"]))))
            if self._stale[self.data.locate(r["index"])[0]]:
                r.pop("region", None)
            x[k], y[k] = self.sample(r, rng)
        return x, y


def _tf_dataset(pyds: _Base, signature, parallel: int | None):
    import tensorflow as tf

    state = {"epoch": -1}

    def batches():
        state["epoch"] += 1  # each new iteration (one per fit epoch) is the next epoch
        for b in range(len(pyds)):
            yield state["epoch"], b

    def load(epoch, b):
        out = pyds.get_batch(int(b), int(epoch))
        if isinstance(out[1], dict):
            return out[0], out[1]["labels"], out[1]["label_length"]
        return out

    idx = tf.data.Dataset.from_generator(batches, output_signature=(tf.TensorSpec((), tf.int64), tf.TensorSpec((), tf.int64)))
    dtypes = [s.dtype for s in signature]

    def fetch(e, b):
        res = tf.numpy_function(load, [e, b], dtypes, stateful=False)
        for t, s in zip(res, signature):
            t.set_shape(s.shape)
        if len(res) == 3:
            return res[0], {"labels": res[1], "label_length": res[2]}
        return tuple(res)

    idx = idx.apply(tf.data.experimental.assert_cardinality(len(pyds)))
    ds = idx.map(fetch, num_parallel_calls=parallel or tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def recognition_tf_dataset(data, batch_size: int = 64, *, parallel: int | None = None, **kwargs):
    """A ``tf.data.Dataset`` of the same batches as :class:`RecognitionDataset` (same arguments).

    Each iteration over it (one per ``fit`` epoch) is the next epoch of the shuffle.
    ``parallel`` batches are read at once (threads; default: autotuned).
    """
    import tensorflow as tf

    pyds = RecognitionDataset(data, batch_size, **kwargs)
    sig = [tf.TensorSpec((None, pyds.height, pyds.width, 1), tf.float32),
           tf.TensorSpec((None, pyds.max_label_length), tf.int32)]
    if pyds.with_lengths:
        sig.append(tf.TensorSpec((None,), tf.int32))
    return _tf_dataset(pyds, sig, parallel)


def detection_tf_dataset(data, batch_size: int = 8, *, parallel: int | None = None, **kwargs):
    """A ``tf.data.Dataset`` of the same batches as :class:`DetectionDataset` (same arguments)."""
    import tensorflow as tf

    pyds = DetectionDataset(data, batch_size, **kwargs)
    sig = [tf.TensorSpec((None, pyds.size, pyds.size, 3), tf.float32),
           tf.TensorSpec((None, pyds.map_size, pyds.map_size, 2), tf.float32)]
    return _tf_dataset(pyds, sig, parallel)
