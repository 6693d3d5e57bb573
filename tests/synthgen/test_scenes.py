"""Scenes: layout, quads, CRAFT maps in scenes, scene shards and the CLI on them."""

import json

import cv2
import h5py
import numpy as np
import pytest

from synthgen import SceneGenerator, craft_maps, generate, read_shard, verify_shard
from synthgen.cli import main
from synthgen.geometry import quad_contains, quad_signed_area
from synthgen.heatmaps import affinity_quads, inflate_char_quads, to_map_coords

# every geometry often, crowded canvases
BUSY = {"blocks": [5, 9], "block_rotation_prob": 0.4, "vertical_prob": 0.1, "box_perspective_prob": 0.4,
        "bottle_curve_prob": 0.4, "text_size": [8.0, 48.0]}


@pytest.fixture(scope="module")
def busy():
    return SceneGenerator(BUSY)


@pytest.fixture(scope="module")
def busy_scenes(busy):
    return [busy.sample_at(3, i, debug=True)[0] for i in range(6)]


def test_scene_contract(busy_scenes):
    for s in busy_scenes:
        assert s.image.shape == (512, 512, 3) and s.image.dtype == np.uint8
        words = s.words
        assert len(words) == len(s.word_quads) == len(s.word_fonts) == len(s.word_blocks) > 0
        assert all(w and " " not in w for w in words)
        assert len(s.char_quads) == sum(len(w) for w in words)
        for q in (s.char_quads, s.word_quads):
            assert np.isfinite(q).all() and (q >= -0.5).all() and (q <= 511.5).all()
        assert (quad_signed_area(s.char_quads) > 0).all() and (quad_signed_area(s.word_quads) > 0).all()
        assert s.region.shape == s.affinity.shape == (256, 256) and s.region.dtype == np.uint8
        assert s.params["blocks"] == len(s.debug["blocks"]) == len(set(s.word_blocks.tolist()))
    kinds = {b["kind"] for s in busy_scenes for b in s.debug["blocks"]}
    assert kinds == {"title", "brand", "info"}
    p = [s.params for s in busy_scenes]
    assert sum(x["rotated_blocks"] for x in p) and sum(x["perspective_blocks"] for x in p) and sum(x["curved_blocks"] for x in p)


def test_no_two_blocks_overlap(busy_scenes):
    checked = 0
    for s in busy_scenes:
        owner = np.zeros((512, 512), np.int32)
        for b in s.debug["blocks"]:
            hull = cv2.convexHull(b["hull"].astype(np.float32)).reshape(-1, 2)
            m = np.zeros((512, 512), np.uint8)
            # pixel centres sit at integers: the hull rasterised with 1/16 px precision
            cv2.fillConvexPoly(m, np.round(hull * 16).astype(np.int32), 1, lineType=cv2.LINE_8, shift=4)
            assert not (owner[m > 0] > 0).any(), "two text blocks overlap"
            owner[m > 0] = 1
            checked += 1
    assert checked >= 20


def test_char_quads_hold_their_ink(busy_scenes):
    """Each block's ink (as drawn) lies inside the union of its char quads."""
    for s in busy_scenes:
        for b in s.debug["blocks"]:
            x0, y0, x1, y1 = b["roi"]
            a = b["alpha"]
            inside = np.zeros(a.shape, np.uint8)
            blk = s.char_quads[[i for i, w in enumerate(np.repeat(s.word_blocks, [len(w) for w in s.words]))
                                if w == s.debug["blocks"].index(b)]]
            for q in blk:
                pts = np.round((q - (x0, y0)) * 16).astype(np.int32)
                cv2.fillConvexPoly(inside, pts, 1, lineType=cv2.LINE_8, shift=4)
            mass = float(a.sum())
            assert float((a * inside).sum()) >= 0.97 * mass, f"ink outside the char quads in block {b['lines']}"


def test_region_peak_of_each_char_inside_its_quad(busy_scenes):
    for s in busy_scenes[:3]:
        ids = np.repeat(np.arange(len(s.words)), [len(w) for w in s.words])
        grown = inflate_char_quads(s.char_quads, ids)  # as craft_maps draws them
        mq = to_map_coords(grown, 0.5)
        for q, qm in zip(grown, mq):
            own, _ = craft_maps(q[None], [0], 512, 512, min_height=0, min_width=0)
            if own.max() == 0:  # still thinner than a map pixel (a hyphen alone in 6 px text): nothing drawn
                assert min(np.ptp(qm[:, 0]), np.ptp(qm[:, 1])) < 1.0
                continue
            y, x = np.unravel_index(own.argmax(), own.shape)
            assert quad_contains(qm, np.array([x], float), np.array([y], float), tol=0.5)[0]
            # the stored map holds this char's blob (merged by max with its neighbours)
            assert int(s.region[y, x]) >= round(own[y, x] * 255) - 1


