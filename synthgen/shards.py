"""HDF5 shards: schema, writer, reader and verification.

One file per shard, ``{split}-{i:05d}-of-{n:05d}.h5``, ``N`` rows:

=================  ===========================  ==============================================
dataset            dtype / shape                meaning
=================  ===========================  ==============================================
``image``          uint8 ``[N, H, W(, 3)]``     crops, when ``image_codec`` is ``raw``
``image_data``     uint8 ``[bytes]``            JPEG/PNG bytes of all crops, concatenated
``image_offsets``  int64 ``[N + 1]``            crop ``i`` is ``image_data[off[i]:off[i+1]]``
``text``           UTF-8 string ``[N]``         labels
``char_quads``     float32 ``[chars, 4, 2]``    per non-space character, crop pixels, clockwise from top-left
``char_offsets``   int64 ``[N + 1]``            crop ``i`` owns ``char_quads[off[i]:off[i+1]]``
``word_quads``     float32 ``[words, 4, 2]``    per word
``word_offsets``   int64 ``[N + 1]``
``font``           int16 ``[N]``                row of ``font_table``
``background``     int16 ``[N]``                row of ``background_table``
``params``         compound of float32 ``[N]``  sampled parameters (:data:`PARAM_FIELDS`)
``font_table``     UTF-8 string ``[fonts]``     JSON ``{"id", "name", "sha1", "full_name"}`` per font
``background_table`` UTF-8 string ``[bgs]``     background names (``procedural:*`` for generated ones)
=================  ===========================  ==============================================

Scene shards (``kind`` ``scenes``) hold one row per scene: ``text`` is the scene's words
joined by single spaces (``text.split(" ")`` lines up with the word quads), ``char_quads``
are every character of every word in word order, and instead of ``font`` they have

=================  ===========================  ==============================================
``word_font``      int16 ``[words]``            font of each word (rows of ``word_quads``)
``word_block``     int16 ``[words]``            text block of each word within its scene
``attributes``     UTF-8 string ``[N]``         JSON list of the product attributes its info blocks state
``region``         uint8 ``[N, h, w]``          CRAFT region map (0..255), when ``maps`` is on
``affinity``       uint8 ``[N, h, w]``          CRAFT affinity map, same size
=================  ===========================  ==============================================

``params`` then holds :data:`synthgen.scenes.SCENE_PARAM_FIELDS`.

File attributes: ``schema_version``, ``kind``, ``split``, ``shard_index``, ``num_shards``,
``count``, ``first_index`` (global index of row 0), ``seed``, ``config`` (JSON), ``charset``,
``image_codec``, ``image_shape``, ``map_shape`` and ``map_version`` (scenes with maps: see
:data:`synthgen.heatmaps.MAP_VERSION`), ``rejects`` (JSON), ``generator``. Nothing time-dependent
is stored, so identical runs give identical bytes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import h5py
import numpy as np

from .generator import PARAM_FIELDS, Sample, decode_image
from .heatmaps import MAP_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ShardError",
    "ShardWriter",
    "Shard",
    "shard_name",
    "parse_shard_name",
    "verify_shard",
    "PARAMS_DTYPE",
    "ShardVersionError",
    "ShardWriteError",
]

SCHEMA_VERSION = 1
PARAMS_DTYPE = np.dtype([(f, np.float32) for f in PARAM_FIELDS])
_NAME_RE = re.compile(r"^(?P<split>[A-Za-z0-9_.-]+?)-(?P<i>\d{5,})-of-(?P<n>\d{5,})\.h5$")
_STR = h5py.string_dtype("utf-8")


class ShardError(ValueError):
    """A shard file is missing, truncated or breaks the schema; the message names the file."""


class ShardWriteError(OSError):
    """A shard could not be written (disk full, file-size limit, permissions); no file is left under its name."""


class ShardVersionError(ShardError):
    """A shard written with another schema version (by another synthgen version): readable there, not here."""


def shard_name(split: str, index: int, num_shards: int) -> str:
    return f"{split}-{index:05d}-of-{num_shards:05d}.h5"


def parse_shard_name(name: str):
    """``(split, index, num_shards)`` from a shard file name, or ``None``."""
    m = _NAME_RE.match(Path(name).name)
    return (m["split"], int(m["i"]), int(m["n"])) if m else None


def _ds(f, name, data, **kw) -> None:
    data = np.asarray(data) if not isinstance(data, list) else data
    d = f.create_dataset(name, data=data, track_times=False, **kw)
    # closed here, not whenever Python frees the object: HDF5 places a dataset's chunks when it is closed, so a
    # reference held a moment longer (a profiler sampling stack frames, as Dask workers do) would move them
    d.id.close()


class ShardWriter:
    """Collects samples and writes one shard atomically (context manager).

    The file is written as ``<name>.tmp``, flushed, fsynced and renamed to ``<name>`` only on a
    clean exit; an exception leaves no file under the final name.

    Args:
        path: final shard path.
        attrs: file attributes (see the module docstring); ``count`` is filled in.
        image_shape: ``(H, W)`` or ``(H, W, 3)``.
        image_codec: ``jpeg``, ``png`` or ``raw``.
        font_table, background_table: rows written as the shard's tables.
        param_fields: the names of the per-row parameters.
        map_shape: ``(h, w)`` of the scenes' CRAFT maps, or ``None`` (no maps stored).
    """

    def __init__(self, path, *, attrs: dict, image_shape, image_codec: str, font_table, background_table,
                 param_fields=PARAM_FIELDS, map_shape=None):
        self.path = Path(path)
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        self.attrs = dict(attrs)
        self.image_shape = tuple(image_shape)
        self.codec = image_codec
        self.font_table = font_table
        self.background_table = background_table
        self.param_fields = tuple(param_fields)
        self.map_shape = tuple(map_shape) if map_shape else None
        self.samples: list[Sample] = []

    def __enter__(self):
        return self

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.tmp.unlink(missing_ok=True)
            return False
        try:
            self._write()
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise
        os.replace(self.tmp, self.path)
        return False

    def _write(self):
        ss = self.samples
        n = len(ss)
        if n == 0:
            raise ValueError(f"Refusing to write an empty shard {str(self.path)!r}.")
        self.tmp.unlink(missing_ok=True)
        # built in memory, then written with plain file writes: a full disk or a file-size limit is then an
        # OSError naming the path (HDF5 itself can crash the process on a failed write)
        with h5py.File(self.tmp, "w", libver="earliest", track_order=False, driver="core", backing_store=False) as f:
            a = f.attrs
            for k, v in self.attrs.items():
                a[k] = v
            a["count"] = n
            a["schema_version"] = SCHEMA_VERSION
            a["image_codec"] = self.codec
            a["image_shape"] = np.array(self.image_shape, np.int64)
            rows = min(n, 256)
            if self.codec == "raw":
                _ds(f, "image", np.stack([s.image for s in ss]), chunks=(rows,) + self.image_shape, compression="gzip",
                    compression_opts=4, shuffle=False)
            else:
                lens = np.array([len(s.encoded) for s in ss], np.int64)
                off = np.concatenate([[0], np.cumsum(lens)])
                data = np.frombuffer(b"".join(s.encoded for s in ss), np.uint8)
                _ds(f, "image_data", data, chunks=(min(len(data), 1 << 16),))
                _ds(f, "image_offsets", off)
            _ds(f, "text", [s.text for s in ss], dtype=_STR)
            for key, attr in (("char", "char_quads"), ("word", "word_quads")):
                qs = [getattr(s, attr).reshape(-1, 4, 2) for s in ss]
                off = np.concatenate([[0], np.cumsum([len(q) for q in qs])]).astype(np.int64)
                allq = np.concatenate(qs).astype(np.float32) if off[-1] else np.zeros((0, 4, 2), np.float32)
                _ds(f, f"{key}_quads", allq, chunks=(max(1, min(len(allq), 4096)), 4, 2), compression="gzip",
                    compression_opts=4, shuffle=True)
                _ds(f, f"{key}_offsets", off)
            if self.attrs.get("kind", "words") == "scenes":
                _ds(f, "word_font", np.concatenate([s.word_fonts for s in ss]).astype(np.int16))
                _ds(f, "word_block", np.concatenate([s.word_blocks for s in ss]).astype(np.int16))
                _ds(f, "attributes", [json.dumps(getattr(s, "attributes", []), sort_keys=True) for s in ss], dtype=_STR)
                if self.map_shape:
                    a["map_shape"] = np.array(self.map_shape, np.int64)
                    a["map_version"] = MAP_VERSION
                    for key in ("region", "affinity"):
                        maps = np.stack([getattr(s, key) for s in ss])
                        if maps.shape[1:] != self.map_shape:
                            raise ValueError(f"{key} maps are {maps.shape[1:]}, the shard's map_shape is {self.map_shape}")
                        _ds(f, key, maps, chunks=(1,) + self.map_shape, compression="gzip", compression_opts=1)
            else:
                _ds(f, "font", np.array([s.font for s in ss], np.int16))
            _ds(f, "background", np.array([s.background for s in ss], np.int16))
            table = np.array([[s.params.get(k, 0.0) for k in self.param_fields] for s in ss], np.float32)
            params = np.ascontiguousarray(table).view(np.dtype([(k, np.float32) for k in self.param_fields])).reshape(n)
            _ds(f, "params", params, chunks=(rows,), compression="gzip", compression_opts=4, shuffle=True)
            _ds(f, "font_table", [json.dumps(r, sort_keys=True) for r in self.font_table], dtype=_STR)
            _ds(f, "background_table", [r["name"] if isinstance(r, dict) else str(r) for r in self.background_table], dtype=_STR)
            f.flush()
            image = f.id.get_file_image()
        try:
            with open(self.tmp, "wb") as fh:
                fh.write(image)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as e:
            raise ShardWriteError(f"Cannot write the shard {str(self.path)!r}: {e.strerror or e}. Free space (or raise "
                                  "the file-size limit) and run the same command with --resume; complete shards are "
                                  "kept.") from None


class Shard:
    """Read access to one shard; the HDF5 file is opened lazily (safe to pickle and fork).

    ``shard[i]`` is a dict: ``image`` (uint8), ``text``, ``char_quads`` ``[n, 4, 2]``,
    ``word_quads`` ``[m, 4, 2]``, ``font``, ``background``, ``params`` (dict). Scene rows have
    ``words`` (list), ``word_fonts`` and ``word_blocks`` instead of ``font``, and ``region`` /
    ``affinity`` (uint8) when the shard stores maps.
    """

    def __init__(self, path):
        self.path = Path(path)
        self._f = None
        self._pid = None
        self._meta = None

    def __getstate__(self):
        return {"path": self.path, "_f": None, "_pid": None, "_meta": self._meta}

    def _file(self) -> h5py.File:
        if self._f is None or self._pid != os.getpid():
            if not self.path.is_file():
                raise ShardError(f"Shard {str(self.path)!r} does not exist.")
            try:
                self._f = h5py.File(self.path, "r")
            except OSError as e:
                raise ShardError(
                    f"Shard {str(self.path)!r} cannot be opened as HDF5 (truncated or corrupt: {e}). "
                    "Regenerate it with `synthgen generate --resume` after deleting it, or skip it."
                ) from None
            self._pid = os.getpid()
        return self._f

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def attrs(self) -> dict:
        if self._meta is None:
            f = self._file()
            meta = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
            _check_structure(self.path, f, meta)
            self._meta = meta
        return self._meta

    def __len__(self) -> int:
        return int(self.attrs["count"])

    @property
    def config(self) -> dict:
        return json.loads(self.attrs["config"])

    @property
    def kind(self) -> str:
        return str(self.attrs.get("kind", "words"))

    @property
    def has_maps(self) -> bool:
        return "map_shape" in self.attrs

    @property
    def channels(self) -> int:
        return 3 if len(self.attrs["image_shape"]) == 3 else 1

    def font_table(self) -> list[dict]:
        return [json.loads(s) for s in self._file()["font_table"].asstr()[()]]

    def background_table(self) -> list[str]:
        return list(self._file()["background_table"].asstr()[()])

    def texts(self) -> list[str]:
        return list(self._file()["text"].asstr()[()])

    def image(self, i: int) -> np.ndarray:
        f = self._file()
        try:
            if self.attrs["image_codec"] == "raw":
                return f["image"][i]
            o0, o1 = f["image_offsets"][i : i + 2]
            return decode_image(f["image_data"][o0:o1], self.channels)
        except (OSError, ValueError, KeyError) as e:
            raise ShardError(f"Shard {str(self.path)!r} row {i}: the image cannot be read ({e}).") from None

    def __getitem__(self, i: int) -> dict:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"Row {i} is out of range for shard {str(self.path)!r} with {n} rows.")
        i %= n
        return self.rows(i, i + 1)[0]

    def rows(self, start: int, stop: int, *, fields=None) -> list[dict]:
        """Rows ``start..stop-1`` as dicts, read with one slice per dataset (fast for runs of rows).

        ``fields`` limits what is read and decoded (e.g. ``("image", "text")``); default all:
        ``image``, ``text``, ``char_quads``, ``word_quads``, ``background``, ``params``, and
        ``font`` (words) or ``words``, ``word_fonts``, ``word_blocks``, ``attributes``, ``region``,
        ``affinity`` (scenes). A row that cannot be read raises :class:`ShardError` naming the file and row.
        """
        f = self._file()
        want = None if fields is None else set(fields)

        def w(k):
            return want is None or k in want

        scenes = self.kind == "scenes"
        n = stop - start
        out = [{} for _ in range(n)]
        row = None  # the row being decoded, when an error is specific to one row
        try:
            if w("image"):
                if self.attrs["image_codec"] == "raw":
                    imgs = f["image"][start:stop]
                    for k in range(n):
                        out[k]["image"] = imgs[k]
                else:
                    io = f["image_offsets"][start : stop + 1]
                    data = f["image_data"][io[0] : io[-1]]
                    ch = self.channels
                    for k in range(n):
                        row = start + k
                        out[k]["image"] = decode_image(data[io[k] - io[0] : io[k + 1] - io[0]], ch)
                    row = None
            if w("text") or (scenes and w("words")):
                for k, t in enumerate(f["text"].asstr()[start:stop]):
                    if w("text"):
                        out[k]["text"] = t
                    if scenes and w("words"):
                        out[k]["words"] = t.split(" ")
            for key, off in (("char_quads", "char_offsets"), ("word_quads", "word_offsets")):
                if w(key):
                    o = f[off][start : stop + 1]
                    q = f[key][o[0] : o[-1]]
                    for k in range(n):
                        out[k][key] = q[o[k] - o[0] : o[k + 1] - o[0]]
            if w("background"):
                for k, v in enumerate(f["background"][start:stop].tolist()):
                    out[k]["background"] = v
            if w("params"):
                p = f["params"][start:stop]
                names = p.dtype.names
                for k in range(n):
                    out[k]["params"] = {name: float(p[k][name]) for name in names}
            if scenes:
                if w("word_fonts") or w("word_blocks"):
                    o = f["word_offsets"][start : stop + 1]
                    for key, d in (("word_fonts", "word_font"), ("word_blocks", "word_block")):
                        if w(key):
                            v = f[d][o[0] : o[-1]]
                            for k in range(n):
                                out[k][key] = v[o[k] - o[0] : o[k + 1] - o[0]]
                if w("attributes"):
                    if "attributes" in f:
                        for k, t in enumerate(f["attributes"].asstr()[start:stop]):
                            out[k]["attributes"] = json.loads(t)
                    elif want is not None:
                        raise ShardError(f"Shard {str(self.path)!r} records no attributes (made before scenes recorded "
                                         "them); generate it again to evaluate attributes.")
                if self.has_maps:
                    for key in ("region", "affinity"):
                        if w(key):
                            m = f[key][start:stop]
                            for k in range(n):
                                out[k][key] = m[k]
            elif w("font"):
                for k, v in enumerate(f["font"][start:stop].tolist()):
                    out[k]["font"] = v
        except (OSError, KeyError, ValueError) as e:
            where = f"row {row}" if row is not None else (f"row {start}" if n == 1 else f"rows {start}..{stop - 1}")
            raise ShardError(f"Shard {str(self.path)!r} {where} cannot be read ({e}).") from None
        return out


def _check_structure(path: Path, f: h5py.File, a: dict) -> None:
    """The layout a reader relies on (cheap: attributes, dataset lengths and offsets); ShardError naming the file."""
    where = f"Shard {str(path)!r}"
    version = a.get("schema_version")
    if version is None or "count" not in a or "image_codec" not in a or "image_shape" not in a:
        missing = [k for k in ("schema_version", "count", "image_codec", "image_shape") if k not in a]
        raise ShardError(f"{where} lacks the attributes {missing}: not a complete synthgen shard. Regenerate it "
                         "(delete it and run `synthgen generate --resume`), or skip it (on_error='skip').")
    if int(version) != SCHEMA_VERSION:
        raise ShardVersionError(f"{where} has schema_version {version}; this synthgen reads {SCHEMA_VERSION}. Read it "
                                "with the synthgen version that wrote it, or regenerate it.")
    try:
        n = int(a["count"])
        scenes = str(a.get("kind", "words")) == "scenes"
        rows = ["text", "background", "params"] + (["image"] if a["image_codec"] == "raw" else [])
        rows += ["font"] if not scenes else []
        rows += ["region", "affinity"] if "map_shape" in a else []
        for name in rows:
            if name not in f:
                raise ShardError(f"{where} has no {name!r} dataset (truncated or not a synthgen shard).")
            if len(f[name]) != n:
                raise ShardError(f"{where}: {name!r} has {len(f[name])} rows but the count attribute says {n}.")
        pairs = [("char_offsets", "char_quads"), ("word_offsets", "word_quads")]
        pairs += [("image_offsets", "image_data")] if a["image_codec"] != "raw" else []
        per_word = [("word_font", "word_offsets"), ("word_block", "word_offsets")] if scenes else []
        for off, data in pairs:
            for name in (off, data):
                if name not in f:
                    raise ShardError(f"{where} has no {name!r} dataset (truncated or not a synthgen shard).")
            o = f[off][()]
            if len(o) != n + 1 or (n >= 0 and len(o) and o[0] != 0) or (np.diff(o) < 0).any() or o[-1] > len(f[data]):
                raise ShardError(f"{where}: {off!r} is not a valid index into {data!r} (it must hold count + 1 = "
                                 f"{n + 1} rising offsets from 0 up to at most {len(f[data])}). The shard is damaged: "
                                 "regenerate it or skip it.")
        for name, off in per_word:
            if name not in f or len(f[name]) < int(f[off][-1]):
                raise ShardError(f"{where}: {name!r} is missing or shorter than the words it describes.")
    except ShardError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as e:
        raise ShardError(f"{where} cannot be read ({e}).") from None


def verify_shard(path, *, expected: dict | None = None) -> list[str]:
    """Check every invariant of one shard; returns the problems found (empty when sound).

    ``expected`` may hold ``split``, ``num_shards`` and ``config`` to compare against.
    """
    from .charset import Charset

    path = Path(path)
    problems: list[str] = []
    parsed = parse_shard_name(path.name)
    if parsed is None:
        problems.append(f"file name {path.name!r} is not '{{split}}-{{i:05d}}-of-{{n:05d}}.h5'")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        return problems + [f"cannot be opened as HDF5 (truncated or corrupt): {e}"]
    try:
        with f:
            a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
            for k in ("schema_version", "count", "config", "charset", "image_codec", "image_shape", "split", "shard_index", "num_shards"):
                if k not in a:
                    problems.append(f"attribute {k!r} is missing")
            if problems:
                return problems
            if a["schema_version"] != SCHEMA_VERSION:
                problems.append(f"schema_version {a['schema_version']} is not {SCHEMA_VERSION}")
            n = int(a["count"])
            if parsed and (parsed[0] != a["split"] or parsed[1] != a["shard_index"] or parsed[2] != a["num_shards"]):
                problems.append(f"name says {parsed} but attributes say split={a['split']!r} index={a['shard_index']} of {a['num_shards']}")
            if expected:
                for k in ("split", "num_shards"):
                    if k in expected and a[k] != expected[k]:
                        problems.append(f"{k} is {a[k]!r}, the dataset's is {expected[k]!r}")
                if "config" in expected and json.loads(a["config"]) != expected["config"]:
                    problems.append("config differs from the dataset's manifest")
            shape = tuple(int(x) for x in a["image_shape"])
            H, W = shape[:2]
            charset = Charset(a["charset"])
            scenes = a.get("kind", "words") == "scenes"
            need = ["text", "char_quads", "char_offsets", "word_quads", "word_offsets", "background", "params",
                    "font_table", "background_table"]
            need += ["word_font", "word_block"] if scenes else ["font"]
            need += ["region", "affinity"] if "map_shape" in a else []
            need += ["image"] if a["image_codec"] == "raw" else ["image_data", "image_offsets"]
            missing = [d for d in need if d not in f]
            if missing:
                return problems + [f"datasets missing: {missing}"]
            for d in ("text", "background", "params") + (() if scenes else ("font",)):
                if f[d].shape[0] != n:
                    problems.append(f"{d} has {f[d].shape[0]} rows, count is {n}")
            texts = f["text"].asstr()[()]
            co, wo = f["char_offsets"][()], f["word_offsets"][()]
            cq, wq = f["char_quads"][()], f["word_quads"][()]
            for name, off, q in (("char", co, cq), ("word", wo, wq)):
                if off.shape != (n + 1,) or off[0] != 0 or (np.diff(off) < 0).any() or off[-1] != len(q):
                    problems.append(f"{name}_offsets are inconsistent with {name}_quads")
            if problems:
                return problems
            if not (np.isfinite(cq).all() and np.isfinite(wq).all()):
                problems.append("quads hold NaN or infinity")
            for name, q in (("char", cq), ("word", wq)):
                if len(q) and ((q[..., 0] < -0.5 - 1e-3).any() or (q[..., 0] > W - 0.5 + 1e-3).any()
                               or (q[..., 1] < -0.5 - 1e-3).any() or (q[..., 1] > H - 0.5 + 1e-3).any()):
                    problems.append(f"{name} quads reach outside the {W}x{H} image")
            from .geometry import quad_signed_area

            if len(cq) and (quad_signed_area(cq) <= 0).any():
                problems.append(f"{int((quad_signed_area(cq) <= 0).sum())} char quads are not clockwise")
            if scenes:
                for d in ("word_font", "word_block"):
                    if f[d].shape != (len(wq),):
                        problems.append(f"{d} has {f[d].shape[0]} rows, there are {len(wq)} words")
                if problems:
                    return problems
            nf, nb = len(f["font_table"]), len(f["background_table"])
            fonts, bgs = f["word_font" if scenes else "font"][()], f["background"][()]
            if len(fonts) and (fonts.min() < 0 or fonts.max() >= nf):
                problems.append(f"font ids outside the {nf}-row font table")
            if len(bgs) and (bgs.min() < 0 or bgs.max() >= nb):
                problems.append(f"background ids outside the {nb}-row background table")
            bad_text, bad_chars, bad_words = [], [], []
            for i, t in enumerate(texts):
                if not t or charset.missing(t) or (" " in t and not (charset.has_space or scenes)) or (scenes and "" in t.split(" ")):
                    bad_text.append(i)
                if co[i + 1] - co[i] != sum(1 for c in t if c != " "):
                    bad_chars.append(i)
                if wo[i + 1] - wo[i] != len(t.split()):
                    bad_words.append(i)
            for what, rows in (("texts empty or outside the charset", bad_text),
                               ("rows whose char quad count differs from the text's characters", bad_chars),
                               ("rows whose word quad count differs from the text's words", bad_words)):
                if rows:
                    problems.append(f"{len(rows)} {what} (first: row {rows[0]})")
            if "map_shape" in a:
                problems += _verify_maps(f, a, n, shape, texts, co, cq)
            if a["image_codec"] == "raw":
                if f["image"].shape != (n,) + shape or f["image"].dtype != np.uint8:
                    problems.append(f"image is {f['image'].shape} {f['image'].dtype}, expected {(n,) + shape} uint8")
                else:
                    f["image"][()]  # reads every chunk: a truncated file fails here
            else:
                io = f["image_offsets"][()]
                data = f["image_data"][()]
                if io.shape != (n + 1,) or io[0] != 0 or (np.diff(io) <= 0).any() or io[-1] != len(data):
                    problems.append("image_offsets are inconsistent with image_data")
                else:
                    ch = 3 if len(shape) == 3 else 1
                    bad = []
                    for i in range(n):
                        try:
                            img = decode_image(data[io[i] : io[i + 1]], ch)
                            if img.shape != shape:
                                bad.append(i)
                        except ValueError:
                            bad.append(i)
                    if bad:
                        problems.append(f"{len(bad)} images do not decode to {shape} (first: row {bad[0]})")
    except (OSError, KeyError, ValueError) as e:
        problems.append(f"cannot be read (truncated or corrupt): {type(e).__name__}: {e}")
    return problems


def _verify_maps(f, a, n, shape, texts, co, cq) -> list[str]:
    """Maps: shape, dtype, every chunk readable, and a few rows equal to maps rebuilt from their quads."""
    from .heatmaps import MAP_VERSION_OPTIONS, craft_maps, word_ids_from_text

    problems = []
    version = int(a.get("map_version", 1))
    if version not in MAP_VERSION_OPTIONS:
        return [f"maps of map_version {version}, made by a newer synthgen (this one knows {sorted(MAP_VERSION_OPTIONS)}); "
                "upgrade synthgen to verify them"]
    ms = tuple(int(x) for x in a["map_shape"])
    scale = float(json.loads(a["config"]).get("map_scale", 0.5))
    for key in ("region", "affinity"):
        d = f[key]
        if d.shape != (n,) + ms or d.dtype != np.uint8:
            problems.append(f"{key} is {d.shape} {d.dtype}, expected {(n,) + ms} uint8")
    if problems:
        return problems
    region, affinity = f["region"][()], f["affinity"][()]  # reads every chunk: a truncated file fails here
    rows = np.unique(np.linspace(0, n - 1, min(n, 8)).astype(int))
    bad = []
    for i in rows:
        r, af = craft_maps(cq[co[i] : co[i + 1]], word_ids_from_text(texts[i]), shape[0], shape[1], scale=scale,
                           **MAP_VERSION_OPTIONS[version])
        if r.shape != ms:
            bad.append(int(i))
            continue
        if (np.abs(region[i].astype(np.int16) - np.round(r * 255)).max() > 1
                or np.abs(affinity[i].astype(np.int16) - np.round(af * 255)).max() > 1):
            bad.append(int(i))
    if bad:
        problems.append(f"{len(bad)} of {len(rows)} checked rows have maps that differ from maps rebuilt from their quads (first: row {bad[0]})")
    return problems
