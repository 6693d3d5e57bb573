"""Training from synthgen shards: ``train_recognizer`` and ``train_detector`` (``ocrmodels train-recognizer``,
``ocrmodels train-detector``).

A run writes, beside the model file ``OUT.keras``, a folder ``OUT.train/`` holding
``last.keras`` (model + optimizer state after the last complete epoch), ``state.json`` (the
run's settings and epochs done), ``log.csv`` and ``tensorboard/``. Every file is written under a
temporary name and renamed, so a crash (or Ctrl-C) never leaves a broken checkpoint, and
``resume=True`` continues from the last complete epoch with the same learning-rate schedule.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

import keras

from synthgen.shards import ShardError

from .crnn import CRNN_SIZES, build_crnn, model_vocabulary
from .ctc import CTCLoss, greedy_decode
from .data import RecognitionDataset
from .metrics import recognition_metrics
from .recognizer import BUNDLED_RECOGNIZER, load_model_file

__all__ = ["train_detector", "train_recognizer"]


def _atomic_save(model: keras.Model, path: Path, *, weights_only_model: bool = False) -> None:
    """``model`` to ``path`` through a temporary file; ``weights_only_model``: without the optimizer (a third the size)."""
    tmp = path.with_name(path.name + ".tmp.keras")
    if weights_only_model:
        clone = model.__class__.from_config(model.get_config())  # same layer names, no optimizer
        clone.set_weights(model.get_weights())
        model = clone
    model.save(tmp)
    os.replace(tmp, path)


def _write_json(obj, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2), encoding="utf-8")
    os.replace(tmp, path)


class _EpochEnd(keras.callbacks.Callback):
    """Validation word accuracy/CER into the logs, then the checkpoint, the best model and state.json."""

    def __init__(self, run, val: RecognitionDataset | None, vocabulary: str, max_val: int):
        super().__init__()
        self.run, self.val, self.vocabulary, self.max_val = run, val, vocabulary, max_val
        self._t0 = None

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["epoch_seconds"] = time.perf_counter() - (self._t0 or time.perf_counter())
        logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        if self.val is not None:
            preds, truth = [], []
            for b in range(len(self.val)):
                x, y = self.val.get_batch(b, 0)
                probs = keras.ops.convert_to_numpy(self.model(x, training=False))
                preds += [t for t, _ in greedy_decode(probs, self.vocabulary)]
                truth += ["".join(self.vocabulary[i - 1] for i in row if i > 0) for row in y]
                if len(truth) >= self.max_val:
                    break
            m = recognition_metrics(truth, preds)
            logs["val_word_accuracy"] = m["word_accuracy"]
            logs["val_cer"] = m["cer"]
        run = self.run
        _atomic_save(self.model, run["dir"] / "last.keras")
        score = logs.get("val_word_accuracy", -logs.get("loss", math.inf))
        state = json.loads((run["dir"] / "state.json").read_text(encoding="utf-8"))
        state["epochs_done"] = epoch + 1
        if state.get("best_score") is None or score >= state["best_score"]:
            state["best_score"], state["best_epoch"] = score, epoch + 1
            _atomic_save(self.model, run["out"], weights_only_model=True)
        state["history"].append({k: float(v) for k, v in logs.items()})
        _write_json(state, run["dir"] / "state.json")


def train_recognizer(data, out, *, val=None, epochs: int = 10, batch_size: int = 64, size: str | None = None,
                     init=None, learning_rate: float = 1e-3, warmup_epochs: float = 0.3, seed: int = 0, workers: int = 2,
                     use_multiprocessing: bool = True, resume: bool = False, max_val: int = 4096,
                     mixed_precision: bool = False, on_error: str = "raise", verbose: int = 1) -> keras.Model:
    """Train a CRNN-CTC recognizer on synthgen word shards.

    Args:
        data: training shards: a folder, a glob, a shard, or a list of these (see :func:`synthgen.open_dataset`).
        out: the model file to write (``.keras``): the best epoch by validation word accuracy
            (by training loss without ``val``).
        val: validation shards (same forms); at most ``max_val`` crops are decoded per epoch.
        epochs: total epochs (with ``resume``, including those already done).
        batch_size, learning_rate, warmup_epochs: Adam with linear warm-up then cosine decay to 1%.
        size: ``"tiny"``, ``"small"`` or ``"base"`` (see :func:`~ocrmodels.build_crnn`); default
            ``"small"``, or the size of ``init``.
        init: fine-tune: start from this model file's weights (``"bundled"``: the bundled
            recognizer) instead of a random initialisation; a fresh optimizer and schedule. Its
            vocabulary must be the data's charset.
        seed: weight initialisation and the epochs' shuffling order.
        workers, use_multiprocessing: data-loading workers (Keras ``PyDataset``).
        resume: continue the run saved beside ``out`` from its last complete epoch.
        mixed_precision: compute in bfloat16 (``mixed_bfloat16``), weights and outputs in float32.
        on_error: ``"raise"`` or ``"skip"`` unreadable shards and rows.

    Returns:
        the model after the last epoch (the best one is in ``out``).
    """
    out = Path(os.fspath(out))
    if out.suffix != ".keras":
        raise ValueError(f"The model file must end in .keras. Received: out={str(out)!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer. Received: epochs={epochs!r}")
    if size is not None and size not in CRNN_SIZES:
        raise ValueError(f"size must be one of {sorted(CRNN_SIZES)}. Received: size={size!r}")
    size_given, init_model = size is not None, None
    if init is not None:
        init = BUNDLED_RECOGNIZER if init == "bundled" else Path(os.fspath(init))
    if init is not None and not resume:
        if not init.is_file():
            raise FileNotFoundError(f"No model file at {init} to fine-tune from (init). Pass a .keras file from "
                                    "`ocrmodels train-recognizer`, or 'bundled' for the bundled recognizer.")
        init_model = load_model_file(init)
        init_size = _crnn_size(init_model)
        if size is not None and size != init_size:
            raise ValueError(f"init={str(init)!r} is a {init_size!r} CRNN; size={size!r} differs. Leave size out "
                             "to fine-tune at the init model's size.")
        size = init_size
    size = size or "small"
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive. Received: learning_rate={learning_rate!r}")
    run_dir = out.with_name(out.name[: -len(".keras")] + ".train")
    settings = {"data": [os.fspath(p) for p in (data if isinstance(data, (list, tuple)) else [data])],
                "val": None if val is None else [os.fspath(p) for p in (val if isinstance(val, (list, tuple)) else [val])],
                "epochs": epochs, "batch_size": batch_size, "size": size, "learning_rate": learning_rate,
                "warmup_epochs": warmup_epochs, "seed": seed, "mixed_precision": bool(mixed_precision),
                "init": None if init is None else os.fspath(init)}
    # the data first: a wrong path or charset fails before anything is written
    train = RecognitionDataset(data, batch_size, seed=seed, shuffle=True, on_error=on_error, workers=workers,
                               use_multiprocessing=use_multiprocessing and workers > 1, max_queue_size=8)
    vocabulary = train.vocabulary
    if init_model is not None and model_vocabulary(init_model) != vocabulary:
        raise ValueError(f"init={str(init)!r}: the model's vocabulary ({len(model_vocabulary(init_model))} chars) does "
                         f"not match the data's charset ({len(vocabulary)} chars). Received: model "
                         f"{model_vocabulary(init_model)!r}, data {vocabulary!r}")
    val_ds = None
    if val is not None:
        val_ds = RecognitionDataset(val, 256, shuffle=False, on_error=on_error)
        if val_ds.vocabulary != vocabulary:
            raise ValueError(f"The validation shards' charset differs from the training shards'. "
                             f"Received: {val_ds.vocabulary!r} vs {vocabulary!r}")
    state = _open_run(out, run_dir, settings, resume, epochs,
                      ("batch_size", "size", "learning_rate", "warmup_epochs", "seed", "mixed_precision", "init"),
                      own=[k for k, given in (("size", size_given), ("init", init is not None)) if not given])

    steps = len(train)
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if mixed_precision else "float32")
    try:
        if resume:
            model = load_model_file(run_dir / "last.keras", compile=True)
            mv = model_vocabulary(model)
            if mv != vocabulary:
                raise ValueError(f"The checkpoint's vocabulary ({len(mv)} chars) does not match the data's charset "
                                 f"({len(vocabulary)} chars). Received: model {mv!r}, data {vocabulary!r}")
            # a new schedule (epochs may have grown) over the saved Adam moments and step counter
            saved = [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables]
            model.compile(optimizer=_optimizer(learning_rate, warmup_epochs, epochs, steps), loss=CTCLoss(),
                          jit_compile=False)
            model.optimizer.build(model.trainable_variables)
            if len(saved) != len(model.optimizer.variables):
                raise ValueError(f"{run_dir / 'last.keras'}: its optimizer state does not match the model; "
                                 "start a new run instead of --resume.")
            for dst, src in zip(model.optimizer.variables, saved):
                dst.assign(src)
            initial_epoch = state["epochs_done"]
        else:
            keras.utils.set_random_seed(seed)
            model = build_crnn(size, vocabulary)
            if init_model is not None:
                model.set_weights(init_model.get_weights())  # the run's precision, the init model's weights
            model.compile(optimizer=_optimizer(learning_rate, warmup_epochs, epochs, steps), loss=CTCLoss(),
                          jit_compile=False)
            initial_epoch = 0
    finally:
        keras.mixed_precision.set_global_policy("float32")
    if initial_epoch >= epochs:
        if verbose:
            print(f"{run_dir}: {initial_epoch} epochs done already; nothing to train (raise --epochs to go on).")
        return model
    run = {"dir": run_dir, "out": out}
    callbacks = [
        _EpochEnd(run, val_ds, vocabulary, max_val),
        keras.callbacks.CSVLogger(str(run_dir / "log.csv"), append=initial_epoch > 0),
        keras.callbacks.TensorBoard(str(run_dir / "tensorboard"), update_freq=100, write_graph=False),
        keras.callbacks.TerminateOnNaN(),
    ]
    train.epoch = initial_epoch  # the shuffling order of each epoch follows (seed, epoch), resumed or not
    _fit(model, train, run_dir, epochs=epochs, initial_epoch=initial_epoch, callbacks=callbacks, verbose=verbose)
    return model


def _fit(model, train, run_dir: Path, **kwargs) -> None:
    """``model.fit`` with the shards' own error message brought back (Keras' pipeline wraps it)."""
    try:
        model.fit(train, shuffle=False, **kwargs)
    except Exception as e:
        found = None if isinstance(e, ShardError) else re.search(r"ShardError: ([^\n]*)", str(e))
        if found:
            raise ShardError(f"{found.group(1)} Training stopped; {run_dir / 'last.keras'} keeps the last complete "
                             "epoch: replace or remove the shard, or skip bad rows (on_error='skip', "
                             "--skip-bad-shards), and resume.") from None
        raise


def _open_run(out: Path, run_dir: Path, settings: dict, resume: bool, epochs: int, compared, own) -> dict:
    """The run's state: read back (``resume``: ``compared`` settings must match, those in ``own`` were left out and
    take the run's values) or started (refusing to overwrite a model or run)."""
    state_path = run_dir / "state.json"
    if resume:
        if not (run_dir / "last.keras").is_file() or not state_path.is_file():
            raise FileNotFoundError(f"Nothing to resume: {run_dir} holds no checkpoint (last.keras, state.json). "
                                    "Start the run without --resume.")
        state = json.loads(state_path.read_text(encoding="utf-8"))
        for k in compared:
            if k in own:
                settings[k] = state["settings"].get(k)  # left out: the run's own
            if state["settings"].get(k) != settings[k]:
                raise ValueError(f"--resume continues the run in {run_dir} with its own settings; {k} differs. "
                                 f"Received: {k}={settings[k]!r}, the run has {state['settings'].get(k)!r}")
        state["settings"]["epochs"] = epochs
        _write_json(state, state_path)
        return state
    if out.exists() or state_path.exists():
        raise FileExistsError(f"{out} or its run folder {run_dir} exists. Pass resume=True (--resume) to continue "
                              "that run, or choose another model file.")
    run_dir.mkdir(parents=True, exist_ok=True)
    state = {"settings": settings, "epochs_done": 0, "best_score": None, "best_epoch": None, "history": []}
    _write_json(state, state_path)
    return state