def test_affinity_only_inside_words(busy_scenes):
    """The scene's affinity map is exactly the max of its words' own maps: nothing joins two words."""
    for s in busy_scenes[:3]:
        n_pairs = sum(len(w) - 1 for w in s.words)
        assert len(affinity_quads(s.char_quads, s.word_ids)) == n_pairs
        per_word = np.zeros((256, 256), np.float32)
        start = 0
        for w in s.words:
            _, a = craft_maps(s.char_quads[start : start + len(w)], np.zeros(len(w), int), 512, 512)
            np.maximum(per_word, a, out=per_word)
            start += len(w)
        assert np.abs(s.affinity.astype(np.int16) - np.round(per_word * 255)).max() <= 1
        # the whole text as one word would join words: a different, larger map
        _, joined = craft_maps(s.char_quads, np.zeros(len(s.char_quads), int), 512, 512)
        assert (np.round(joined * 255) > s.affinity + 1).any()


def test_scenes_and_maps_are_deterministic(busy):
    other = SceneGenerator(BUSY)
    for i in (0, 5):
        a, ra = busy.sample_at(11, i)
        b, rb = other.sample_at(11, i)
        assert a.encoded == b.encoded and a.text == b.text and ra == rb
        assert np.array_equal(a.region, b.region) and np.array_equal(a.affinity, b.affinity)
        assert np.array_equal(a.char_quads, b.char_quads)
    assert busy.sample_at(12, 0)[0].encoded != busy.sample_at(11, 0)[0].encoded


def test_rejects_are_typed_counted_and_bounded():
    g = SceneGenerator({"canvas_height": 128, "canvas_width": 128, "blocks": [12, 12], "text_size": [14.0, 20.0],
                        "block_gap": 1.0})
    s, rejects = g.sample_at(0, 0)
    assert rejects.get("block_no_room", 0) > 0 and s.params["blocks"] < 12
    huge = SceneGenerator({"canvas_height": 64, "canvas_width": 64, "text_size": [200.0, 300.0], "max_attempts": 3})
    with pytest.raises(RuntimeError, match="rejected 3 times.*'block_does_not_fit': [1-9]"):
        huge.sample_at(0, 0)


def test_word_only_options_are_refused():
    with pytest.raises(ValueError, match="'rotation' apply to words only"):
        SceneGenerator({"rotation": [-5, 5]})


