import json

import cv2
import keras
import numpy as np
import pytest

import ocrmodels
from ocrmodels.cli import main as cli
from ocrmodels.craft import build_craft, craft_size_of
from ocrmodels.detector import Detector, as_rgb, load_detector, load_detector_model
from ocrmodels.losses import CRAFTLoss, craft_loss
from ocrmodels.metrics import detection_metrics, iou, match_detections
from synthgen.parallel import generate

SMALL_SCENES = {"canvas_height": 128, "canvas_width": 128, "blocks": [1, 3], "text_size": [10.0, 24.0]}


def test_loss_keeps_every_positive_and_three_hardest_negatives_each():
    y = np.zeros((1, 20, 20, 2), np.float32)
    p = np.zeros((1, 20, 20, 2), np.float32)
    y[0, :2, :5, 0] = 1.0  # 10 positives in the region map
    p[0, :2, :5, 0] = 0.5  # each off by 0.5 -> 0.25
    rng = np.random.default_rng(0)
    neg = rng.uniform(0, 0.9, 390).astype(np.float32)
    p[0, 2:, :, 0] = neg[: 18 * 20].reshape(18, 20)
    p[0, :2, 5:, 0] = neg[360:].reshape(2, 15)
    # the affinity map has no positive: its 500 (here: all 400) hardest negatives count
    p[0, :, :, 1] = 0.1
    errs = np.sort(np.square(neg))[::-1]
    region = (10 * 0.25 + errs[:30].sum()) / 40
    affinity = 0.01
    got = float(keras.ops.convert_to_numpy(craft_loss(y, p))[0])
    assert got == pytest.approx((region + affinity) / 2, rel=1e-5)
    # fewer negatives kept with a smaller ratio: the easy ones stop counting
    got1 = float(keras.ops.convert_to_numpy(craft_loss(y, p, negative_ratio=1.0))[0])
    assert got1 == pytest.approx(((10 * 0.25 + errs[:10].sum()) / 20 + affinity) / 2, rel=1e-5)
    loss = CRAFTLoss(negative_ratio=2.0, min_negatives=7)
    assert CRAFTLoss.from_config(loss.get_config()).get_config() == loss.get_config()
    with pytest.raises(ValueError, match="negative_ratio"):
        CRAFTLoss(negative_ratio=-1)


def test_detection_metric_by_hand_with_dont_care():
    def box(x0, y0, x1, y1):
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]

    gt = [box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10), box(60, 0, 80, 20)]
    ignore = [False, False, False, True]
    dets = [box(0, 0, 10, 9),      # IoU 0.9 with gt 0
            box(1, 0, 10, 10),     # also overlaps gt 0 (0.9) but it is taken: a false positive
            box(24, 0, 34, 10),    # IoU 6/14 = 0.43 with gt 1: too low
            box(62, 2, 78, 18),    # inside the don't-care box: dropped
            box(70, 10, 90, 30)]   # a quarter inside the don't-care box: kept, a false positive
    r = match_detections(gt, dets, ignore=ignore)
    assert r["gt"] == 3 and r["detections"] == 4 and r["matched"] == 1 and r["dropped"] == [3]
    assert iou(gt[1], dets[2]) == pytest.approx(6 / 14)
    m = detection_metrics([r, match_detections([box(0, 0, 5, 5)], [box(0, 0, 5, 5)])])
    assert m["precision"] == pytest.approx(2 / 5) and m["recall"] == pytest.approx(2 / 4)
    assert m["hmean"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)


