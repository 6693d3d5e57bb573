"""Keras PyDatasets and tf.data adapters over synthgen shards."""

import hashlib
import os
import shutil

import numpy as np
import pytest

import ocrmodels
import synthgen
from synthgen import ShardError, generate, open_dataset
from synthgen.heatmaps import craft_maps

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    d = tmp_path_factory.mktemp("scenes")
    generate(d, 6, kind="scenes", shard_size=3, progress=False, config={"canvas_height": 192, "canvas_width": 192})
    return d


def _digest(img) -> str:
    return hashlib.sha1(np.ascontiguousarray(img).tobytes()).hexdigest()


def _epoch_batches(pyds, adapter_cls):
    adapter = adapter_cls(pyds, shuffle=False)
    adapter.on_epoch_begin()
    out = [(np.asarray(x), np.asarray(y)) for x, y in adapter.get_numpy_iterator()]
    adapter.on_epoch_end()
    return out


def test_recognition_batches_every_sample_once_per_epoch_and_same_order_for_a_seed(words):
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    ds = open_dataset(words)
    want = sorted(_digest(r["image"].astype(np.float32) * np.float32(1 / 255)) for r in ds)
    runs = []
    for _ in range(2):
        pyds = ocrmodels.RecognitionDataset(words, 16, seed=5, workers=2, use_multiprocessing=True)
        epochs = [_epoch_batches(pyds, PyDatasetAdapter) for _ in range(2)]
        runs.append(epochs)
        for batches in epochs:
            assert sum(len(x) for x, _ in batches) == 120
            got = sorted(_digest(img[..., 0]) for x, _ in batches for img in x)
            assert got == want  # every crop exactly once
    for e in range(2):  # same seed: the same batches in the same order
        assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(runs[0][e], runs[1][e]))
    assert not np.array_equal(runs[0][0][0][0], runs[0][1][0][0])  # a new order each epoch
    x, y = runs[0][0][0]
    assert x.dtype == np.float32 and x.shape == (16, 32, 128, 1) and 0 <= x.min() and x.max() <= 1
    assert y.dtype == np.int32 and y.shape == (16, 25)
    # labels decode back to the texts of the crops in the batch
    pyds = ocrmodels.RecognitionDataset(words, 16, seed=5)
    texts = [r["text"] for r in ds.read(pyds.batch_indices(0, 0))]
    assert ["".join(pyds.vocabulary[i - 1] for i in row if i > 0) for row in y] == texts


def _ctc_model(vocab_size):
    import keras

    inp = keras.Input((32, 128, 1))
    h = keras.layers.Conv2D(8, 3, strides=(4, 4), padding="same", activation="relu")(inp)  # 8 x 32 x 8
    h = keras.layers.Permute((2, 1, 3))(h)
    h = keras.layers.Reshape((32, 64))(h)
    out = keras.layers.Dense(vocab_size + 1, activation="softmax")(h)
    model = keras.Model(inp, out)

    def ctc(y_true, y_pred):
        y_true = keras.ops.cast(y_true, "int32")
        lengths = keras.ops.sum(keras.ops.cast(y_true >= 0, "int32"), axis=-1)
        target = keras.ops.where(y_true < 0, 0, y_true)
        out_len = keras.ops.full((keras.ops.shape(y_pred)[0],), 32, dtype="int32")
        return keras.ops.ctc_loss(target, y_pred, lengths, out_len, mask_index=0)

    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=ctc, jit_compile=False)
    return model


