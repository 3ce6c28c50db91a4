"""Train a registry model: Setup -> Prepare the data -> Build -> Train -> Evaluate -> Save.

The data come from the task's catalog entry (``data.catalog``), the augmenter it names
(``models.training.augment``) and a ``tf.data`` pipeline that takes any NumPy arrays (text
arrays become string tensors), so a new task trains here without a change to this file.

Everything the pages and the CLI need to watch training goes through Keras callbacks:
:class:`EpochTimer` (honest seconds per epoch), :class:`ConvergenceStop` (the course's
criterion: stop once the mean epoch loss changes by less than 1e-4) and any progress
callback the caller passes in.

Data is fed through ``tf.data`` with autotuning off: with it on, ``fit`` sometimes froze for
seconds at the end of an epoch while the iterator waited for tf.data's autotune thread.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from data import catalog, writers
from data.dataset import VALIDATION_SIZE, Dataset  # noqa: F401  (VALIDATION_SIZE: the split, for callers)
from models import registry, store
from models.training import augment as augmenters
from models.training.portable import EpochTimer  # noqa: F401  (the one epoch timer; callers import it here)

# -- Callbacks ----------------------------------------------------------------------------------


class ConvergenceStop(keras.callbacks.Callback):
    """Stop when |mean loss of this epoch - mean loss of the previous epoch| < threshold.

    This is the convergence criterion of the stacked/dropout RNN and LSTM comparison. Keras
    reports ``logs["loss"]`` as the mean over the epoch's batches, which is exactly the
    "mean epoch loss" of that material.
    """

    def __init__(self, threshold: float = 1e-4, monitor: str = "loss"):
        super().__init__()
        self.threshold = threshold
        self.monitor = monitor
        self.previous: float | None = None
        self.converged_epoch: int | None = None  # 1-based epoch at which it stopped

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            return
        if self.previous is not None and abs(self.previous - current) < self.threshold:
            self.converged_epoch = epoch + 1
            self.model.stop_training = True
        self.previous = float(current)


class PrintProgress(keras.callbacks.Callback):
    """One line per epoch, for the CLI."""

    def __init__(self, epochs: int, write=print):
        super().__init__()
        self.epochs, self.write = epochs, write

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        parts = [f"{k} {v:.4f}" for k, v in logs.items() if k in ("loss", "accuracy", "val_loss", "val_accuracy")]
        self.write(f"epoch {epoch + 1}/{self.epochs}  " + "  ".join(parts)
                   + f"  ({time.perf_counter() - self._start:.1f} s)")


# -- Prepare the data ---------------------------------------------------------------------------


def load_dataset(name: str, progress=None, train_limit: int | None = None) -> Dataset:
    """A task's train / validation / test arrays, as its catalog entry loads them."""
    return catalog.get(name).load(progress=progress, train_limit=train_limit)


def is_text(x: np.ndarray) -> bool:
    return x.dtype.kind in "OUS"


def make_pipeline(x, y, batch_size: int, shuffle_seed: int | None = None, augment=None) -> tf.data.Dataset:
    if is_text(x):
        x = x.reshape(-1, 1).astype(str)  # the text models take (batch, 1) strings
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(x), seed=shuffle_seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment is not None:
        ds = ds.map(augment)
    options = tf.data.Options()
    options.autotune.enabled = False  # see the module docstring
    return ds.prefetch(2).with_options(options)


# -- Evaluate -----------------------------------------------------------------------------------


# What each kind of task trains with.
TASKS = {
    "multiclass": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    "binary": {"loss": "binary_crossentropy", "metrics": ["accuracy"]},
    "regression": {"loss": "mse", "metrics": ["mae"]},
}


