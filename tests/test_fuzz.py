"""Fuzzing every input the project reads: it is accepted, or refused with the project's error type; never
another exception, a hang or a crash. The default run is quick; ``-m slow`` runs many more examples."""

import json
import os
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthgen.config import OPTIONS, resolve_config, safe_yaml

FONTS = Path(__file__).resolve().parents[1] / "fonts"
BACKGROUNDS = Path(__file__).resolve().parents[1] / "backgrounds"
FAST = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)


@FAST
@given(st.dictionaries(st.sampled_from(sorted(OPTIONS)) | st.text(max_size=10), json_values, max_size=4),
       st.sampled_from(["words", "scenes"]))
def test_any_config_resolves_or_raises_value_error(cfg, kind):
    try:
        out = resolve_config(cfg, kind=kind)
    except ValueError:
        return
    json.dumps(out)  # what is accepted can be written into a shard


@FAST
@given(st.text(alphabet=string.printable + "&*!{}[]:-|>é", max_size=200))
def test_any_yaml_text_parses_or_raises_value_error(text):
    try:
        safe_yaml(text, "fuzz")
    except ValueError as e:
        assert "fuzz" in str(e)


@pytest.mark.filterwarnings("ignore:.*empty label")
@FAST
@given(st.lists(st.text(alphabet=string.printable + "\t€", max_size=40), max_size=6))
def test_labels_tsv_reads_or_names_the_line(tmp_path_factory, lines):
    from ocrmodels.evaluate import read_labels_tsv

    d = tmp_path_factory.mktemp("tsv")
    (d / "labels.tsv").write_text("\n".join(lines), encoding="utf-8")
    try:
        files, texts = read_labels_tsv(d)
    except ValueError as e:
        assert "labels.tsv" in str(e)
        return
    assert len(files) == len(texts) > 0 and all(f.name.strip() for f in files)


gt_rows = st.one_of(
    st.text(max_size=40),
    st.builds(lambda img, words: json.dumps({"image": img, "words": words}), st.text(max_size=5) | st.integers(),
              st.lists(st.fixed_dictionaries({"quad": st.lists(st.lists(st.floats(allow_nan=True), max_size=3),
                                                               max_size=5)}), max_size=3) | st.integers()))


@FAST
@given(st.lists(gt_rows, max_size=5))
def test_gt_jsonl_reads_or_names_the_line(tmp_path_factory, lines):
    from ocrmodels.evaluate import read_gt_jsonl

    d = tmp_path_factory.mktemp("gt")
    (d / "gt.jsonl").write_text("\n".join(lines), encoding="utf-8")
    try:
        rows = read_gt_jsonl(d)
    except ValueError as e:
        assert "gt.jsonl" in str(e)
        return
    for r in rows:
        for w in r.get("words", []):
            assert w["quad"].shape == (4, 2) and np.isfinite(w["quad"]).all()


@FAST
@given(st.tuples(st.integers(1, 40), st.integers(1, 40)), st.sampled_from([None, 1, 2, 3, 4, 5]),
       st.sampled_from([np.uint8, np.uint16, np.float32, np.float64, bool, np.int32]))
def test_any_image_array_becomes_rgb_or_is_refused(hw, channels, dtype):
    from ocrmodels.detector import as_rgb

    shape = hw if channels is None else hw + (channels,)
    img = (np.random.default_rng(0).random(shape) * 300).astype(dtype)
    try:
        out = as_rgb(img)
    except ValueError as e:
        assert "expected an image" in str(e)
        return
    assert out.dtype == np.uint8 and out.shape == hw + (3,)


