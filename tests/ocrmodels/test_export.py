"""ONNX export of recognizers (float32 and int8) and reading them with ONNX Runtime."""

import os
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import onnx  # noqa: E402

import ocrmodels  # noqa: E402
from ocrmodels.cli import main as cli  # noqa: E402
from synthgen import WordGenerator  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny CRNN over 'abc' with random weights, saved as .keras, and crops to read."""
    keras.utils.set_random_seed(3)
    model = ocrmodels.build_crnn("tiny", "abc", name="tiny_abc")
    path = tmp_path_factory.mktemp("export") / "tiny.keras"
    model.save(path)
    gen = WordGenerator({"catalog": None, "height": 32, "width": 128}, titles=["abc cab", "bca", "aa bb"])
    crops = [gen.sample_at(1, i)[0].image for i in range(96)]
    return model, path, crops


@pytest.fixture(scope="module")
def exported(tiny, tmp_path_factory):
    model, path, crops = tiny
    d = tmp_path_factory.mktemp("onnx")
    f32 = ocrmodels.export_recognizer(path, d / "tiny.onnx")
    int8 = ocrmodels.export_recognizer(model, d / "tiny_int8.onnx", precision="int8", calibration=crops)
    return f32, int8


def test_float32_onnx_reads_as_the_keras_model(tiny, exported):
    model, path, crops = tiny
    f32, _ = exported
    keras_rec = ocrmodels.load_recognizer(path)
    onnx_rec = ocrmodels.load_recognizer(f32, threads=1)
    assert onnx_rec.runtime == "onnx" and keras_rec.runtime == "keras"
    assert onnx_rec.vocabulary == "abc" and onnx_rec.model.precision == "float32"
    assert (onnx_rec.height, onnx_rec.width) == (32, 128) and onnx_rec.model.output_shape == (None, 31, 4)
    big = [np.full((40, 300, 3), 200, np.uint8), np.zeros((90, 30), np.uint8)]  # any size and mode, as Keras reads them
    np.testing.assert_allclose(onnx_rec.probabilities(crops + big, batch_size=32),
                               keras_rec.probabilities(crops + big), atol=1e-4)
    assert onnx_rec.probabilities([]).shape == (0, 31, 4)
    texts = [t for t, _ in keras_rec.recognize(crops, decoder="greedy", deskew=None)]
    assert [t for t, _ in onnx_rec.recognize(crops, decoder="greedy", deskew=None)] == texts
    meta = {p.key: p.value for p in onnx.load(str(f32)).metadata_props}
    assert meta["ocrmodels.vocabulary"] == "abc" and meta["ocrmodels.source"] == "tiny.keras"


def test_int8_onnx_quantizes_the_convolutions_and_reads_each_crop_alone(tiny, exported, tmp_path):
    model, _, crops = tiny
    f32, int8 = exported
    graph = onnx.load(str(int8)).graph
    ops = [n.op_type for n in graph.node]
    assert ops.count("Conv") == 7 and ops.count("QuantizeLinear") >= 6 and "LSTM" in ops
    inits = {i.name for i in graph.initializer}
    convs = [n for n in graph.node if n.op_type == "Conv"]
    assert convs[0].input[1] in inits  # the first convolution keeps its float weights
    assert all(n.input[1] not in inits for n in convs[1:])  # the others read dequantized int8 weights
    q, f = ocrmodels.load_recognizer(int8), ocrmodels.load_recognizer(f32)
    assert q.model.precision == "int8"
    pq, pf = q.probabilities(crops), f.probabilities(crops)
    assert np.abs(pq - pf).mean() < 0.02 and not np.array_equal(pq, pf)  # rounded, but close
    # fixed activation scales: a crop reads the same whatever it is batched with
    alone = q.probabilities(crops[:1])
    np.testing.assert_array_equal(alone[0], q.probabilities(crops[:1] + crops[50:])[0])
    # the same arguments give the same model
    again = ocrmodels.export_recognizer(model, tmp_path / "again.onnx", precision="int8", calibration=crops)
    np.testing.assert_array_equal(ocrmodels.load_recognizer(again).probabilities(crops), pq)
    # saving an ONNX recognizer copies its file
    q.save(tmp_path / "copy.onnx")
    assert (tmp_path / "copy.onnx").read_bytes() == int8.read_bytes()
    with pytest.raises(ValueError, match=".onnx"):
        q.save(tmp_path / "copy.keras")


def test_int8_calibration_from_shards_and_generated(tiny, tmp_path):
    from synthgen import generate

    model, _, _ = tiny
    shards = tmp_path / "shards"
    generate(shards, 80, seed=5, progress=False)
    out = ocrmodels.export_recognizer(model, tmp_path / "s.onnx", precision="int8", calibration=shards,
                                      calibration_count=64, reduce_range=True)
    assert ocrmodels.load_recognizer(out).model.precision == "int8"
    gen = ocrmodels.export_recognizer(model, tmp_path / "g.onnx", precision="int8", calibration_count=64, seed=1)
    assert ocrmodels.load_recognizer(gen).probabilities([np.zeros((32, 128), np.uint8)]).shape == (1, 31, 4)


def test_bad_arguments_and_files_say_what_to_do(tiny, exported, tmp_path):
    model, path, crops = tiny
    for kwargs, msg in [({"precision": "fp16"}, "precision"), ({"calibration_count": 10}, "calibration_count")]:
        with pytest.raises(ValueError, match=msg):
            ocrmodels.export_recognizer(model, tmp_path / "x.onnx", **kwargs)
    with pytest.raises(ValueError, match=r"\.onnx file"):
        ocrmodels.export_recognizer(model, tmp_path / "x.keras")
    with pytest.raises(ValueError, match="at least 64"):
        ocrmodels.export_recognizer(model, tmp_path / "x.onnx", precision="int8", calibration=crops[:10])
    with pytest.raises(TypeError, match="Keras recognizer"):
        ocrmodels.export_recognizer(42, tmp_path / "x.onnx")
    assert not (tmp_path / "x.onnx").exists()
    with pytest.raises(FileNotFoundError, match="export-recognizer"):
        ocrmodels.load_recognizer(tmp_path / "missing.onnx")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a protobuf at all")
    with pytest.raises(ValueError, match="broken.onnx could not be loaded"):
        ocrmodels.load_recognizer(broken)
    # an ONNX model that is not a recognizer
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [None, 32, 128, 1])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [None, 32, 128, 1])
    other = onnx.helper.make_model(onnx.helper.make_graph([onnx.helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y]),
                                   opset_imports=[onnx.helper.make_opsetid("", 17)])
    onnx.save(other, str(tmp_path / "other.onnx"))
    with pytest.raises(ValueError, match="not an ocrmodels recognizer"):
        ocrmodels.load_recognizer(tmp_path / "other.onnx")
    with pytest.raises(ValueError, match="threads"):
        ocrmodels.load_recognizer(exported[0], threads=0)
    with pytest.raises(ValueError, match="threads"):
        ocrmodels.load_recognizer(path, threads=-2)
    with pytest.raises(TypeError, match="OnnxRecognizerModel"):
        ocrmodels.Recognizer(str(exported[0]))


def test_missing_onnxruntime_names_the_extra(exported, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModuleNotFoundError, match=r"synthgen\[onnx\]"):
        ocrmodels.load_recognizer(exported[0])


def test_cli_exports_and_reads_onnx(tiny, tmp_path, capsys):
    import cv2

    _, path, crops = tiny
    out = tmp_path / "cli.onnx"
    assert cli(["export-recognizer", "--model", str(path), "--out", str(out)]) == 0
    assert f"wrote {out} (float32)" in capsys.readouterr().out
    img = tmp_path / "w.png"
    cv2.imwrite(str(img), crops[0])
    assert cli(["recognize", str(img), "--model", str(out), "--decoder", "greedy"]) == 0
    line = capsys.readouterr().out.strip().split("\t")
    keras_text = ocrmodels.load_recognizer(path).recognize([crops[0]], decoder="greedy")[0][0]
    assert line[0] == str(img) and line[1] == keras_text
    assert cli(["export-recognizer", "--out", str(tmp_path / "y.onnx"), "--calibration", "x"]) == 2
    assert "--precision int8" in capsys.readouterr().err
    assert cli(["export-recognizer", "--model", str(tmp_path / "nope.keras"), "--out", str(tmp_path / "y.onnx")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "y.onnx").exists()