def predict_batched(model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Model outputs for many inputs at once (batched, no per-sample overhead). Text arrays
    go in as tf.string tensors (Keras refuses NumPy string arrays)."""
    def as_input(chunk):
        if is_text(chunk):
            return tf.constant(chunk.reshape(-1, 1).astype(str))
        return chunk.astype(np.float32) if chunk.dtype.kind in "ui" else chunk  # photos come as uint8

    return np.concatenate([np.asarray(model.predict_on_batch(as_input(x[i:i + batch_size])))
                           for i in range(0, len(x), batch_size)])


def evaluate_test_set(model, task_key: str, test_set: str | None = None, limit: int | None = None) -> dict:
    """Accuracy and confusion matrix of an image model of ``task_key`` on a held-out test set:
    the task's own (``test_set`` None or ``task_key``: e.g. all 10,000 MNIST test digits) or the
    test writers of another source of handwriting drawn as its pictures (``data.writers``: e.g.
    the 3,498 pen digits of the 14 pen test writers), whom no model saw in training."""
    task = catalog.get(task_key)
    if test_set in (None, task_key):
        data = load_dataset(task_key)
        x, y = data.x_test[:limit], data.y_test[:limit]
    else:
        x, y = writers.test_set(task_key, test_set, limit)
    return evaluate(model, x, y, task.task_type, task.num_classes)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows are the true class, columns the predicted class."""
    flat = np.asarray(y_true, int) * num_classes + np.asarray(y_pred, int)
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def evaluate(model, x: np.ndarray, y: np.ndarray, task: str = "multiclass", num_classes: int = 10) -> dict:
    """Accuracy and confusion matrix (classification) or MSE and MAE (regression)."""
    outputs = predict_batched(model, x)
    if task == "regression":
        error = outputs.reshape(len(y), -1) - np.asarray(y).reshape(len(y), -1)
        return {"n": int(len(y)), "mse": float((error ** 2).mean()), "mae": float(np.abs(error).mean())}
    if task == "binary":
        predicted, num_classes = (outputs.reshape(-1) > 0.5).astype(int), 2
        confidence = outputs.reshape(-1)  # P(positive), from which the verdict follows
    else:
        predicted = outputs.argmax(axis=1)
        confidence = outputs.max(axis=1)  # the probability of the predicted class
    return {
        "n": int(len(y)),
        "accuracy": float((predicted == y).mean()),
        "confusion_matrix": confusion_matrix(y, predicted, num_classes).tolist(),
        "predictions": {"predicted": predicted.astype("int8"), "confidence": confidence.astype("float16")},
    }


# -- Train --------------------------------------------------------------------------------------


@dataclass
class TrainResult:
    model: keras.Model
    metadata: dict
    # Per test example: the predicted class and its probability (binary: P(positive)). The
    # Compare page shows the examples behind a confusion-matrix cell from these.
    predictions: dict | None = None


def train(
    key: str | registry.ModelSpec,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    train_limit: int | None = None,
    convergence_threshold: float | None = None,
    callbacks: list | None = None,
    progress=None,
    verbose: int = 0,
    dataset: Dataset | None = None,
    build_overrides: dict | None = None,
    extra_writers: tuple[str, ...] | None = None,
) -> TrainResult:
    """Train the registry model ``key`` (or an unregistered spec, e.g. a Train-page run) and
    evaluate it on the full test set.

    ``convergence_threshold`` defaults to the registry's (0 switches it off);
    ``build_overrides`` changes the builder's arguments (e.g. the gates page's layer sizes);
    ``extra_writers`` (default: the registry's, none for a ``dataset`` passed in) adds other tasks'
    training writers drawn as this task's pictures (``data.writers``); the model is then also
    tested on their test writers."""
    spec = key if isinstance(key, registry.ModelSpec) else registry.get(key)
    if spec.trainer:  # photos and writing (NumPy batches, any backend), pen strokes (augmented strokes)
        import importlib

        trainer = importlib.import_module(f"models.training.{spec.trainer}")
        return trainer.train_spec(spec, epochs=epochs, batch_size=batch_size, seed=seed, train_limit=train_limit,
                                   callbacks=callbacks, progress=progress, verbose=verbose, dataset=dataset,
                                   build_overrides=build_overrides)
    if convergence_threshold is None:
        convergence_threshold = spec.convergence_threshold
    epochs = epochs or spec.epochs
    batch_size = batch_size or spec.batch_size
    seed = spec.seed if seed is None else seed

    # Setup: one seed for Python, NumPy and TensorFlow makes a run repeatable.
    keras.utils.set_random_seed(seed)

    # Prepare the data: the task's own, plus other writers' handwriting when asked for.
    data = dataset or load_dataset(spec.dataset, progress, train_limit)
    # A data set passed in is trained on as it is, unless writers are asked for by name.
    default = () if dataset is not None else spec.extra_writers
    extra = default if extra_writers is None else writers.check(spec.dataset, extra_writers)
    data, added = writers.add_writers(data, extra, train_limit, progress)
    task = catalog.TASKS.get(spec.dataset)
    augmenter = augmenters.for_task(task) if spec.augment else None
    augment = augmenter.make(seed) if augmenter else None
    train_ds = make_pipeline(data.x_train, data.y_train, batch_size, shuffle_seed=seed, augment=augment)
    val_ds = make_pipeline(data.x_val, data.y_val, 1000)

    # Build. A text model learns its vocabulary from the training reviews first.
    overrides = dict(build_overrides or {})
    model = spec.build(**overrides, **({"adapt_texts": data.x_train} if is_text(data.x_train) else {}))
    steps = epochs * int(np.ceil(len(data.x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(spec.learning_rate, decay_steps=steps, alpha=0.02)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule, clipnorm=spec.clipnorm),
        **TASKS[spec.task],
    )

    # Warm up the embedding: a few quick epochs of "average the word vectors, then one neuron"
    # give every word a vector that already leans positive or negative; the recurrent layer
    # then starts from words that mean something and learns how they combine ("not good").
    if spec.embedding_warmup_epochs:
        warmup_embedding(model, train_ds, val_ds, spec.embedding_warmup_epochs, verbose)

    # Train.
    watch = _Watchers(spec, convergence_threshold, callbacks)
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, callbacks=watch.callbacks, verbose=verbose)

    # Evaluate on every test example, and on the test writers of every source added.
    test = evaluate(model, data.x_test, data.y_test, spec.task, len(data.class_names or []))
    for key, description in added.items():
        other = evaluate_test_set(model, spec.dataset, key)
        description["test_accuracy"], description["test_n"] = other["accuracy"], other["n"]
    metadata = {
        **_results(spec, data, test, history, watch, epochs),
        **_settings(spec, overrides, batch_size, seed, data, augmenter),
        "extra_writers": added or None,
        "params": int(model.count_params()),
        "layers": describe_layers(model),
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
        "trained_on": f"this machine ({os.cpu_count()} CPU cores), Keras {keras.__version__} on "
                      f"{keras.backend.backend()}",
        "command": _command(spec, epochs, batch_size, seed, train_limit, convergence_threshold, overrides, dataset,
                            extra),
    }
    return TrainResult(model, metadata, test.get("predictions"))


class _Watchers:
    """The callbacks of one fit: the epoch timer, early stopping and the convergence criterion
    when the spec asks for them, then the caller's."""

    def __init__(self, spec, convergence_threshold, callbacks):
        self.timer = EpochTimer()
        self.early = self.convergence = None
        self.threshold = convergence_threshold
        self.callbacks = [self.timer, *(callbacks or [])]
        if spec.patience:
            self.early = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=spec.patience,
                                                       restore_best_weights=True)
            self.callbacks.append(self.early)
        if convergence_threshold:
            self.convergence = ConvergenceStop(convergence_threshold)
            self.callbacks.append(self.convergence)