def test_tiny_ctc_model_trains_through_pydataset_and_tf_data(words):
    pyds = ocrmodels.RecognitionDataset(words, 32, seed=1, workers=2, use_multiprocessing=True, max_queue_size=4)
    model = _ctc_model(len(pyds.vocabulary))
    h = model.fit(pyds, epochs=2, shuffle=False, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()
    tfds = ocrmodels.recognition_tf_dataset(words, 32, seed=1)
    h = model.fit(tfds, epochs=2, shuffle=False, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()
    # tf.data yields the same batches as the PyDataset, epoch after epoch
    for epoch in range(2):
        batches = list(tfds)
        assert len(batches) == len(pyds) == 4
        assert np.array_equal(batches[1][0].numpy(), pyds.get_batch(1, epoch + 2)[0])  # fit above used epochs 0, 1
        assert np.array_equal(batches[1][1].numpy(), pyds.get_batch(1, epoch + 2)[1])


def test_stored_maps_of_an_older_map_version_are_rebuilt(scenes, tmp_path):
    import h5py

    old = tmp_path / "old"
    shutil.copytree(scenes, old)
    for p in old.glob("*.h5"):
        with h5py.File(p, "r+") as f:
            f["region"][...] = 7  # stand-ins for maps of the first algorithm
            del f.attrs["map_version"]
    _, y_old = ocrmodels.DetectionDataset(old, 3, size=192, augment=False, shuffle=False)[0]
    _, y_new = ocrmodels.DetectionDataset(scenes, 3, size=192, augment=False, shuffle=False)[0]
    assert np.abs(y_old - y_new).max() <= 1 / 255 + 1e-6  # rebuilt from the quads, not read


def test_with_lengths(words):
    pyds = ocrmodels.RecognitionDataset(words, 8, with_lengths=True, shuffle=False)
    x, y = pyds[0]
    texts = [synthgen.read_shard(words / "train-00000-of-00003.h5")[i]["text"] for i in range(8)]
    assert list(y["label_length"]) == [len(t) for t in texts] and (y["labels"][:, :1] > 0).all()


def test_detection_dataset_trains_and_maps_follow_the_moved_quads(scenes):
    import keras

    pyds = ocrmodels.DetectionDataset(scenes, 2, size=128, seed=2, workers=2, use_multiprocessing=True)
    x, y = pyds[0]
    assert x.shape == (2, 128, 128, 3) and y.shape == (2, 64, 64, 2) and x.dtype == y.dtype == np.float32
    assert -2.2 < x.min() and x.max() < 2.7 and y[..., 0].max() > 0.5
    # the maps are those of the quads moved by the same rescale and crop as the image
    ds = open_dataset(scenes)
    row = ds.read(pyds.batch_indices(0, 0))[0]
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=2, spawn_key=(0, row["index"]))))
    xi, yi = pyds.sample(row, rng)
    assert np.array_equal(xi, x[0]) and np.array_equal(yi, y[0])
    # without augmentation at the canvas size, the stored maps are used as they are
    plain = ocrmodels.DetectionDataset(scenes, 3, size=192, augment=False, shuffle=False)
    _, yp = plain[0]
    stored = synthgen.read_shard(scenes / "train-00000-of-00002.h5")[0]
    assert np.array_equal(yp[0, ..., 0], stored["region"].astype(np.float32) * np.float32(1 / 255))
    r, _ = craft_maps(stored["char_quads"], synthgen.word_ids_from_text(stored["text"]), 192, 192)
    assert np.abs(yp[0, ..., 0] - r).max() <= 1 / 255 + 1e-6

    inp = keras.Input((128, 128, 3))
    h = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(inp)
    out = keras.layers.Conv2D(2, 1, activation="sigmoid")(h)
    model = keras.Model(inp, out)
    model.compile(optimizer="adam", loss="mse", jit_compile=False)
    hist = model.fit(pyds, epochs=1, shuffle=False, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    hist = model.fit(ocrmodels.detection_tf_dataset(scenes, 2, size=128), epochs=1, shuffle=False, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()


def test_bad_arguments(words, scenes):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        ocrmodels.RecognitionDataset(words, 0)
    with pytest.raises(ValueError, match="reads word crops; these shards hold scenes"):
        ocrmodels.RecognitionDataset(scenes)
    with pytest.raises(ValueError, match="scale must be a pair"):
        ocrmodels.DetectionDataset(scenes, scale=(2, 1))


def test_skip_mode_reaches_the_adapters(words, tmp_path):
    d = tmp_path / "d"
    shutil.copytree(words, d, ignore=shutil.ignore_patterns("val"))
    bad = d / "train-00001-of-00003.h5"
    bad.write_bytes(bad.read_bytes()[:1000])
    with pytest.raises(ShardError, match="train-00001-of-00003.h5"):
        ocrmodels.RecognitionDataset(d)
    with pytest.warns(UserWarning, match="train-00001-of-00003.h5"):
        pyds = ocrmodels.RecognitionDataset(d, 16, on_error="skip")
    assert len(pyds) == 5 and sum(len(pyds[i][0]) for i in range(5)) == 80