def test_scene_shards_one_and_two_workers_identical_and_verified(tmp_path):
    cfg = {"canvas_height": 256, "canvas_width": 320, "blocks": [2, 4]}
    generate(tmp_path / "a", 8, config=cfg, kind="scenes", shard_size=4, workers=1, progress=False, seed=4)
    generate(tmp_path / "b", 8, config=cfg, kind="scenes", shard_size=4, workers=2, progress=False, seed=4)
    for name in ("train-00000-of-00002.h5", "train-00001-of-00002.h5"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert verify_shard(tmp_path / "a" / name) == []
    sh = read_shard(tmp_path / "a" / "train-00001-of-00002.h5")
    assert sh.kind == "scenes" and sh.has_maps and len(sh) == 4
    g = SceneGenerator(cfg)
    ref, _ = g.sample_at(4, 5)
    row = sh[1]
    assert row["words"] == ref.words and np.array_equal(row["char_quads"], ref.char_quads)
    assert np.array_equal(row["region"], ref.region) and np.array_equal(row["image"], ref.image)
    assert row["image"].shape == (256, 320, 3) and row["region"].shape == (128, 160)
    assert list(row["word_fonts"]) == list(ref.word_fonts) and row["params"]["blocks"] == ref.params["blocks"]
    m = json.loads((tmp_path / "a" / "synthgen.json").read_text())
    assert m["kind"] == "scenes"


def test_verify_finds_maps_that_do_not_match_their_quads(tmp_path):
    generate(tmp_path, 3, config={"canvas_height": 128, "canvas_width": 128}, kind="scenes", progress=False)
    path = tmp_path / "train-00000-of-00001.h5"
    with h5py.File(path, "r+") as f:
        r = f["region"][0]
        f["region"][0] = np.roll(r, 7, axis=1)
    problems = verify_shard(path)
    assert any("differ from maps rebuilt" in p for p in problems), problems


def test_scenes_without_maps(tmp_path):
    generate(tmp_path, 2, config={"maps": False, "canvas_height": 128, "canvas_width": 192}, kind="scenes", progress=False)
    sh = read_shard(tmp_path / "train-00000-of-00001.h5")
    assert not sh.has_maps and "region" not in sh[0] and verify_shard(sh.path) == []


def test_cli_scenes(tmp_path, capsys):
    out = tmp_path / "sc"
    assert main(["generate", "--kind", "scenes", "--out", str(out), "--count", "4", "--no-progress",
                 "--set", "canvas_width=384", "--set", "canvas_height=256"]) == 0
    assert "4 scenes in 1 shard(s)" in capsys.readouterr().out
    assert main(["verify", str(out)]) == 0
    assert "0 problem(s)" in capsys.readouterr().out
    assert main(["inspect", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "scenes" and info["scenes"] == 4 and info["maps"] == "128x192" and info["words"] > 4
    png = tmp_path / "sheet.png"
    assert main(["preview", str(out), "--out", str(png), "--heatmaps"]) == 0
    sheet = cv2.imread(str(png))
    assert sheet is not None and sheet.shape[1] > 2 * 384  # the image and its maps side by side
    assert main(["generate", "--kind", "scenes", "--out", str(tmp_path / "x"), "--count", "2", "--set", "rotation=[1,2]"]) == 2
    assert "apply to words only" in capsys.readouterr().err
    assert main(["generate", "--kind", "scenes", "--out", str(tmp_path / "y"), "--count", "1", "--no-progress",
                 "--set", "canvas_width=64", "--set", "canvas_height=64", "--set", "text_size=[60,80]",
                 "--set", "max_attempts=2"]) == 2
    assert "rejected 2 times" in capsys.readouterr().err


def test_word_crops_get_maps_from_the_same_function(tmp_path, capsys):
    """Word shards hold no maps; preview --heatmaps builds them from the quads with craft_maps."""
    generate(tmp_path / "w", 6, progress=False)
    row = read_shard(tmp_path / "w" / "train-00000-of-00001.h5")[0]
    region, affinity = craft_maps(row["char_quads"], [0] * len(row["char_quads"]), 32, 128)
    assert region.shape == (16, 64) and region.max() > 0.5
    png = tmp_path / "w.png"
    assert main(["preview", str(tmp_path / "w"), "--out", str(png), "--heatmaps", "--count", "6"]) == 0
    assert cv2.imread(str(png)) is not None


def test_degenerate_quads_draw_nothing_and_do_not_fail():
    q = np.array([[[0, 0], [10, 0], [10, 10], [0, 10]], [[5, 5], [5, 5], [5, 5], [5, 5]]], np.float32)
    region, _ = craft_maps(q, [0, 1], 32, 32)
    alone, _ = craft_maps(q[:1], [0], 32, 32)
    assert np.array_equal(region, alone)


def test_scene_shards_record_the_attributes_their_info_blocks_state(tmp_path):
    generate(tmp_path, 6, kind="scenes", seed=4, config={"block_weights": [0, 0, 1]}, progress=False, workers=1)
    sh = read_shard(next(tmp_path.glob("*.h5")))
    found = 0
    for i in range(len(sh)):
        row = sh.rows(i, i + 1, fields=("text", "attributes"))[0]
        for a in row["attributes"]:
            assert a["kind"] in ("quantity", "price", "date", "lot", "percentage", "claim")
            assert a["line"] in row["text"]  # the line as drawn is in the scene's text
            found += 1
    assert found >= 6
    assert verify_shard(sh.path) == []


def test_verify_rebuilds_maps_with_the_shards_map_version(tmp_path):
    from synthgen.heatmaps import MAP_VERSION, word_ids_from_text

    generate(tmp_path, 4, config={"canvas_height": 160, "canvas_width": 160}, kind="scenes", progress=False)
    path = tmp_path / "train-00000-of-00001.h5"
    with read_shard(path) as sh:
        assert sh.attrs["map_version"] == MAP_VERSION
        rows = [sh[i] for i in range(len(sh))]
    assert verify_shard(path) == []
    # a shard written before char quads were grown: maps drawn from the quads as they are, no map_version
    with h5py.File(path, "r+") as f:
        for i, r in enumerate(rows):
            reg, _ = craft_maps(r["char_quads"], word_ids_from_text(r["text"]), 160, 160, min_height=0, min_width=0)
            f["region"][i] = (reg * 255 + 0.5).astype(np.uint8)
        changed = not np.array_equal(f["region"][()], np.stack([r["region"] for r in rows]))
        del f.attrs["map_version"]
    assert changed  # these scenes hold small characters whose maps differ
    problems = verify_shard(path)
    assert any("differ from maps rebuilt" in p for p in problems), problems  # the affinities are still version 2
    with h5py.File(path, "r+") as f:
        for i, r in enumerate(rows):
            _, aff = craft_maps(r["char_quads"], word_ids_from_text(r["text"]), 160, 160, min_height=0, min_width=0)
            f["affinity"][i] = (aff * 255 + 0.5).astype(np.uint8)
    assert verify_shard(path) == []
    with h5py.File(path, "r+") as f:
        f.attrs["map_version"] = 99
    assert any("map_version 99" in p and "newer synthgen" in p for p in verify_shard(path))