def _results(spec, data, test, history, watch: _Watchers, epochs: int) -> dict:
    """What the training did and how the model scored on the test set."""
    return {
        "model": spec.key,
        "title": spec.title,
        "dataset": spec.dataset,
        "class_names": data.class_names,
        "task": spec.task,
        "test_n": test["n"],
        **({"test_accuracy": test["accuracy"], "confusion_matrix": test["confusion_matrix"],
            "target_accuracy": spec.target_accuracy} if "accuracy" in test else
           {"test_mse": test["mse"], "test_mae": test["mae"]}),
        "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        "epochs": len(watch.timer.seconds),
        "epochs_requested": epochs,
        "converged_epoch": watch.convergence.converged_epoch if watch.convergence else None,
        "convergence_threshold": watch.threshold or None,
        "best_epoch": (int(np.argmax(history.history["val_accuracy"])) + 1) if watch.early else None,
        "seconds_per_epoch": [round(s, 2) for s in watch.timer.seconds],
    }


def _settings(spec, overrides: dict, batch_size: int, seed: int, data, augmenter) -> dict:
    """How it was trained: only the builder arguments given, the augmentation's own values."""
    return {
        "builder_args": {k: v for k, v in {**spec.builder_args, **overrides}.items()
                         if isinstance(v, int | float | str | bool | tuple | list | None)},
        "embedding_warmup_epochs": spec.embedding_warmup_epochs or None,
        "batch_size": batch_size,
        "learning_rate": spec.learning_rate,
        "seed": seed,
        "train_size": int(len(data.x_train)),
        "recipe": spec.recipe,
        "augmentation": augmenter.description if augmenter else None,
        "data_sha256": data.sha256,
    }