def test_model_sizes_any_multiple_of_32_and_safe_mode_loading(tmp_path):
    m = build_craft("tiny")
    for h, w in ((64, 96), (32, 160)):
        assert m(np.zeros((1, h, w, 3), np.float32)).shape == (1, h // 2, w // 2, 2)
    assert craft_size_of(m) == "tiny"
    with pytest.raises(ValueError, match="multiples of 32"):
        build_craft("tiny", input_shape=(100, 96, 3))
    with pytest.raises(ValueError, match="size must be one of"):
        build_craft("huge")
    m.save(tmp_path / "d.keras")
    again = load_detector_model(tmp_path / "d.keras")
    x = np.random.default_rng(0).normal(size=(1, 64, 64, 3)).astype(np.float32)
    assert np.allclose(m(x), again(x), atol=1e-6)
    with pytest.raises(ValueError, match="not a CRAFT detector"):
        load_detector_model(ocrmodels.BUNDLED_RECOGNIZER)
    (tmp_path / "junk.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a Keras model file"):
        load_detector_model(tmp_path / "junk.keras")


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    d = tmp_path_factory.mktemp("scenes")
    generate(d / "train", 24, config=SMALL_SCENES, kind="scenes", seed=1, shard_size=12, progress=False)
    generate(d / "nomaps", 8, config={**SMALL_SCENES, "maps": False}, kind="scenes", seed=2, progress=False)
    generate(d / "words", 16, seed=1, progress=False)
    return d


@pytest.fixture(scope="module")
def trained(scenes, tmp_path_factory):
    """A tiny detector trained for 2 + 1 epochs of 2 steps through the CLI (resumed once)."""
    out = tmp_path_factory.mktemp("det") / "tiny.keras"
    args = ["train-detector", "--data", str(scenes / "train"), "--val", str(scenes / "nomaps"), "--out", str(out),
            "--model-size", "tiny", "--size", "64", "--batch-size", "4", "--steps-per-epoch", "2", "--workers", "1", "--val-size", "64", "--no-xla"]
    assert cli(args + ["--epochs", "3", "--stop-after", "2"]) == 0
    assert json.loads(out.with_name("tiny.train").joinpath("state.json").read_text())["epochs_done"] == 2
    assert cli(args + ["--epochs", "3", "--resume"]) == 0
    return out


def test_a_tiny_detector_trains_resumes_and_loads_in_safe_mode(trained):
    run = trained.with_name("tiny.train")
    state = json.loads((run / "state.json").read_text())
    assert state["epochs_done"] == 3 and len(state["history"]) == 3
    assert all(np.isfinite(h["val_loss"]) for h in state["history"])
    assert (run / "last.keras").is_file() and not list(run.glob("*.tmp*"))
    assert len((run / "log.csv").read_text().strip().splitlines()) == 4  # header + 3 epochs
    model = keras.saving.load_model(trained, safe_mode=True)
    assert craft_size_of(model) == "tiny"


def test_mixed_precision_training_with_xla(scenes, tmp_path):
    """bfloat16 compute under XLA (the trainer's default): bilinear upsampling is resized in float32, else XLA
    refuses the float32 gradient of a bfloat16 resize."""
    out = tmp_path / "mp.keras"
    assert cli(["train-detector", "--data", str(scenes / "train"), "--out", str(out), "--model-size", "tiny",
                "--size", "64", "--batch-size", "4", "--epochs", "1", "--steps-per-epoch", "2", "--workers", "1",
                "--mixed-precision"]) == 0
    state = json.loads((tmp_path / "mp.train" / "state.json").read_text())
    assert state["settings"]["mixed_precision"] is True and np.isfinite(state["history"][0]["loss"])
    assert craft_size_of(keras.saving.load_model(out, safe_mode=True)) == "tiny"


def test_training_refuses_word_crops_and_other_settings_on_resume(scenes, trained, tmp_path, capsys):
    assert cli(["train-detector", "--data", str(scenes / "words"), "--out", str(tmp_path / "x.keras")]) == 2
    assert "scene shards" in capsys.readouterr().err
    assert not (tmp_path / "x.train").exists()
    before = trained.with_name("tiny.train").joinpath("last.keras").read_bytes()
    assert cli(["train-detector", "--data", str(scenes / "train"), "--out", str(trained), "--size", "96",
                "--epochs", "4", "--resume"]) == 2
    assert "size differs" in capsys.readouterr().err
    assert trained.with_name("tiny.train").joinpath("last.keras").read_bytes() == before  # checkpoint untouched


def test_detect_takes_images_of_any_size_and_mode(trained):
    det = load_detector(trained)
    rng = np.random.default_rng(0)
    images = [np.zeros((1, 1), np.uint8), rng.integers(0, 255, (50, 1000, 3), dtype=np.uint8),
              (rng.random((40, 60)) * 65535).astype(np.uint16), rng.integers(0, 255, (30, 40, 4), dtype=np.uint8),
              rng.integers(0, 255, (33, 17, 2), dtype=np.uint8), np.ones((20, 20), bool), rng.random((16, 16, 3))]
    out = det.detect(images)
    assert len(out) == len(images)
    for img, words in zip(images, out):
        assert isinstance(words, list)
        for d in words:
            assert d["quad"].shape == (4, 2) and d["quad"].dtype == np.float32
            assert (d["quad"] >= -0.5).all() and (d["quad"][:, 0] <= img.shape[1]).all()
    (flat,) = det.detect(np.full((64, 64, 3), 128, np.uint8))  # one array: one result
    assert isinstance(flat, list)
    with pytest.raises(ValueError, match="expected an image"):
        det.detect([np.zeros((4, 4, 5), np.uint8)])
    with pytest.raises(ValueError, match="canvas_size"):
        Detector(det.model, canvas_size=8)
    assert as_rgb(np.full((2, 2, 2), (10, 0), np.uint8))[0, 0].tolist() == [255, 255, 255]  # transparent: white


def test_a_detector_saved_in_bfloat16_computes_in_float32_unless_asked(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # as `train-detector --mixed-precision` builds it
    try:
        model = build_craft("tiny")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.save(tmp_path / "bf16.keras")
    saved = load_detector(tmp_path / "bf16.keras", compute_dtype=None).model
    assert "bfloat16" in {layer.dtype_policy.compute_dtype for layer in saved.layers}
    det = load_detector(tmp_path / "bf16.keras")
    assert {layer.dtype_policy.compute_dtype for layer in det.model.layers if layer.name != "image"} == {"float32"}
    for a, b in zip(saved.weights, det.model.weights):
        assert a.path == b.path and np.array_equal(np.asarray(a), np.asarray(b))
    x = np.random.default_rng(0).normal(size=(1, 64, 96, 3)).astype(np.float32)
    p32, p16 = np.asarray(det.model(x)), np.asarray(saved(x), np.float32)
    assert p32.dtype == np.float32 and p32.shape == p16.shape == (1, 32, 48, 2)
    assert 0 < np.abs(p32 - p16).max() < 0.1  # bfloat16 rounding, not another model
    with pytest.raises(ValueError, match="compute_dtype"):
        load_detector(tmp_path / "bf16.keras", compute_dtype="mixed_bfloat16")


def test_a_big_image_is_shrunk_to_the_canvas(trained):
    det = load_detector(trained, canvas_size=256)
    x, ratio, (h, w) = det.prepare(np.zeros((4000, 4000, 3), np.uint8))
    assert x.shape == (1, 256, 256, 3) and ratio == pytest.approx(256 / 4000)
    x, ratio, (h, w) = det.prepare(np.zeros((10, 100), np.uint8))
    assert (h, w) == (15, 150) and x.shape == (1, 32, 160, 3)


def test_detect_cli_names_bad_files_and_still_writes_the_good_ones(trained, tmp_path, capsys):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), np.full((60, 90, 3), 200, np.uint8))
    notimg = tmp_path / "notes.png"
    notimg.write_text("hello")
    missing = tmp_path / "missing.jpg"
    out = tmp_path / "det.jsonl"
    rc = cli(["detect", str(missing), str(good), str(notimg), "--model", str(trained), "--json", str(out),
              "--overlay", str(tmp_path / "ov")])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"{missing} does not exist" in err and f"{notimg} is not an image" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["image"] == str(good) and (rows[0]["width"], rows[0]["height"]) == (90, 60)
    assert isinstance(rows[0]["words"], list)
    pic = cv2.imread(str(tmp_path / "ov" / "good.overlay.png"))
    assert pic.shape[0] == 240 and pic.shape[1] > 3 * 360  # image, region and affinity side by side, enlarged
    assert cli(["detect", str(good), "--model", str(tmp_path / "none.keras")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_evaluate_detector_on_shards_and_a_gt_folder(trained, scenes, tmp_path, capsys):
    assert cli(["evaluate-detector", "--data", str(scenes / "nomaps"), "--model", str(trained), "--worst", "2"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["images"] == 8 and rep["gt"] > 0 and 0 <= rep["hmean"] <= 1 and len(rep["worst"]) == 2
    (tmp_path / "images").mkdir()
    cv2.imwrite(str(tmp_path / "images" / "a.png"), np.full((50, 80, 3), 255, np.uint8))
    quad = [[5, 5], [40, 5], [40, 20], [5, 20]]
    rows = [{"image": "a.png", "width": 80, "height": 50, "words": [{"quad": quad, "ignore": False}]},
            {"image": "gone.png", "width": 10, "height": 10, "words": []}]
    (tmp_path / "gt.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert cli(["evaluate-detector", "--data", str(tmp_path), "--model", str(trained)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["gt"] == 1 and rep["unreadable"] == ["gone.png"] and rep["images"] == 2
    (tmp_path / "gt.jsonl").write_text('{"image": "a.png", "words": [{"quad": [[1, 2]]}]}\n')
    assert cli(["evaluate-detector", "--data", str(tmp_path), "--model", str(trained)]) == 2
    assert "gt.jsonl:1" in capsys.readouterr().err


def test_without_the_tf_extra_the_cli_says_which_extra_to_install(tmp_path):
    import subprocess
    import sys

    code = ("import sys; sys.modules['keras'] = None; sys.modules['tensorflow'] = None\n"
            "from ocrmodels.cli import main; sys.exit(main(sys.argv[1:]))")
    r = subprocess.run([sys.executable, "-c", code, "evaluate-detector", "--data", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "needs the tf extra" in r.stderr and "Traceback" not in r.stderr


def test_without_bundled_weights_load_detector_says_what_to_pass(monkeypatch, tmp_path):
    import ocrmodels.detector as d

    monkeypatch.setattr(d, "BUNDLED_DETECTOR", tmp_path / "craft_small.keras")
    with pytest.raises(FileNotFoundError, match="No detector weights are bundled.*--model"):
        d.load_detector()


def test_read_and_evaluate_reader_cli(trained, scenes, tmp_path, capsys):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), np.full((60, 90, 3), 200, np.uint8))
    missing = tmp_path / "missing.jpg"
    out = tmp_path / "read.jsonl"
    rc = cli(["read", str(missing), str(good), "--model", str(trained), "--attributes", "--decoder", "greedy",
              "--json", str(out), "--overlay", str(tmp_path / "ov")])
    assert rc == 1 and f"{missing} does not exist" in capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["image"] == str(good)
    assert set(rows[0]) == {"image", "width", "height", "words", "lines", "attributes"}
    assert set(rows[0]["attributes"]) == {"quantity", "price", "date", "lot", "percentage", "claim"}
    assert cv2.imread(str(tmp_path / "ov" / "good.read.png")) is not None
    assert cli(["read", str(good), "--model", str(trained), "--recognizer", str(tmp_path / "none.keras")]) == 2
    assert "--recognizer" in capsys.readouterr().err
    assert cli(["evaluate-reader", "--data", str(scenes / "nomaps"), "--model", str(trained), "--decoder", "greedy",
                "--limit", "3", "--worst", "1"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["images"] == 3 and rep["gt"] > 0 and 0 <= rep["hmean"] <= rep["detection"]["hmean"] <= 1
    assert set(rep["seconds"]) == {"detect", "cut", "recognize", "group"}