def _crnn_size(model: keras.Model) -> str:
    """Which :data:`CRNN_SIZES` entry ``model`` was built as (by its weight shapes)."""
    shapes = [tuple(w.shape) for w in model.weights]
    for name in CRNN_SIZES:
        ref = build_crnn(name, model_vocabulary(model))
        if [tuple(w.shape) for w in ref.weights] == shapes:
            return name
    raise ValueError("The init model is not a CRNN from ocrmodels.build_crnn (its layers differ from every size); "
                     "fine-tune one of those, or train from scratch.")


def _optimizer(learning_rate, warmup_epochs, epochs, steps):
    total = max(1, epochs * steps)
    warmup = int(min(total - 1, max(0.0, warmup_epochs) * steps))
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=learning_rate * 0.01 if warmup else learning_rate, decay_steps=total - warmup,
        alpha=0.01, warmup_target=learning_rate if warmup else None, warmup_steps=warmup)
    return keras.optimizers.Adam(schedule, clipnorm=5.0)


class _DetectorEpochEnd(keras.callbacks.Callback):
    """Validation loss into the logs, then the checkpoint, the best model (lowest validation loss) and state.json."""

    def __init__(self, run, val, loss, max_val: int):
        super().__init__()
        self.run, self.val, self.loss, self.max_val = run, val, loss, max_val
        self._t0 = None

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["epoch_seconds"] = time.perf_counter() - (self._t0 or time.perf_counter())
        logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        if self.val is not None:
            total, seen = 0.0, 0
            for b in range(len(self.val)):
                x, y = self.val.get_batch(b, 0)
                pred = self.model(x, training=False)
                total += float(keras.ops.convert_to_numpy(keras.ops.sum(self.loss.call(y, pred))))
                seen += len(x)
                if seen >= self.max_val:
                    break
            logs["val_loss"] = total / max(1, seen)
        run = self.run
        _atomic_save(self.model, run["dir"] / "last.keras")
        score = -logs.get("val_loss", logs.get("loss", math.inf))
        state = json.loads((run["dir"] / "state.json").read_text(encoding="utf-8"))
        state["epochs_done"] = epoch + 1
        if state.get("best_score") is None or score >= state["best_score"]:
            state["best_score"], state["best_epoch"] = score, epoch + 1
            _atomic_save(self.model, run["out"], weights_only_model=True)
        state["history"].append({k: float(v) for k, v in logs.items()})
        _write_json(state, run["dir"] / "state.json")


