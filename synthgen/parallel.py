"""Many shards in parallel: one shard per task on joblib processes or a Dask cluster, resumable.

Sample ``k`` of a run is made from ``(seed, k)`` alone, and shard ``i`` holds samples
``i * shard_size ..``, so the bytes of every shard are the same whatever the number of
workers, the backend (local processes or a Dask cluster), the order tasks finish in, or how
often the run was interrupted and resumed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from pathlib import Path

from .generator import PARAM_FIELDS, WordGenerator
from .scenes import SCENE_PARAM_FIELDS, SceneGenerator
from .shards import SCHEMA_VERSION, Shard, ShardVersionError, ShardWriter, parse_shard_name, shard_name

__all__ = ["generate", "MANIFEST_NAME", "GenerateResult"]

MANIFEST_NAME = "synthgen.json"
#: most shards one run makes (a folder of more is unwieldy for any filesystem and reader)
MAX_SHARDS = 100_000
_WORKER_GENERATORS: dict = {}


class GenerateResult(dict):
    """Summary of a run: ``out``, ``count``, ``num_shards``, ``written``, ``skipped``, ``rejects``, ``oov``."""


def _fingerprint(gen) -> str:
    """Identifies everything a generator's samples depend on (worker processes cache by it)."""
    photos = gen.photos.table() if getattr(gen, "photos", None) is not None else []
    h = hashlib.sha1(json.dumps([gen.kind, gen.config, gen.charset.chars, gen.fonts.table(), gen.backgrounds.table(),
                                 photos], sort_keys=True).encode())
    for toks in getattr(gen, "_titles", None) or ():
        h.update(" ".join(toks).encode() + b"\n")
    for sampler in (gen.text._words, gen.text._phrases):
        if sampler is not None:
            h.update("\n".join(sampler.items).encode())
            h.update(sampler.length_cum.tobytes())
    return h.hexdigest()


