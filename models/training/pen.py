"""Train the pen models on the UCI pen digits: Setup -> Prepare the data -> Build -> Train -> Evaluate.

    python -m models train pen_lstm [--epochs N] [--batch-size N] [--seed N] [--limit N]

The strokes are augmented in NumPy before the stroke pipeline, freshly every epoch: a student
drawing with a mouse or a finger writes bigger or smaller, wider or narrower, slanted, rotated,
shakier, and sometimes puts the bar of a 4 on first. The tablet digits show little of that.

Validation holds out whole writers (the last VALIDATION_WRITERS of the 30 training writers), like
the test set does: a writer's style is so recognisable that validating on digits of the training
writers would flatter the model. The test set (14 other writers, 3,498 digits) is never seen
before the final evaluation.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from data import catalog, pendigits, strokes
from models import architectures, registry, store
from models.training.loop import EpochTimer, PrintProgress, TrainResult, confusion_matrix, describe_layers

VALIDATION_WRITERS = 3  # writers 28-30 validate; 27 writers train


# -- Augmentation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Augmentation:
    """How much each random change may do (also written into the model's metadata)."""

    scale: float = 0.2  # each axis scaled by exp(U(-s, s)): wider, narrower, taller
    shear: float = 0.25  # slant: x += k * y, k in U(-shear, shear)
    rotation_deg: float = 10.0
    jitter: float = 0.01  # Gaussian noise per point, as a fraction of the digit's size
    reverse_order: float = 0.3  # multi-stroke digits: probability of drawing the strokes in reverse order
    reverse_extra_stroke: float = 0.3  # probability of drawing a later stroke (a bar, a flag) backwards
    untouched: float = 0.25  # this share of digits stays as written

    def describe(self) -> str:
        return (f"per-axis scale x exp(±{self.scale}), slant ±{self.shear}, rotation ±{self.rotation_deg:g} deg, "
                f"jitter {self.jitter:.1%} of size, stroke order reversed p={self.reverse_order}, "
                f"later stroke drawn backwards p={self.reverse_extra_stroke}, {self.untouched:.0%} untouched")


def augment(digit: list[np.ndarray], rng: np.random.Generator, how: Augmentation) -> list[np.ndarray]:
    """One screen-frame digit (list of strokes), randomly redrawn."""
    if rng.random() < how.untouched:
        return digit
    scale = np.diag(np.exp(rng.uniform(-how.scale, how.scale, 2)))
    shear = np.array([[1.0, rng.uniform(-how.shear, how.shear)], [0.0, 1.0]])
    angle = np.radians(rng.uniform(-how.rotation_deg, how.rotation_deg))
    rotate = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotate @ shear @ scale
    size = max(float(np.ptp(np.concatenate(digit), axis=0).max()), 1e-6)
    out = [s @ matrix.T + rng.normal(0.0, how.jitter * size, s.shape) for s in digit]
    if len(out) > 1:
        out = [s[::-1] if k and rng.random() < how.reverse_extra_stroke else s for k, s in enumerate(out)]
        if rng.random() < how.reverse_order:
            out = out[::-1]
    return out


# -- Prepare the data -------------------------------------------------------------------------


@dataclass
class PenData:
    fit: list  # screen-frame digits (lists of strokes)
    y_fit: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    sha256: str


to_screen = pendigits.to_screen


def load_data(train_limit: int | None = None) -> PenData:
    train, test = pendigits.load()
    digits = to_screen(train)
    held_out = np.isin(train.writers, np.unique(train.writers)[-VALIDATION_WRITERS:])
    fit = [d for d, h in zip(digits, held_out) if not h]
    y_fit = train.labels[~held_out]
    val = [d for d, h in zip(digits, held_out) if h]
    y_val = train.labels[held_out]
    x_test, y_test = strokes.to_batch(to_screen(test)), test.labels
    if train_limit:  # a quick run (tests): a slice of each part
        order = np.random.default_rng(0).permutation(len(fit))[:train_limit]
        fit, y_fit = [fit[i] for i in order], y_fit[order]
        val, y_val = val[: max(train_limit // 5, 50)], y_val[: max(train_limit // 5, 50)]
    return PenData(fit, y_fit, strokes.to_batch(val), y_val, x_test, y_test, pendigits.file_sha256())


def augmented_batches(digits: list, labels: np.ndarray, batch_size: int, how: Augmentation, seed: int):
    """Endless batches: every epoch a fresh random redrawing of every digit, in a new order."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(digits))
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            x = strokes.to_batch([augment(digits[i], rng, how) for i in chosen])
            yield x, labels[chosen].astype(np.int32)


def make_dataset(digits, labels, batch_size: int, how: Augmentation, seed: int) -> tf.data.Dataset:
    ds = tf.data.Dataset.from_generator(
        lambda: augmented_batches(digits, labels, batch_size, how, seed),
        output_signature=(tf.TensorSpec((None, strokes.MAX_STEPS, strokes.FEATURES), tf.float32),
                          tf.TensorSpec((None,), tf.int32)))
    options = tf.data.Options()
    options.autotune.enabled = False  # fit() froze at epoch ends with autotuning on (DESIGN.md)
    return ds.prefetch(2).with_options(options)


# -- Train and evaluate -----------------------------------------------------------------------


@dataclass
class PenResult:
    model: keras.Model
    metadata: dict
    predictions: dict


def train(key, epochs: int | None = None, batch_size: int | None = None, seed: int | None = None,
          train_limit: int | None = None, verbose: int = 0, write=print, how: Augmentation | None = None,
          data: PenData | None = None, callbacks=()) -> PenResult:
    spec = key if isinstance(key, registry.ModelSpec) else registry.get(key)
    key = spec.key
    epochs, batch_size = epochs or spec.epochs, batch_size or spec.batch_size
    seed = spec.seed if seed is None else seed
    how = how or Augmentation()

    # Setup: one seed for Python, NumPy and TensorFlow makes a run repeatable.
    keras.utils.set_random_seed(seed)

    # Prepare the data.
    data = data or load_data(train_limit)
    train_ds = make_dataset(data.fit, data.y_fit, batch_size, how, seed)
    steps_per_epoch = int(np.ceil(len(data.fit) / batch_size))

    # Build.
    model = architectures.pen_recurrent(**spec.builder_args)
    schedule = keras.optimizers.schedules.CosineDecay(spec.learning_rate, decay_steps=epochs * steps_per_epoch,
                                                      alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    # Train.
    timer = EpochTimer()
    callbacks = [timer, *callbacks] + ([PrintProgress(epochs, write)] if write else [])
    if spec.patience:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=spec.patience,
                                                       restore_best_weights=True))
    history = model.fit(train_ds, steps_per_epoch=steps_per_epoch, validation_data=(data.x_val, data.y_val),
                        epochs=epochs, callbacks=callbacks, verbose=verbose)

    # Evaluate on every test digit.
    probabilities = np.concatenate([np.asarray(model.predict_on_batch(data.x_test[i:i + 500]))
                                    for i in range(0, len(data.x_test), 500)])
    predicted = probabilities.argmax(axis=1)
    command = f"python -m models train {key} --epochs {epochs} --batch-size {batch_size} --seed {seed}"
    if train_limit:
        command += f" --limit {train_limit}"
    metadata = {
        "model": key,
        "title": spec.title,
        "dataset": catalog.PENDIGITS,
        "class_names": pendigits.CLASS_NAMES,
        "task": "multiclass",
        "test_n": int(len(data.y_test)),
        "test_accuracy": float((predicted == data.y_test).mean()),
        "confusion_matrix": confusion_matrix(data.y_test, predicted, 10).tolist(),
        "target_accuracy": spec.target_accuracy,
        "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        "epochs": len(timer.seconds),
        "epochs_requested": epochs,
        "best_epoch": int(np.argmax(history.history["val_accuracy"])) + 1,
        "builder_args": {k: list(v) if isinstance(v, tuple) else v for k, v in spec.builder_args.items()},
        "batch_size": batch_size,
        "learning_rate": spec.learning_rate,
        "seed": seed,
        "train_size": len(data.fit),
        "validation": f"{len(data.y_val)} digits by {VALIDATION_WRITERS} held-out training writers",
        "input": {"max_steps": strokes.MAX_STEPS, "spacing": strokes.SPACING,
                  "features": ["dx", "dy", "pen_up"], "frame": "screen (y down)"},
        "seconds_per_epoch": [round(s, 2) for s in timer.seconds],
        "params": int(model.count_params()),
        "layers": describe_layers(model),
        "recipe": spec.recipe,
        "augmentation": how.describe(),
        "data_sha256": data.sha256,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "python": platform.python_version()},
        "command": command,
    }
    predictions = {"predicted": predicted.astype("int8"), "confidence": probabilities.max(axis=1).astype("float16")}
    return PenResult(model, metadata, predictions)


def save(result: PenResult, out_dir: str | Path) -> Path:
    """NAME.keras, NAME.predictions.npz, then NAME.json (metadata never describes a missing model)."""
    out_dir, key = Path(out_dir), result.metadata["model"]
    path = store.save_model(result.model, out_dir / f"{key}.keras")
    store.write_predictions(result.predictions, out_dir / f"{key}.predictions.npz")
    store.write_json(result.metadata, out_dir / f"{key}.json")
    return path


def train_spec(spec, epochs=None, batch_size=None, seed=None, train_limit=None, callbacks=None, progress=None,
               verbose=0, dataset=None, build_overrides=None) -> TrainResult:
    """``models.training.loop.train`` for a pen model (the CLI's ``python -m models train pen_lstm``)."""
    if dataset is not None or build_overrides:
        raise ValueError("the pen models train on the UCI pen digits with their registry settings only")
    result = train(spec, epochs, batch_size, seed, train_limit, verbose=verbose, write=None,
                   callbacks=list(callbacks or ()))
    return TrainResult(result.model, result.metadata, result.predictions)
