import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from synthgen.cli import main as cli
from synthgen.generator import WordGenerator
from synthgen.parallel import generate
from synthgen.shards import Shard, ShardError, verify_shard

FAST = {"height": 32, "width": 128}


def _bytes(d):
    return {p.name: p.read_bytes() for p in sorted(d.glob("*.h5"))}


@pytest.fixture(scope="module")
def gen():
    return WordGenerator(FAST)


def test_roundtrip_matches_the_generated_samples(tmp_path, gen):
    generate(tmp_path, 30, seed=3, shard_size=16, progress=False, generator=gen)
    assert sorted(p.name for p in tmp_path.glob("*.h5")) == ["train-00000-of-00002.h5", "train-00001-of-00002.h5"]
    sh = Shard(tmp_path / "train-00001-of-00002.h5")
    assert len(sh) == 14
    for row in (0, 13):
        s, _ = gen.sample_at(3, 16 + row)
        r = sh[row]
        assert r["text"] == s.text
        assert np.array_equal(r["image"], s.image)
        assert np.array_equal(r["char_quads"], s.char_quads) and np.array_equal(r["word_quads"], s.word_quads)
        assert r["font"] == s.font and r["background"] == s.background
        assert r["params"]["font_size"] == s.params["font_size"]
    assert sh.attrs["first_index"] == 16 and sh.attrs["seed"] == 3
    assert sh.config == gen.config
    assert len(sh.font_table()) == len(gen.fonts) and sh.background_table()[-1] == "procedural:checker"
    assert verify_shard(tmp_path / "train-00000-of-00002.h5") == []


def test_one_and_two_workers_give_identical_bytes(tmp_path, gen):
    generate(tmp_path / "w1", 90, seed=11, shard_size=30, workers=1, progress=False, generator=gen)
    generate(tmp_path / "w2", 90, seed=11, shard_size=30, workers=2, progress=True, generator=gen)
    a, b = _bytes(tmp_path / "w1"), _bytes(tmp_path / "w2")
    assert len(a) == 3 and a == b
    generate(tmp_path / "other", 90, seed=12, shard_size=30, progress=False, generator=gen)
    assert _bytes(tmp_path / "other") != a


def test_no_time_in_the_bytes(tmp_path, gen):
    generate(tmp_path / "a", 10, seed=1, progress=False, generator=gen)
    time.sleep(1.1)
    generate(tmp_path / "b", 10, seed=1, progress=False, generator=gen)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")


def test_killed_run_resumes_to_identical_bytes(tmp_path):
    ref, run = tmp_path / "ref", tmp_path / "run"
    args = ["--count", "1200", "--shard-size", "100", "--seed", "5", "--no-progress"]
    assert cli(["generate", "--out", str(ref)] + args) == 0
    p = subprocess.Popen([sys.executable, "-m", "synthgen.cli", "generate", "--out", str(run)] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(run.glob("*.h5"))) < 3:
        time.sleep(0.02)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    done = list(run.glob("*.h5"))
    assert 3 <= len(done) < 12, "the run should be killed part-way"
    # a crash can leave a half-written temporary file: never under a final name
    (run / "train-00011-of-00012.h5.tmp").write_bytes(b"\x89HDF\r\n half")
    assert cli(["generate", "--out", str(run), "--resume"] + args) == 0
    assert not list(run.glob("*.tmp"))
    assert _bytes(run) == _bytes(ref)


def test_resume_guards(tmp_path, gen, capsys):
    out = tmp_path / "d"
    generate(out, 20, seed=1, shard_size=10, progress=False, generator=gen)
    with pytest.raises(ValueError, match="already holds a dataset.*resume"):
        generate(out, 20, seed=1, shard_size=10, progress=False, generator=gen)
    with pytest.raises(ValueError, match=r"differ.*\['seed'\]"):
        generate(out, 20, seed=2, shard_size=10, resume=True, progress=False, generator=gen)
    before = _bytes(out)
    r = generate(out, 20, seed=1, shard_size=10, resume=True, progress=False, generator=gen)
    assert r["skipped"] == 2 and r["written"] == 0 and _bytes(out) == before