def _write_shard(gen, fp, out_dir, split, i, n, start, stop, seed, queue=None) -> dict:
    # keep one generator per worker process so glyph and background caches survive across shards
    gen = _WORKER_GENERATORS.setdefault(fp, gen)
    if not Path(out_dir).is_dir():  # on a cluster: the output folder must be on a filesystem every worker shares
        import socket

        raise FileNotFoundError(f"The output folder {str(out_dir)!r} does not exist on worker host {socket.gethostname()!r}. "
                                "Put the output on a filesystem that the client and every worker share.")
    path = Path(out_dir) / shard_name(split, i, n)
    attrs = {
        "kind": gen.kind,
        "split": split,
        "shard_index": i,
        "num_shards": n,
        "first_index": start,
        "seed": seed,
        "config": json.dumps(gen.config, sort_keys=True),
        "charset": gen.charset.chars,
        "generator": "synthgen",
    }
    rejects: dict = {}
    pending = 0
    scenes = gen.kind == "scenes"
    with ShardWriter(path, attrs=attrs, image_shape=gen.image_shape, image_codec=gen.config["image_codec"],
                     font_table=gen.fonts.table(), background_table=gen.background_table(),
                     param_fields=SCENE_PARAM_FIELDS if scenes else PARAM_FIELDS,
                     map_shape=gen.map_shape if scenes else None) as w:
        for k in range(start, stop):
            s, r = gen.sample_at(seed, k)
            for key, v in r.items():
                rejects[key] = rejects.get(key, 0) + v
            w.add(s)
            pending += 1
            if queue is not None and pending >= (20 if scenes else 200):
                queue.put(pending)
                pending = 0
        w.attrs["rejects"] = json.dumps(rejects, sort_keys=True)
    if queue is not None and pending:
        queue.put(pending)
    return {"shard": i, "count": stop - start, "rejects": rejects}


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ValueError(f"Output path {str(out)!r} exists and is not a folder. Choose a folder.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ValueError(f"Cannot create the output folder {str(out)!r}: {e.strerror}. Choose a writable folder.") from None
    probe = out / ".synthgen-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise ValueError(f"The output folder {str(out)!r} is not writable: {e.strerror}. Choose a writable folder.") from None


def generate(
    out_dir,
    count: int,
    *,
    config: dict | None = None,
    seed: int = 0,
    workers: int = 1,
    shard_size: int | None = None,
    split: str = "train",
    resume: bool = False,
    progress: bool = True,
    generator=None,
    kind: str = "words",
    scheduler=None,
) -> GenerateResult:
    """Generate ``count`` word crops (or scenes) into shards under ``out_dir``.

    Args:
        out_dir: the output folder (created). It must hold no shards unless ``resume``.
        count: number of crops or scenes (> 0).
        config: generator options (see :mod:`synthgen.config`) for ``kind``.
        seed: the run's seed; the same config and seed give byte-identical shards.
        workers: worker processes (>= 1).
        shard_size: samples per shard (> 0); default 5000 crops or 500 scenes.
        split: the shard name prefix (``train``, ``val``, ...).
        resume: keep the complete shards already in ``out_dir`` and make only the missing ones;
            the options must match the folder's manifest.
        progress: show a tqdm progress bar.
        generator: a ready :class:`WordGenerator` or :class:`SceneGenerator` (its config and kind
            are used instead of ``config`` and ``kind``).
        kind: ``"words"`` (crops for recognition) or ``"scenes"`` (canvases for detection).
        scheduler: run the shards on a Dask cluster instead of local processes: the scheduler's
            address (``"tcp://host:8786"``) or a ``dask.distributed.Client``. One task per shard; the
            workers write the shards into ``out_dir``, which must be on a filesystem the client and
            every worker share; ``workers`` is then ignored. Needs the ``dask`` extra.
    """
    if generator is not None:
        kind = generator.kind
    if kind not in ("words", "scenes"):
        raise ValueError(f"kind must be 'words' or 'scenes'. Received: kind={kind!r}")
    if shard_size is None:
        shard_size = 5000 if kind == "words" else 500
    for name, v, lo in (("count", count, 1), ("workers", workers, 1), ("shard_size", shard_size, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}. Received: {name}={v!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in 0 .. 2**63-1 (it is stored as a 64-bit integer). Received: seed={seed!r}")
    if (count + shard_size - 1) // shard_size > MAX_SHARDS:
        raise ValueError(f"count={count:,} in shards of {shard_size:,} makes more than {MAX_SHARDS:,} shards. Raise "
                         "shard_size (--shard-size), or split the run into several folders.")
    if not split or not all(c.isalnum() or c in "_." for c in split):
        raise ValueError(f"split must be a name of letters, digits, '_' or '.'. Received: split={split!r}")
    out = Path(out_dir)
    # connected before anything is written: an unreachable scheduler leaves no folder behind
    client = _dask_client(scheduler) if scheduler is not None else None
    try:
        return _generate_into(out, count, config=config, seed=seed, workers=workers, shard_size=shard_size,
                              split=split, resume=resume, progress=progress, generator=generator, kind=kind,
                              client=client)
    finally:
        if client is not None and isinstance(scheduler, str):  # a client passed in stays open for its owner
            client.close()


def _generate_into(out: Path, count: int, *, config, seed, workers, shard_size, split, resume, progress, generator,
                   kind, client) -> GenerateResult:
    """:func:`generate` after its arguments are checked (and the cluster reached, when ``client``)."""
    if generator is not None:
        gen = generator
    else:
        gen = WordGenerator(config) if kind == "words" else SceneGenerator(config)
    _check_out_dir(out)
    n = (count + shard_size - 1) // shard_size
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "split": split,
        "count": count,
        "shard_size": shard_size,
        "num_shards": n,
        "seed": seed,
        "config": gen.config,
    }
    mpath = out / MANIFEST_NAME
    existing = sorted(p for p in out.glob("*.h5") if parse_shard_name(p.name))
    if mpath.exists():
        try:
            old = json.loads(mpath.read_text())
        except ValueError:
            raise ValueError(f"The manifest {str(mpath)!r} is not JSON. Move it away or use a new output folder.") from None
        if not resume:
            raise ValueError(
                f"The output folder {str(out)!r} already holds a dataset. Pass resume=True (CLI: --resume) to "
                "complete it, or choose a new folder."
            )
        diff = sorted(k for k in manifest if old.get(k) != manifest[k])
        if diff:
            raise ValueError(
                f"Cannot resume into {str(out)!r}: these settings differ from the ones it was started with: {diff}. "
                "Resume with the same count, seed, shard size, split and config, or use a new folder."
            )
    elif existing and not resume:
        raise ValueError(f"The output folder {str(out)!r} already holds shards. Choose an empty folder.")
    # judge the shards already there before anything is written: a complete shard made with other
    # settings is never deleted (without the manifest, it is the only record of the run)
    foreign = [p.name for p in existing if parse_shard_name(p.name)[0] == split and parse_shard_name(p.name)[2] != n]
    if foreign:
        raise ValueError(
            f"Cannot resume into {str(out)!r}: it holds shards of a run split into another number of shards "
            f"({', '.join(foreign[:3])}; this run makes {n}). Nothing was changed. Resume with the count and shard "
            "size they were made with, or use a new folder."
        )
    todo, skipped, redo = [], 0, []
    for i in range(n):
        start, stop = i * shard_size, min((i + 1) * shard_size, count)
        path = out / shard_name(split, i, n)
        if path.exists():
            state, why = _shard_state(path, stop - start, seed, gen.config, kind)
            if state == "complete":
                skipped += 1
                continue
            if state == "other":
                raise ValueError(
                    f"Cannot resume into {str(out)!r}: the complete shard {str(path)!r} was made with other "
                    f"settings ({why}). Nothing was changed. Resume with the settings it was made with, or use a "
                    "new folder."
                )
            redo.append(path)
        todo.append((i, start, stop))
    tmp = mpath.with_name(mpath.name + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, mpath)
    for p in out.glob("*.h5.tmp"):  # leftovers of an interrupted run: never complete, always redone
        p.unlink()
    for path in redo:
        warnings.warn(f"Shard {str(path)!r} is incomplete or unreadable; it is generated again.", stacklevel=3)
        path.unlink()

    fp = _fingerprint(gen)
    result = GenerateResult(out=str(out), count=count, num_shards=n, written=0, skipped=skipped, rejects={})
    done_before = count - sum(b - a for _, a, b in todo)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        import sys

        tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        # in a log (stderr not a terminal): a line every 30 s instead of carriage-return updates
        bar = tqdm(total=count, initial=done_before, unit="img", desc="generate", dynamic_ncols=tty, smoothing=0.1,
                   mininterval=0.1 if tty else 30.0, ascii=not tty, file=sys.stderr if tty else _LogLines(sys.stderr))

    def collect(r):
        result["written"] += 1
        for k, v in r["rejects"].items():
            result["rejects"][k] = result["rejects"].get(k, 0) + v

    useful = max(1, min(len(todo), os.cpu_count() or 1))
    if client is None and workers > useful:
        warnings.warn(f"workers={workers} is more than helps here ({len(todo)} shard(s) to make, {os.cpu_count()} "
                      f"CPU(s)); using {useful}.", stacklevel=3)
        workers = useful
    try:
        if client is not None:
            _run_dask(client, gen, fp, out, split, n, seed, todo, bar, collect)
        elif workers == 1 or len(todo) <= 1:
            q = _BarQueue(bar)
            for i, a, b in todo:
                collect(_write_shard(gen, fp, out, split, i, n, a, b, seed, q))
        else:
            _run_parallel(gen, fp, out, split, n, seed, todo, workers, bar, collect)
    finally:
        if bar is not None:
            bar.close()
    result["oov"] = gen.text.oov.to_dict()
    result["text_report"] = gen.text.report()
    return result


class _LogLines:
    """A stream for tqdm when stderr is a log, not a terminal: each refresh is a line, no carriage returns."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, s):
        s = s.replace("\r", "").strip()
        if s:
            self.stream.write(s + "\n")

    def flush(self):
        self.stream.flush()


class _BarQueue:
    def __init__(self, bar):
        self.bar = bar

    def put(self, k):
        if self.bar is not None:
            self.bar.update(k)


def _run_parallel(gen, fp, out, split, n, seed, todo, workers, bar, collect):
    import multiprocessing

    from joblib import Parallel, delayed

    manager = multiprocessing.Manager() if bar is not None else None
    queue = manager.Queue() if manager is not None else None
    stop = threading.Event()

    def drain():
        while not stop.is_set():
            try:
                k = queue.get(timeout=0.2)
            except Exception:  # queue.Empty, or the manager going away at shutdown
                continue
            bar.update(k)

    t = None
    if queue is not None:
        t = threading.Thread(target=drain, daemon=True)
        t.start()
    try:
        jobs = (delayed(_write_shard)(gen, fp, out, split, i, n, a, b, seed, queue) for i, a, b in todo)
        for r in Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered")(jobs):
            collect(r)
    finally:
        stop.set()
        if t is not None:
            t.join()
            while True:
                try:
                    bar.update(queue.get_nowait())
                except Exception:
                    break
        if manager is not None:
            manager.shutdown()


def _dask_client(scheduler):
    """A ``dask.distributed.Client`` for ``scheduler`` (an address, or a client passed through)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise RuntimeError("A Dask scheduler needs dask.distributed, the dask extra: pip install 'synthgen[dask]' "
                           "(from a clone: pip install -e '.[dask]').") from None
    if isinstance(scheduler, Client):
        return scheduler
    if not isinstance(scheduler, str) or not scheduler:
        raise ValueError(f"scheduler must be an address such as 'tcp://host:8786' or a dask.distributed.Client. "
                         f"Received: scheduler={scheduler!r}")
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as e:
        raise ValueError(f"Cannot reach the Dask scheduler at {scheduler!r} within 10 s ({type(e).__name__}: {e}). "
                         "Start one with `dask scheduler` and workers with `dask worker ADDRESS`, and check the "
                         "address.") from None


def _run_dask(client, gen, fp, out, split, n, seed, todo, bar, collect):
    """One task per shard on the cluster; a task whose worker dies is run again on another (Dask's own
    retry); the shards are written by the workers under a temporary name and renamed, as locally."""
    from dask.distributed import as_completed

    if not todo:
        return
    [gen_future] = client.scatter([gen], broadcast=True, hash=False)
    futures = {}
    for i, a, b in todo:
        f = client.submit(_write_shard, gen_future, fp, str(out), split, i, n, a, b, seed, None, pure=False,
                          key=f"synthgen-shard-{fp[:12]}-{seed}-{split}-{i}-of-{n}", retries=1)
        futures[f] = b - a
    try:
        for f in as_completed(list(futures)):
            r = f.result()  # a task's error (a worker that cannot write) is raised here, naming the shard's path
            collect(r)
            if bar is not None:
                bar.update(futures[f])
    except BaseException:
        client.cancel(list(futures))
        raise
    for p in Path(out).glob("*.h5.tmp"):  # a worker killed mid-shard leaves its temporary file; the retry is done
        p.unlink(missing_ok=True)


def _shard_state(path: Path, expected_count: int, seed: int, config: dict, kind: str) -> tuple[str, str]:
    """``("complete", "")``, ``("other", what differs)`` for a readable, whole shard of other settings,
    or ``("broken", why)`` for one that cannot be read or is not whole (safe to make again)."""
    try:
        with Shard(path) as s:
            attrs = s.attrs
            n_rows = len(s._file()["text"])
            count = int(attrs["count"])
            if n_rows != count:
                return "broken", f"{n_rows} rows, count attribute {count}"
            diff = []
            if count != expected_count:
                diff.append(f"{count} samples, expected {expected_count}")
            if int(attrs["seed"]) != seed:
                diff.append(f"seed {int(attrs['seed'])}")
            if str(attrs.get("kind", "words")) != kind:
                diff.append(f"kind {attrs.get('kind', 'words')}")
            if s.config != config:
                keys = sorted(k for k in set(s.config) | set(config) if s.config.get(k) != config.get(k))
                diff.append(f"config keys {keys}")
            return ("other", ", ".join(diff)) if diff else ("complete", "")
    except ShardVersionError as e:  # a whole shard of another synthgen version: never deleted
        return "other", str(e)
    except Exception as e:  # unreadable in any way: not complete
        return "broken", str(e)
