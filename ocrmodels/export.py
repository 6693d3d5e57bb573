"""Recognizers as ONNX files: export (float32, or int8 with static quantization) and reading with ONNX Runtime.

``export_recognizer(model, "rec.onnx")`` writes a ``.keras`` recognizer as ONNX with its vocabulary in the
file's metadata; ``load_recognizer("rec.onnx")`` reads it back as a :class:`~ocrmodels.Recognizer` that runs on
ONNX Runtime: the same preprocessing, deskew and decoders, no TensorFlow in the reading loop. A float32 file gives
the Keras model's probabilities (within 1e-4); an int8 file (``precision="int8"``: convolutions but the first
quantized per channel, activations calibrated on synthetic crops) reads 1.4-1.6 times as fast on CPUs with VNNI,
within a few tenths of a point (see ``docs/recognizer.md``, *Reading with ONNX Runtime*).

Export needs ``tf2onnx`` and ``onnx``; reading needs ``onnxruntime``: ``pip install 'synthgen[onnx]'``.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

__all__ = ["ONNX_PRECISIONS", "OnnxRecognizerModel", "export_recognizer"]

#: Precisions :func:`export_recognizer` writes.
ONNX_PRECISIONS = ("float32", "int8")

_META_KIND = "ocrmodels.kind"
_META_VOCAB = "ocrmodels.vocabulary"
_META_PRECISION = "ocrmodels.precision"
_META_SOURCE = "ocrmodels.source"
_INSTALL = "pip install 'synthgen[onnx]'"
# camera effects of half the default calibration crops (a lighter recipes/recognizer-*-camera.yaml)
_CAMERA = {"rotation_prob": 0.3, "camera_tilt_prob": 0.3, "context_prob": 0.3, "light_prob": 0.3, "motion_blur_prob": 0.2,
           "defocus_prob": 0.2, "shot_noise_prob": 0.3, "downscale_prob": 0.3, "jpeg_prob": 0.3}


def _require(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ModuleNotFoundError(f"{what} needs the {module.split('.')[0]} package, which is not installed: {_INSTALL}",
                                  name=module) from e


def check_threads(threads) -> None:
    """``threads`` is a positive int or ``None``, else ``ValueError``."""
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive int or None. Received: threads={threads!r}")


class OnnxRecognizerModel:
    """A recognizer ``.onnx`` file (written by :func:`export_recognizer`) in an ONNX Runtime session.

    Callable like the Keras model: float32 ``[N, 32, 128, 1]`` in, probabilities ``[N, T, V + 1]`` out.
    :class:`~ocrmodels.Recognizer` accepts it in place of a Keras model.

    Args:
        path: the ``.onnx`` file.
        threads: ONNX Runtime's intra-op threads (default: ONNX Runtime's choice, the physical cores).

    Attributes:
        vocabulary, precision (``"float32"`` or ``"int8"``), input_shape, output_shape, name, path.
    """

    def __init__(self, path, *, threads: int | None = None):
        ort = _require("onnxruntime", "Reading an .onnx recognizer")
        self.path = Path(os.fspath(path))
        if not self.path.is_file():
            raise FileNotFoundError(f"No ONNX file at {self.path}. Write one with `ocrmodels export-recognizer`.")
        check_threads(threads)
        options = ort.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as e:  # ONNX Runtime raises its own kinds for foreign or broken files
            raise ValueError(f"{self.path} could not be loaded by ONNX Runtime: {type(e).__name__}: {e}. "
                             "Pass a file written by `ocrmodels export-recognizer`.") from e
        meta = self._session.get_modelmeta().custom_metadata_map
        if meta.get(_META_KIND) != "recognizer" or not meta.get(_META_VOCAB):
            raise ValueError(f"{self.path} is an ONNX model but not an ocrmodels recognizer (no vocabulary in its "
                             "metadata). Export recognizers with `ocrmodels export-recognizer`.")
        self.vocabulary = meta[_META_VOCAB]
        self.precision = meta.get(_META_PRECISION, "float32")
        self.name = self.path.stem
        inp = self._session.get_inputs()[0]
        self._input = inp.name
        _, h, w, c = inp.shape
        self.input_shape = (None, h, w, c)
        self.output_shape = (None, w // 4 - 1, len(self.vocabulary) + 1)

    def __call__(self, x) -> np.ndarray:
        return self._session.run(None, {self._input: np.ascontiguousarray(x, np.float32)})[0]

    def __repr__(self):
        return f"OnnxRecognizerModel({str(self.path)!r}, precision={self.precision!r})"


def _calibration_crops(calibration, count: int, seed: int, height: int, width: int) -> np.ndarray:
    """float32 ``[N, height, width, 1]`` crops (0..1) the int8 activations are calibrated on."""
    from synthgen.effects import to_grey

    if calibration is None:  # crops of synthgen's defaults with camera effects: photographed and born-digital looks
        from synthgen import WordGenerator

        size = {"height": height, "width": width}
        gens = [WordGenerator(size), WordGenerator({**size, **_CAMERA})]
        images = [gens[i % 2].sample_at(seed, i)[0].image for i in range(count)]
    elif isinstance(calibration, np.ndarray) or (isinstance(calibration, (list, tuple)) and calibration
                                                 and isinstance(calibration[0], np.ndarray)):
        images = list(calibration)[:count]
    else:
        from synthgen.dataset import open_dataset

        paths = [calibration] if isinstance(calibration, (str, os.PathLike)) else list(calibration)
        ds = open_dataset(paths if len(paths) > 1 else paths[0])
        if ds.kind != "words":
            raise ValueError(f"calibration shards must hold word crops; {calibration} holds {ds.kind}.")
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(len(ds), size=min(count, len(ds)), replace=False))
        images = [r["image"] for r in ds.read(idx, fields=("image",))]
    if len(images) < 64:
        raise ValueError(f"int8 calibration needs at least 64 crops. Received: {len(images)}")
    import cv2

    x = np.empty((len(images), height, width, 1), np.float32)
    for i, img in enumerate(images):
        img = to_grey(img) if img.ndim == 3 else img
        if img.shape[:2] != (height, width):  # whole crops resized, as training feeds them
            img = cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)
        x[i, :, :, 0] = img
    return x * np.float32(1 / 255)


def export_recognizer(model, out, *, precision: str = "float32", calibration=None, calibration_count: int = 1024,
                      seed: int = 0, reduce_range: bool = False) -> Path:
    """Write a recognizer as an ONNX file that :func:`~ocrmodels.load_recognizer` reads with ONNX Runtime.

    Args:
        model: a Keras recognizer, a :class:`~ocrmodels.Recognizer`, a ``.keras`` path, or ``None`` (the bundled one).
            It is exported computing in float32 whatever policy it was trained with.
        out: the ``.onnx`` file to write (written to a temporary file, then moved into place).
        precision: ``"float32"`` (the Keras model's probabilities within 1e-4) or ``"int8"`` (convolutions
            but the first quantized per channel, their inputs with fixed scales calibrated on ``calibration``;
            the first convolution, the LSTMs and the output layer stay float32; every crop reads the same
            whatever it is batched with). int8 files are made for x86 CPUs with VNNI (AVX-512 VNNI or
            AVX-VNNI): on AVX2-only ones ONNX Runtime's 8-bit products can saturate; use ``reduce_range`` there.
        calibration: for ``"int8"``: word-crop shards (a folder, glob, file or a list of them) or an array /
            list of crops; ``None``: ``calibration_count`` crops generated by synthgen's defaults (half with
            camera effects) from ``seed``. Calibrate on crops like those you will read.
        calibration_count: crops to calibrate on (a random ``seed`` subset of shards).
        seed: sampling seed of the calibration crops; the same arguments write the same model.
        reduce_range: int8 with 7-bit weights, which cannot saturate on CPUs without VNNI (a little less accurate).

    Returns:
        the path written.
    """
    if precision not in ONNX_PRECISIONS:
        raise ValueError(f"precision must be one of {ONNX_PRECISIONS}. Received: precision={precision!r}")
    if not isinstance(calibration_count, int) or calibration_count < 64:
        raise ValueError(f"calibration_count must be an int >= 64. Received: calibration_count={calibration_count!r}")
    out = Path(os.fspath(out))
    if out.suffix.lower() != ".onnx":
        raise ValueError(f"out must be an .onnx file. Received: out={str(out)!r}")
    onnx = _require("onnx", "Exporting a recognizer to ONNX")
    _require("tf2onnx", "Exporting a recognizer to ONNX")
    import keras
    import tensorflow as tf

    from .recognizer import BUNDLED_RECOGNIZER, Recognizer, load_model_file, model_vocabulary, with_compute_dtype

    source = "keras model"
    if model is None or isinstance(model, (str, os.PathLike)):
        source = Path(os.fspath(BUNDLED_RECOGNIZER if model is None else model)).name
        model = load_model_file(BUNDLED_RECOGNIZER if model is None else model)
    elif isinstance(model, Recognizer):
        model = model.model
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras recognizer, a Recognizer, a .keras path or None. "
                        f"Received: {type(model).__name__}")
    vocabulary = model_vocabulary(model)
    model = with_compute_dtype(model, "float32")
    _, height, width, channels = model.input_shape
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out.parent) as tmp:
        raw = Path(tmp) / "float32.onnx"
        with warnings.catch_warnings():  # Keras' tf2onnx shim probes np.object, which NumPy 2 warns about
            warnings.filterwarnings("ignore", message=".*np.object.*", category=FutureWarning)
            model.export(str(raw), format="onnx", verbose=False,
                         input_signature=[tf.TensorSpec((None, height, width, channels), tf.float32, name="image")])
        if precision == "int8":
            ort_quant = _require("onnxruntime.quantization", "int8 export")
            from onnxruntime.quantization.shape_inference import quant_pre_process

            x = _calibration_crops(calibration, calibration_count, seed, height, width)
            pre = Path(tmp) / "pre.onnx"
            quant_pre_process(str(raw), str(pre), skip_symbolic_shape=True)
            graph = onnx.load(str(pre)).graph
            name = graph.input[0].name
            first_conv = next(n.name for n in graph.node if n.op_type == "Conv")  # its 1-channel input: cheap, kept float

            class Reader(ort_quant.CalibrationDataReader):  # equal batches: the percentile histograms need them
                def __init__(self):
                    self._it = iter([{name: x[a : a + 64]} for a in range(0, len(x) - 63, 64)])

                def get_next(self):
                    return next(self._it, None)

            quantized = Path(tmp) / "int8.onnx"
            with contextlib.redirect_stdout(io.StringIO()):  # the calibrator prints its progress
                ort_quant.quantize_static(str(pre), str(quantized), Reader(), quant_format=ort_quant.QuantFormat.QDQ,
                                          per_channel=True, activation_type=ort_quant.QuantType.QUInt8,
                                          weight_type=ort_quant.QuantType.QInt8, op_types_to_quantize=["Conv"],
                                          nodes_to_exclude=[first_conv], reduce_range=reduce_range,
                                          calibrate_method=ort_quant.CalibrationMethod.Percentile)
            raw = quantized
        proto = onnx.load(str(raw))
        for key, value in {_META_KIND: "recognizer", _META_VOCAB: vocabulary, _META_PRECISION: precision,
                           _META_SOURCE: source}.items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, value
        tmp_out = Path(tmp) / "out.onnx"
        onnx.save(proto, str(tmp_out))
        os.replace(tmp_out, out)
    return out