def _scene_dataset(data, what, on_error):
    from synthgen.dataset import open_dataset

    try:
        ds = open_dataset(data, on_error=on_error)
    except FileNotFoundError as e:
        raise FileNotFoundError(f"{what}: {e}") from None
    if ds.kind != "scenes":
        raise ValueError(f"{what}: the detector trains on scene shards (synthgen generate --kind scenes); these "
                         f"shards hold {ds.kind}. Received: {data!r}")
    return ds


def train_detector(data, out, *, val=None, epochs: int = 10, batch_size: int = 8, size: int = 256,
                   model_size: str | None = None, init=None, learning_rate: float = 1e-3, warmup_epochs: float = 0.1,
                   steps_per_epoch: int | None = None, stop_after: int | None = None, scale=(0.5, 1.5),
                   val_size: int = 512, seed: int = 0,
                   workers: int = 2, use_multiprocessing: bool = True, resume: bool = False, max_val: int = 256,
                   mixed_precision: bool = False, jit_compile: bool = True, on_error: str = "raise",
                   verbose: int = 1) -> keras.Model:
    """Train a CRAFT detector on synthgen scene shards.

    Each training sample is a random rescale (``scale``) and a random ``size x size`` crop of a
    scene, its maps built from the moved char quads (:class:`~ocrmodels.DetectionDataset`).

    Args:
        data: training scene shards: a folder, a glob, a shard, or a list of these.
        out: the model file to write (``.keras``): the epoch with the lowest validation loss
            (training loss without ``val``).
        val: validation scene shards, resized to ``val_size`` squares; at most ``max_val`` scenes per epoch.
        epochs: total epochs (with ``resume``, including those done); ``steps_per_epoch`` batches
            each (default: one pass over ``data``).
        stop_after: end this call after this epoch (counted from the run's start) although the
            learning-rate schedule runs over ``epochs``; ``resume`` goes on from there (for machines
            lent for a limited time).
        batch_size, learning_rate, warmup_epochs: Adam with linear warm-up then cosine decay to 1%.
        size: training crop side (a multiple of 32).
        model_size: ``"tiny"``, ``"small"`` or ``"base"`` (:func:`~ocrmodels.build_craft`); default
            ``"small"``, or the size of ``init``.
        init: fine-tune from this detector file (``"bundled"``: the bundled detector).
        seed, workers, use_multiprocessing, resume, mixed_precision, on_error: as for
            :func:`train_recognizer`.
        jit_compile: XLA for the training step (about 25% faster for the CRAFT sizes on a CPU).

    Returns:
        the model after the last epoch (the best one is in ``out``).
    """
    from .craft import CRAFT_SIZES, build_craft, craft_size_of
    from .data import DetectionDataset
    from .detector import BUNDLED_DETECTOR, load_detector_model
    from .losses import CRAFTLoss

    out = Path(os.fspath(out))
    if out.suffix != ".keras":
        raise ValueError(f"The model file must end in .keras. Received: out={str(out)!r}")
    for name, v in (("epochs", epochs), ("batch_size", batch_size), ("size", size), ("val_size", val_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive integer. Received: {name}={v!r}")
    if stop_after is not None and (isinstance(stop_after, bool) or not isinstance(stop_after, int) or stop_after < 1):
        raise ValueError(f"stop_after must be a positive integer. Received: stop_after={stop_after!r}")
    if steps_per_epoch is not None and (not isinstance(steps_per_epoch, int) or steps_per_epoch < 1):
        raise ValueError(f"steps_per_epoch must be a positive integer. Received: steps_per_epoch={steps_per_epoch!r}")
    if size % 32 or val_size % 32:
        raise ValueError(f"size and val_size must be multiples of 32. Received: size={size}, val_size={val_size}")
    if model_size is not None and model_size not in CRAFT_SIZES:
        raise ValueError(f"model_size must be one of {sorted(CRAFT_SIZES)}. Received: model_size={model_size!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive. Received: learning_rate={learning_rate!r}")
    size_given, init_model = model_size is not None, None
    if init is not None:
        init = BUNDLED_DETECTOR if init == "bundled" else Path(os.fspath(init))
    if init is not None and not resume:
        if not init.is_file():
            raise FileNotFoundError(f"No model file at {init} to fine-tune from (init). Pass a .keras file from "
                                    "`ocrmodels train-detector`, or 'bundled' for the bundled detector.")
        init_model = load_detector_model(init)
        init_size = craft_size_of(init_model)
        if model_size is not None and model_size != init_size:
            raise ValueError(f"init={str(init)!r} is a {init_size!r} CRAFT; model_size={model_size!r} differs. Leave "
                             "model_size out to fine-tune at the init model's size.")
        model_size = init_size
    model_size = model_size or "small"
    run_dir = out.with_name(out.name[: -len(".keras")] + ".train")
    settings = {"data": [os.fspath(p) for p in (data if isinstance(data, (list, tuple)) else [data])],
                "val": None if val is None else [os.fspath(p) for p in (val if isinstance(val, (list, tuple)) else [val])],
                "epochs": epochs, "batch_size": batch_size, "size": size, "model_size": model_size,
                "learning_rate": learning_rate, "warmup_epochs": warmup_epochs, "steps_per_epoch": steps_per_epoch,
                "scale": [float(scale[0]), float(scale[1])], "seed": seed, "mixed_precision": bool(mixed_precision),
                "init": None if init is None else os.fspath(init)}
    # the data first: a wrong path or kind fails before anything is written
    train_data = _scene_dataset(data, "data", on_error)
    train = DetectionDataset(train_data, batch_size, size=size, scale=tuple(scale), seed=seed, shuffle=True,
                             drop_remainder=True, on_error=on_error, workers=workers,
                             use_multiprocessing=use_multiprocessing and workers > 1, max_queue_size=8)
    val_ds = None
    if val is not None:
        val_ds = DetectionDataset(_scene_dataset(val, "val", on_error), 8, size=val_size, augment=False,
                                  shuffle=False, on_error=on_error)
    state = _open_run(out, run_dir, settings, resume, epochs,
                      ("batch_size", "size", "model_size", "learning_rate", "warmup_epochs", "steps_per_epoch", "scale",
                       "seed", "mixed_precision", "init"),
                      own=[k for k, given in (("model_size", size_given), ("init", init is not None)) if not given])

    steps = min(len(train), steps_per_epoch) if steps_per_epoch else len(train)
    loss = CRAFTLoss()
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if mixed_precision else "float32")
    try:
        if resume:
            model = load_detector_model(run_dir / "last.keras", compile=True)
            saved = [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables]
            model.compile(optimizer=_optimizer(learning_rate, warmup_epochs, epochs, steps), loss=loss,
                          jit_compile=jit_compile)
            model.optimizer.build(model.trainable_variables)
            if len(saved) != len(model.optimizer.variables):
                raise ValueError(f"{run_dir / 'last.keras'}: its optimizer state does not match the model; "
                                 "start a new run instead of --resume.")
            for dst, src in zip(model.optimizer.variables, saved):
                dst.assign(src)
            initial_epoch = state["epochs_done"]
        else:
            keras.utils.set_random_seed(seed)
            model = build_craft(model_size)
            if init_model is not None:
                model.set_weights(init_model.get_weights())
            model.compile(optimizer=_optimizer(learning_rate, warmup_epochs, epochs, steps), loss=loss,
                          jit_compile=jit_compile)
            initial_epoch = 0
    finally:
        keras.mixed_precision.set_global_policy("float32")
    if initial_epoch >= epochs:
        if verbose:
            print(f"{run_dir}: {initial_epoch} epochs done already; nothing to train (raise --epochs to go on).")
        return model
    last = epochs if stop_after is None else min(epochs, stop_after)
    if initial_epoch >= last:
        if verbose:
            print(f"{run_dir}: {initial_epoch} epochs done already; nothing to train before epoch {last}.")
        return model
    run = {"dir": run_dir, "out": out}
    callbacks = [
        _DetectorEpochEnd(run, val_ds, loss, max_val),
        keras.callbacks.CSVLogger(str(run_dir / "log.csv"), append=initial_epoch > 0),
        keras.callbacks.TensorBoard(str(run_dir / "tensorboard"), update_freq=50, write_graph=False),
        keras.callbacks.TerminateOnNaN(),
    ]
    train.epoch = initial_epoch
    _fit(model, train, run_dir, epochs=last, initial_epoch=initial_epoch,
         steps_per_epoch=steps if steps_per_epoch else None, callbacks=callbacks, verbose=verbose)
    return model