@FAST
@given(st.integers(1, 60), st.integers(1, 60), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_any_maps_give_boxes_inside_the_image(h, w, level, seed):
    from ocrmodels.postprocess import maps_to_words

    rng = np.random.default_rng(seed)
    region = (rng.random((h, w)) * level).astype(np.float32)
    affinity = (rng.random((h, w)) * level).astype(np.float32)
    for d in maps_to_words(region, affinity, polygons=True):
        assert d["quad"].shape == (4, 2) and np.isfinite(d["quad"]).all() and 0 <= d["score"] <= 1


@pytest.fixture(scope="module")
def shard_bytes(tmp_path_factory):
    from synthgen import generate

    d = tmp_path_factory.mktemp("shard")
    generate(d, 12, seed=1, progress=False)
    return (d / "train-00000-of-00001.h5").read_bytes()


@FAST
@given(st.floats(0.0, 0.999))
def test_a_shard_truncated_anywhere_reads_or_raises_shard_error(tmp_path_factory, shard_bytes, frac):
    from synthgen import ShardError, read_shard

    p = tmp_path_factory.mktemp("cut") / "train-00000-of-00001.h5"
    p.write_bytes(shard_bytes[: int(len(shard_bytes) * frac)])
    try:
        sh = read_shard(p)
        rows = sh.rows(0, len(sh))
    except ShardError as e:
        assert "train-00000-of-00001.h5" in str(e)
        return
    assert len(rows) == 12


@pytest.mark.filterwarnings("ignore::UserWarning")
@FAST
@given(st.sampled_from([".txt", ".csv", ".jsonl"]),
       st.binary(max_size=200) | st.text(alphabet=string.printable + "é€\x00", max_size=200))
def test_any_catalog_file_reads_or_names_the_file(tmp_path_factory, suffix, content):
    from synthgen.text import load_catalog

    p = tmp_path_factory.mktemp("cat") / f"titles{suffix}"
    if isinstance(content, str):
        p.write_text(content, encoding="utf-8")
    else:
        p.write_bytes(content)
    try:
        titles = load_catalog(p)
    except ValueError as e:
        assert f"titles{suffix}" in str(e)
        return
    assert titles and all(isinstance(t, str) for t in titles)


def _mutate(data: bytes, cut: float, flips: list) -> bytes:
    b = bytearray(data[: max(1, int(len(data) * cut))])
    for pos, val in flips:
        b[int(pos * (len(b) - 1))] = val
    return bytes(b)


mutations = (st.floats(0.0, 1.0), st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8))


@pytest.mark.filterwarnings("ignore::UserWarning")
@FAST
@given(*mutations)
def test_a_damaged_font_is_skipped_by_name_or_still_renders(tmp_path_factory, cut, flips):
    import warnings

    from synthgen import WordGenerator
    from synthgen.charset import Charset
    from synthgen.fonts import FontLibrary

    src = FONTS / "allerta" / "allerta_medium.otf"
    d = tmp_path_factory.mktemp("font")
    (d / "broken.otf").write_bytes(_mutate(src.read_bytes(), cut, flips))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            FontLibrary([d], Charset(), use_cache=False)
        except ValueError as e:
            assert "No usable font" in str(e)
            assert any("broken.otf" in str(w.message) for w in caught)
            return
    # parsed: it must render words, or leave them to another font, never crash
    gen = WordGenerator({"fonts": [str(d)], "backgrounds": []})
    for i in range(3):
        try:
            s = gen.make_sample(np.random.default_rng(i))
        except ValueError:
            continue
        assert s.image.shape[:2] == (32, 128)


@pytest.mark.filterwarnings("ignore::UserWarning")
@FAST
@given(st.sampled_from(["cardboard-corrugated-1.jpg"]), *mutations)
def test_a_damaged_background_is_skipped_by_name(tmp_path_factory, name, cut, flips):
    import warnings

    from synthgen.backgrounds import BackgroundLibrary

    d = tmp_path_factory.mktemp("bg")
    (d / "broken.jpg").write_bytes(_mutate((BACKGROUNDS / name).read_bytes(), cut, flips))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lib = BackgroundLibrary([d])
        if len(lib) == 0:
            assert any("broken.jpg" in str(w.message) for w in caught)
            return
        out = lib.crop(0, 32, 128, 3, np.random.default_rng(0))
    if out is None:
        assert any("broken.jpg" in str(w.message) for w in caught)
    else:
        assert out.shape == (32, 128, 3) and out.dtype == np.float32


@FAST
@given(*mutations)
def test_a_damaged_model_file_is_refused_by_name(tmp_path_factory, cut, flips):
    from ocrmodels.recognizer import load_model_file

    src = Path(__file__).resolve().parents[1] / "ocrmodels" / "weights" / "crnn_small.keras"
    p = tmp_path_factory.mktemp("model") / "broken.keras"
    data = _mutate(src.read_bytes(), cut, flips)
    if data == src.read_bytes():
        return
    p.write_bytes(data)
    try:
        load_model_file(p)
    except ValueError as e:
        assert "broken.keras" in str(e)


@pytest.mark.slow
def test_fuzz_more_examples():
    """The same properties with many more examples (FUZZ_EXAMPLES=2000 in a subprocess)."""
    import subprocess
    import sys

    env = {**os.environ, "FUZZ_EXAMPLES": "2000"}
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", __file__, "-m", "not slow", "-p", "no:cacheprovider"],
                       env=env, capture_output=True, text=True, timeout=3000)
    assert r.returncode == 0, r.stdout[-3000:]
