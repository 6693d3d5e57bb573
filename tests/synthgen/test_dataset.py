"""Dataset API (framework-free part): open_dataset, random access, epoch orders, bad shards."""

import multiprocessing
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pytest

import synthgen
from synthgen import ShardError, open_dataset


def test_open_dataset_forms_and_random_access(words):
    ds = open_dataset(words)
    assert len(ds) == 120 and ds.kind == "words" and len(ds.shards) == 3
    assert len(open_dataset(str(words / "train-*.h5"))) == 120
    assert len(open_dataset(sorted(words.glob("*.h5"))[:2])) == 80
    assert len(open_dataset(words / "train-00001-of-00003.h5")) == 40
    assert len(open_dataset(words / "val", split="val")) == 20
    with pytest.raises(FileNotFoundError, match="No shard of split 'test'"):
        open_dataset(words, split="test")
    ref = synthgen.read_shard(words / "train-00001-of-00003.h5")[5]
    got = ds[45]
    assert got["text"] == ref["text"] and np.array_equal(got["image"], ref["image"]) and got["index"] == 45
    assert np.array_equal(got["char_quads"], ref["char_quads"])
    assert [r["text"] for r in ds][40:45] == [ds[i]["text"] for i in range(40, 45)]
    batch = ds.read([44, 45, 46, 3, 119])
    assert [r["index"] for r in batch] == [44, 45, 46, 3, 119] and batch[1]["text"] == ref["text"]
    with pytest.raises(IndexError):
        ds[120]


def _read_in_child(ds, q):
    q.put([r["text"] for r in ds.read(range(30, 50))])


def test_pickles_and_reads_after_fork(words):
    ds = open_dataset(words)
    expect = [r["text"] for r in ds.read(range(30, 50))]  # handles now open in this process
    clone = pickle.loads(pickle.dumps(ds))
    assert [r["text"] for r in clone.read(range(30, 50))] == expect
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_read_in_child, args=(ds, q))
    p.start()
    got = q.get(timeout=60)
    p.join(60)
    assert got == expect


def test_epoch_order_is_a_reproducible_permutation(words):
    ds = open_dataset(words)
    a, b = ds.epoch_order(7, 0), ds.epoch_order(7, 0)
    assert np.array_equal(a, b) and sorted(a.tolist()) == list(range(120))
    assert not np.array_equal(a, ds.epoch_order(7, 1)) and not np.array_equal(a, ds.epoch_order(8, 0))
    assert not np.array_equal(a, np.arange(120))


def test_truncated_shard_is_named_or_skipped(words, tmp_path):
    d = tmp_path / "d"
    shutil.copytree(words, d, ignore=shutil.ignore_patterns("val"))
    bad = d / "train-00001-of-00003.h5"
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ShardError, match="train-00001-of-00003.h5"):
        open_dataset(d)
    with pytest.warns(UserWarning, match="train-00001-of-00003.h5"):
        ds = open_dataset(d, on_error="skip")
    assert len(ds) == 80 and len(ds.skipped_shards) == 1 and len(list(ds)) == 80
    assert [r["index"] for r in ds.read(range(38, 42))] == [38, 39, 40, 41]


def test_corrupt_row_is_named_or_skipped(words, tmp_path):
    import h5py

    path = tmp_path / "train-00000-of-00001.h5"
    shutil.copy(words / "train-00000-of-00003.h5", path)
    with h5py.File(path, "r+") as f:
        o = f["image_offsets"][7:9]
        f["image_data"][o[0] : o[1]] = 0  # row 7's JPEG bytes zeroed
    ds = open_dataset(path)
    with pytest.raises(ShardError, match=r"train-00000-of-00001.h5.*row 7"):
        ds.read(range(0, 16))
    skip = open_dataset(path, on_error="skip")
    with pytest.warns(UserWarning, match="row 7"):
        rows = skip.read(range(0, 16))
    assert [r["index"] for r in rows] == [i for i in range(16) if i != 7] and skip.skipped_rows == 1


def test_bad_arguments(words):
    with pytest.raises(ValueError, match="on_error must be one of"):
        open_dataset(words, on_error="ignore")
    with pytest.raises(FileNotFoundError, match="No such dataset folder"):
        open_dataset(words / "nope")


def test_reading_imports_no_framework(words):
    code = ("import synthgen, sys; ds = synthgen.open_dataset(sys.argv[1]); ds.read(ds.epoch_order(0, 0)[:32]); "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code, str(words)], check=True)


def _damage(path, how):
    import h5py

    with h5py.File(path, "r+") as f:
        if how == "missing dataset":
            del f["background"]
        elif how == "offsets past the end":
            o = f["char_offsets"][()]
            o[-1] += 1000
            f["char_offsets"][...] = o
        elif how == "count disagrees":
            f.attrs["count"] = 41
        elif how == "unknown schema":
            f.attrs["schema_version"] = 99
        elif how == "non-monotonic offsets":
            o = f["image_offsets"][()]
            o[5], o[6] = o[6], o[5]
            f["image_offsets"][...] = o


@pytest.mark.parametrize("how, match", [
    ("missing dataset", "no 'background' dataset"),
    ("offsets past the end", "'char_offsets' is not a valid index"),
    ("count disagrees", "has 40 rows but the count attribute says 41"),
    ("unknown schema", "schema_version 99"),
    ("non-monotonic offsets", "'image_offsets' is not a valid index"),
])
def test_damaged_shards_raise_shard_error_naming_the_file_or_are_skipped(words, tmp_path, how, match, capsys):
    from synthgen.cli import main as cli

    d = tmp_path / "d"
    shutil.copytree(words, d, ignore=shutil.ignore_patterns("val"))
    bad = d / "train-00001-of-00003.h5"
    _damage(bad, how)
    with pytest.raises(ShardError, match=f"train-00001-of-00003.h5.*{match}"):
        open_dataset(d)[50]
    with pytest.warns(UserWarning, match="train-00001-of-00003.h5"):
        ds = open_dataset(d, on_error="skip")
    assert len(ds) == 80 and len(list(ds)) == 80
    capsys.readouterr()
    for cmd in (["inspect", str(d)], ["preview", str(d), "--out", str(tmp_path / "s.png")]):
        assert cli(cmd) == 2
        assert "train-00001-of-00003.h5" in capsys.readouterr().err
    assert cli(["verify", str(d)]) == 1


def test_a_charset_mismatch_names_both_files(words, tmp_path):
    from synthgen import generate

    generate(tmp_path / "abc", 4, config={"charset": "abcdefghijklmnopqrstuvwxyz"}, progress=False)
    with pytest.raises(ValueError, match=r"different charsets: .*train-00000-of-00003.h5.*92 characters.*abc.*26"):
        open_dataset([words, tmp_path / "abc"])
