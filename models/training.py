"""Train a registry model: Setup -> Prepare the data -> Build -> Train -> Evaluate -> Save.

Everything the pages and the CLI need to watch training goes through Keras callbacks:
:class:`EpochTimer` (honest seconds per epoch), :class:`ConvergenceStop` (the course's
criterion: stop once the mean epoch loss changes by less than 1e-4) and any progress
callback the caller passes in.

Data is fed through ``tf.data`` with autotuning off: with it on, ``fit`` sometimes froze for
seconds at the end of an epoch while the iterator waited for tf.data's autotune thread.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from data import imdb, mnist, sequences, sources
from data.dataset import Dataset
from models import registry, store

VALIDATION_SIZE = 5000  # the last 5,000 training images; the test set is never seen in training


# -- Callbacks ----------------------------------------------------------------------------------


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of each epoch (training and validation together)."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


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


def _split_validation(x, y, train_limit):
    """The last VALIDATION_SIZE training examples become the validation set."""
    x_fit, y_fit = x[:-VALIDATION_SIZE], y[:-VALIDATION_SIZE]
    x_val, y_val = x[-VALIDATION_SIZE:], y[-VALIDATION_SIZE:]
    if train_limit:
        x_fit, y_fit = x_fit[:train_limit], y_fit[:train_limit]
        x_val, y_val = x_val[: max(train_limit // 5, 100)], y_val[: max(train_limit // 5, 100)]
    return x_fit, y_fit, x_val, y_val


def _load_images(name: str, progress=None, train_limit: int | None = None) -> Dataset:
    """MNIST / Fashion-MNIST scaled to [0, 1]."""
    (x_train, y_train), (x_test, y_test) = mnist.load(name, progress)
    sha = sources.sha256_of(sources.ensure(mnist.DATASETS[name], allow_download=False))
    x_fit, y_fit, x_val, y_val = _split_validation(x_train.astype("float32") / 255.0, y_train.astype("int32"),
                                                   train_limit)
    names = mnist.DIGIT_NAMES if name == "mnist" else mnist.FASHION_NAMES
    return Dataset(name, x_fit, y_fit, x_val, y_val, x_test.astype("float32") / 255.0, y_test.astype("int32"),
                   sha, names)


def _load_reviews(progress=None, train_limit: int | None = None) -> Dataset:
    """IMDB raw texts. The training reviews come grouped (all positive, then all negative), so
    they are shuffled with a fixed seed before the last 5,000 become validation; snippets of
    half the remaining reviews are added to training (see data.imdb.review_snippets)."""
    (x_train, y_train), (x_test, y_test) = imdb.load(progress)
    order = np.random.default_rng(0).permutation(len(x_train))
    x_fit, y_fit, x_val, y_val = _split_validation(x_train[order], y_train[order], train_limit)
    snippets, snippet_labels = imdb.review_snippets(x_fit, y_fit)
    x_fit = np.concatenate([x_fit, snippets])
    y_fit = np.concatenate([y_fit, snippet_labels])
    sha = sources.sha256_of(sources.ensure(imdb.IMDB, allow_download=False))
    return Dataset("imdb", x_fit, y_fit, x_val, y_val, x_test, y_test, sha, imdb.CLASS_NAMES)


# Every dataset a registry model can learn: name -> loader(progress, train_limit) -> Dataset.
DATASET_LOADERS = {
    "imdb": _load_reviews,
    "mnist": lambda progress=None, train_limit=None: _load_images("mnist", progress, train_limit),
    "fashion_mnist": lambda progress=None, train_limit=None: _load_images("fashion_mnist", progress, train_limit),
    "sine": lambda progress=None, train_limit=None: sequences.make_windows(sequences.DEFAULTS["sine"], train_limit),
    "cosine": lambda progress=None, train_limit=None: sequences.make_windows(sequences.DEFAULTS["cosine"],
                                                                             train_limit),
}


def load_dataset(name: str, progress=None, train_limit: int | None = None) -> Dataset:
    if name not in DATASET_LOADERS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASET_LOADERS)}")
    return DATASET_LOADERS[name](progress=progress, train_limit=train_limit)


def make_augmenter(seed: int):
    """Random shifts, small rotations, zoom and stroke thickness for (batch, 28, 28) images.

    Drawn digits differ from scanned ones in position, slant, size and pen width; showing the
    CNN such variations while it learns is what lets it read a mouse-drawn digit.
    """
    affine = keras.Sequential([
        keras.layers.RandomRotation(12 / 360, fill_mode="constant", seed=seed),
        keras.layers.RandomZoom((-0.15, 0.15), fill_mode="constant", seed=seed + 1),
        keras.layers.RandomTranslation(0.12, 0.12, fill_mode="constant", seed=seed + 2),
    ], name="augment")
    generator = tf.random.Generator.from_seed(seed + 3)

    def augment(images, labels):
        x = images[..., None]
        thicker = tf.nn.max_pool2d(x, ksize=2, strides=1, padding="SAME")
        thinner = -tf.nn.max_pool2d(-x, ksize=2, strides=1, padding="SAME")
        choice = generator.uniform([tf.shape(x)[0], 1, 1, 1])
        x = tf.where(choice < 0.25, thinner, tf.where(choice > 0.75, thicker, x))
        x = affine(x, training=True)
        # A third of each batch stays untouched, so clean scans are still seen as they are.
        keep = generator.uniform([tf.shape(x)[0], 1, 1, 1]) < 1 / 3
        x = tf.where(keep, images[..., None], x)
        return tf.clip_by_value(x[..., 0], 0.0, 1.0), labels

    return augment


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
        return tf.constant(chunk.reshape(-1, 1).astype(str)) if is_text(chunk) else chunk

    return np.concatenate([np.asarray(model.predict_on_batch(as_input(x[i:i + batch_size])))
                           for i in range(0, len(x), batch_size)])


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
) -> TrainResult:
    """Train the registry model ``key`` (or an unregistered spec, e.g. a Train-page run) and
    evaluate it on the full test set.

    ``convergence_threshold`` defaults to the registry's (0 switches it off);
    ``build_overrides`` changes the builder's arguments (e.g. the gates page's layer sizes)."""
    spec = key if isinstance(key, registry.ModelSpec) else registry.get(key)
    key = spec.key
    if convergence_threshold is None:
        convergence_threshold = spec.convergence_threshold
    epochs = epochs or spec.epochs
    batch_size = batch_size or spec.batch_size
    seed = spec.seed if seed is None else seed

    # Setup: one seed for Python, NumPy and TensorFlow makes a run repeatable.
    keras.utils.set_random_seed(seed)

    # Prepare the data.
    data = dataset or load_dataset(spec.dataset, progress, train_limit)
    augment = make_augmenter(seed) if spec.augment else None
    train_ds = make_pipeline(data.x_train, data.y_train, batch_size, shuffle_seed=seed, augment=augment)
    val_ds = make_pipeline(data.x_val, data.y_val, 1000)

    # Build. A text model learns its vocabulary from the training reviews first.
    model = spec.build(adapt_texts=data.x_train) if is_text(data.x_train) else spec.build(**(build_overrides or {}))
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
    timer = EpochTimer()
    all_callbacks = [timer, *(callbacks or [])]
    early = None
    if spec.patience:
        early = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=spec.patience,
                                              restore_best_weights=True)
        all_callbacks.append(early)
    convergence = None
    if convergence_threshold:
        convergence = ConvergenceStop(convergence_threshold)
        all_callbacks.append(convergence)
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, callbacks=all_callbacks, verbose=verbose)

    # Evaluate on every test example.
    test = evaluate(model, data.x_test, data.y_test, spec.task, len(data.class_names or []))
    epochs_run = len(timer.seconds)
    metadata = {
        "model": key,
        "title": spec.title,
        "dataset": spec.dataset,
        "class_names": data.class_names,
        "task": spec.task,
        "test_n": test["n"],
        **({"test_accuracy": test["accuracy"], "confusion_matrix": test["confusion_matrix"],
            "target_accuracy": spec.target_accuracy} if "accuracy" in test else
           {"test_mse": test["mse"], "test_mae": test["mae"]}),
        "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        "epochs": epochs_run,
        "epochs_requested": epochs,
        "converged_epoch": convergence.converged_epoch if convergence else None,
        "convergence_threshold": convergence_threshold or None,
        "builder_args": {k: v for k, v in {**spec.builder_args, **(build_overrides or {})}.items()
                         if isinstance(v, int | float | str | bool | tuple | list | None)},
        "best_epoch": (int(np.argmax(history.history["val_accuracy"])) + 1) if early else None,
        "embedding_warmup_epochs": spec.embedding_warmup_epochs or None,
        "batch_size": batch_size,
        "learning_rate": spec.learning_rate,
        "seed": seed,
        "train_size": int(len(data.x_train)),
        "seconds_per_epoch": [round(s, 2) for s in timer.seconds],
        "params": int(model.count_params()),
        "layers": describe_layers(model),
        "recipe": spec.recipe,
        "augmentation": "shift 12%, rotation 12 deg, zoom 15%, stroke thinner/thicker 2x2" if spec.augment else None,
        "data_sha256": data.sha256,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
        "command": f"python -m models train {key} --epochs {epochs} --batch-size {batch_size} --seed {seed}",
    }
    return TrainResult(model, metadata, test.get("predictions"))


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
