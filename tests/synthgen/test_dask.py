"""Shards on a Dask cluster (a LocalCluster of worker processes on the loopback): the local backend's bytes,
a worker killed mid-run, an unreachable scheduler, a missing extra."""

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from synthgen import generate, verify_shard
from synthgen.cli import main

distributed = pytest.importorskip("dask.distributed")

SCENES = {"canvas_height": 192, "canvas_width": 192, "blocks": [2, 3]}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1", silence_logs=40) as cl, distributed.Client(cl) as client:
        yield cl, client


def _same_files(a: Path, b: Path):
    names = sorted(p.name for p in a.glob("*.h5"))
    assert names and names == sorted(p.name for p in b.glob("*.h5"))
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    assert not list(a.glob("*.tmp"))


def test_dask_shards_are_the_local_backend_s_bytes(cluster, tmp_path):
    _, client = cluster
    generate(tmp_path / "local-w", 900, seed=7, shard_size=150, progress=False)
    generate(tmp_path / "dask-w", 900, seed=7, shard_size=150, progress=False, scheduler=client)
    _same_files(tmp_path / "dask-w", tmp_path / "local-w")
    generate(tmp_path / "local-s", 12, seed=7, shard_size=4, kind="scenes", config=SCENES, progress=False)
    # by address, from the command line in a fresh process (no client of its own yet), as a user runs it
    import subprocess

    sets = [x for k, v in SCENES.items() for x in ("--set", f"{k}={v}".replace(" ", ""))]
    r = subprocess.run([sys.executable, "-m", "synthgen.cli", "generate", "--out", str(tmp_path / "dask-s"), "--count",
                        "12", "--seed", "7", "--shard-size", "4", "--kind", "scenes", "--no-progress",
                        "--scheduler", client.scheduler.address] + sets, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    _same_files(tmp_path / "dask-s", tmp_path / "local-s")


def test_a_worker_killed_mid_run_the_run_completes_with_the_same_bytes(cluster, tmp_path):
    cl, client = cluster
    out = tmp_path / "dask"
    err = []

    def run():
        try:
            generate(out, 64, seed=9, shard_size=4, kind="scenes", config=SCENES, progress=False, scheduler=client)
        except BaseException as e:  # noqa: BLE001 (reported below)
            err.append(e)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.time() + 120
    while not list(out.glob("*.h5")) and time.time() < deadline:
        time.sleep(0.05)
    pids = client.run(os.getpid)
    os.kill(next(iter(pids.values())), signal.SIGKILL)  # one worker process dies in the middle of the run
    t.join(300)
    assert not t.is_alive() and not err, err
    assert all(verify_shard(p) == [] for p in out.glob("*.h5"))
    generate(tmp_path / "local", 64, seed=9, shard_size=4, kind="scenes", config=SCENES, progress=False)
    _same_files(out, tmp_path / "local")
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_an_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path, capsys):
    t = time.perf_counter()
    with pytest.raises(ValueError, match="Cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        generate(tmp_path / "o", 10, scheduler="tcp://127.0.0.1:9", progress=False)
    assert time.perf_counter() - t < 60 and not (tmp_path / "o").exists()
    assert main(["generate", "--out", str(tmp_path / "c"), "--count", "10", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "Cannot reach the Dask scheduler" in capsys.readouterr().err


def test_without_the_dask_extra_the_scheduler_option_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    assert main(["generate", "--out", str(tmp_path / "c"), "--count", "10", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "pip install 'synthgen[dask]'" in capsys.readouterr().err