def test_verify_names_a_truncated_shard(tmp_path, gen, capsys):
    generate(tmp_path, 40, seed=1, shard_size=20, progress=False, generator=gen)
    assert cli(["verify", str(tmp_path)]) == 0
    bad = tmp_path / "train-00001-of-00002.h5"
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    capsys.readouterr()
    assert cli(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"BAD {bad}" in out and "train-00000" not in out.replace("of-00002.h5 ", "")
    with pytest.raises(ShardError, match="train-00001-of-00002.h5"):
        Shard(bad)[0]
    assert len(Shard(tmp_path / "train-00000-of-00002.h5")) == 20  # the other shard stays readable


def test_verify_catches_broken_invariants(tmp_path, gen):
    generate(tmp_path, 10, seed=1, progress=False, generator=gen)
    path = tmp_path / "train-00000-of-00001.h5"
    with h5py.File(path, "r+") as f:
        q = f["char_quads"][()]
        q[0, 0, 0] = 500.0
        f["char_quads"][...] = q
        del f["text"]
        f.create_dataset("text", data=["\u20ac"] * 10, dtype=h5py.string_dtype())
    problems = verify_shard(path)
    assert any("outside the 128x32 image" in p for p in problems)
    assert any("outside the charset" in p for p in problems)


def test_missing_shard_is_reported(tmp_path, gen, capsys):
    generate(tmp_path, 20, seed=1, shard_size=10, progress=False, generator=gen)
    (tmp_path / "train-00001-of-00002.h5").unlink()
    assert cli(["verify", str(tmp_path)]) == 1
    assert "MISSING 1 shard" in capsys.readouterr().out


def test_bad_arguments_are_clear_errors(tmp_path, gen):
    for kw, msg in [({"count": 0}, "count must be"), ({"count": 5, "workers": -1}, "workers must be"),
                    ({"count": 5, "shard_size": 0}, "shard_size must be"), ({"count": 5, "seed": -3}, "seed must be"),
                    ({"count": 5, "split": "a/b"}, "split must be")]:
        count = kw.pop("count")
        with pytest.raises(ValueError, match=msg):
            generate(tmp_path / "x", count, progress=False, generator=gen, **kw)
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="Cannot create the output folder"):
        generate(f / "sub", 5, progress=False, generator=gen)
    with pytest.raises(ValueError, match="exists and is not a folder"):
        generate(f, 5, progress=False, generator=gen)


def test_manifest(tmp_path, gen):
    generate(tmp_path, 25, seed=4, shard_size=10, split="val", progress=False, generator=gen)
    m = json.loads((tmp_path / "synthgen.json").read_text())
    assert m["num_shards"] == 3 and m["split"] == "val" and m["config"] == gen.config
    assert (tmp_path / "val-00002-of-00003.h5").exists()


def test_resume_without_manifest_never_deletes_complete_shards_of_other_settings(tmp_path, gen):
    out = tmp_path / "d"
    generate(out, 20, seed=1, shard_size=10, progress=False, generator=gen)
    (out / "synthgen.json").unlink()
    before = _bytes(out)
    with pytest.raises(ValueError, match=r"complete shard .*train-00000-of-00002.h5.*seed 1.*Nothing was changed"):
        generate(out, 20, seed=2, shard_size=10, resume=True, progress=False, generator=gen)
    assert _bytes(out) == before and not (out / "synthgen.json").exists()
    with pytest.raises(ValueError, match="another number of shards"):
        generate(out, 40, seed=1, shard_size=10, resume=True, progress=False, generator=gen)
    assert _bytes(out) == before
    # the same settings: the manifest is written again and nothing is regenerated
    r = generate(out, 20, seed=1, shard_size=10, resume=True, progress=False, generator=gen)
    assert r["skipped"] == 2 and r["written"] == 0 and _bytes(out) == before


def test_resume_regenerates_a_shard_whose_rows_disagree_with_its_count(tmp_path, gen):
    out = tmp_path / "d"
    generate(out, 20, seed=1, shard_size=10, progress=False, generator=gen)
    before = _bytes(out)
    bad = out / "train-00001-of-00002.h5"
    with h5py.File(bad, "r+") as f:
        f.attrs["count"] = 7
    with pytest.warns(UserWarning, match="train-00001-of-00002.h5.*generated again"):
        r = generate(out, 20, seed=1, shard_size=10, resume=True, progress=False, generator=gen)
    assert r["written"] == 1 and _bytes(out) == before


def test_out_of_range_arguments_fail_before_anything_is_written(tmp_path, gen):
    with pytest.raises(ValueError, match=r"seed must be an integer in 0 .. 2\*\*63-1"):
        generate(tmp_path / "s", 10, seed=2**64, progress=False, generator=gen)
    with pytest.raises(ValueError, match="more than 100,000 shards.*shard_size"):
        generate(tmp_path / "c", 10**15, progress=False, generator=gen)
    assert not (tmp_path / "s").exists() and not (tmp_path / "c").exists()
    with pytest.warns(UserWarning, match="workers=10000 is more than helps.*using"):
        r = generate(tmp_path / "w", 20, seed=1, shard_size=10, workers=10000, progress=False, generator=gen)
    assert r["written"] == 2


def test_a_write_failure_is_a_clear_error_and_resume_completes_the_run(tmp_path):
    """A file-size limit (EFBIG) while writing a shard: the path is named, no shard is left under its final
    name, and --resume later gives the bytes of an uninterrupted run."""
    ref, run = tmp_path / "ref", tmp_path / "run"
    args = ["--count", "40", "--shard-size", "20", "--seed", "5", "--no-progress"]
    assert cli(["generate", "--out", str(ref)] + args) == 0
    limit = min(p.stat().st_size for p in ref.glob("*.h5")) // 2
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
            "from synthgen.cli import main; sys.exit(main(sys.argv[1:]))")
    r = subprocess.run([sys.executable, "-c", code, "generate", "--out", str(run)] + args, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "Cannot write the shard" in r.stderr and "train-00000-of-00002.h5" in r.stderr and "--resume" in r.stderr
    assert not list(run.glob("*.h5")) and not list(run.glob("*.tmp"))
    assert cli(["generate", "--out", str(run), "--resume"] + args) == 0
    assert _bytes(run) == _bytes(ref)