def _command(spec, epochs, batch_size, seed, train_limit, convergence_threshold, overrides, dataset,
             extra_writers=()) -> str | None:
    """The CLI command that repeats this training, or None when there is none: a model that is
    not in the registry (a Train-page run records its settings instead), or one trained on
    data or builder arguments the CLI cannot pass."""
    if registry.MODELS.get(spec.key) is not spec or overrides or dataset is not None:
        return None
    parts = [f"python -m models train {spec.key} --epochs {epochs} --batch-size {batch_size} --seed {seed}"]
    if train_limit:
        parts.append(f"--limit {train_limit}")
    if (convergence_threshold or None) != spec.convergence_threshold:
        parts.append(f"--converge {convergence_threshold or 0:g}")
    if tuple(extra_writers) != spec.extra_writers:
        parts.append(f"--extra-writers {' '.join(extra_writers) or 'none'}")
    return " ".join(parts)


def warmup_embedding(model, train_ds, val_ds, epochs: int, verbose: int = 0) -> None:
    """Train ``model``'s Embedding layer inside a bag-of-words classifier that shares it."""
    embedding = next(layer for layer in model.layers if isinstance(layer, keras.layers.Embedding))
    x = keras.layers.GlobalAveragePooling1D(name="warmup_average")(embedding.output)
    warmup = keras.Model(model.input, keras.layers.Dense(1, activation="sigmoid", name="warmup_head")(x))
    warmup.compile(optimizer=keras.optimizers.Adam(1e-3), **TASKS["binary"])
    warmup.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=verbose)


def describe_layers(model) -> list[dict]:
    """A row per layer (name, type, output shape, parameters): the architecture table."""
    rows = []
    for layer in model.layers:
        shape = getattr(getattr(layer, "output", None), "shape", None)
        rows.append({
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": [d for d in shape] if shape is not None else None,
            "params": int(layer.count_params()),
        })
    return rows


def save(result: TrainResult, out_dir: str | Path) -> tuple[Path, Path]:
    """Write NAME.keras and NAME.json into ``out_dir``, each atomically; the model first, so
    metadata never describes a model that is not there."""
    out_dir = Path(out_dir)
    key = result.metadata["model"]
    model_path = store.save_model(result.model, out_dir / f"{key}.keras")
    if result.predictions is not None:
        store.write_predictions(result.predictions, out_dir / f"{key}.predictions.npz")
    meta_path = store.write_json(result.metadata, out_dir / f"{key}.json")
    return model_path, meta_path
