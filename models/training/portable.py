"""Training that runs on any Keras backend: the photo CNNs (CIFAR-10) and the writing LSTM.

The digit and review models train through ``tf.data`` pipelines. These two recipes feed
plain NumPy batches through ``keras.utils.PyDataset`` instead, so the very same code trains
on TensorFlow on a laptop or on JAX on a GPU machine (``KERAS_BACKEND=jax``), where the
shipped models were trained. Sections in the keras-io order: Prepare the data -> Build ->
Train -> Evaluate (:func:`train_spec` for a registry model: the same result and metadata as
``models.training.loop.train``).

Long recipes take a time budget instead of a guess: a short probe measures how fast this
machine trains, and the number of epochs (or steps) that fits the budget is fixed *before*
training starts, so the learning-rate schedule runs its whole course. The number chosen is
recorded, and passing it explicitly (``epochs=`` / ``steps=``) reproduces the run anywhere.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import keras
import numpy as np

from models import architectures

# -- Prepare the data ---------------------------------------------------------------------------


class PhotoBatches(keras.utils.PyDataset):
    """Batches of CIFAR photos (pixel values 0-255) and one-hot labels.

    With ``augment`` each photo is padded by 4 pixels (mirrored edges), cut back to 32x32 at
    a random place, and flipped left-right half of the time: the network never sees exactly
    the same photo twice, so it learns the object, not the pixels."""

    def __init__(self, x, y, batch_size, augment=False, seed=0, num_classes=10, shuffle=None):
        super().__init__()
        self.x, self.y = x, np.asarray(y).astype("int64").reshape(-1)
        self.batch_size, self.augment, self.num_classes = batch_size, augment, num_classes
        self.rng = np.random.default_rng(seed)
        self.shuffle = augment if shuffle is None else shuffle
        self.order = self.rng.permutation(len(x)) if self.shuffle else np.arange(len(x))

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        images = self.x[rows]
        if self.augment:
            images = random_crop_and_flip(images, self.rng)
        labels = np.eye(self.num_classes, dtype="float32")[self.y[rows]]
        return images.astype("float32"), labels

    def on_epoch_end(self):
        if self.shuffle:
            self.order = self.rng.permutation(len(self.x))


def random_crop_and_flip(images: np.ndarray, rng: np.random.Generator, pad: int = 4) -> np.ndarray:
    """Pad with mirrored edges, cut a random 32x32 window, flip half of the batch left-right."""
    n, h, w, _ = images.shape
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")
    dy = rng.integers(0, 2 * pad + 1, n)
    dx = rng.integers(0, 2 * pad + 1, n)
    rows = dy[:, None] + np.arange(h)[None, :]  # (n, h)
    cols = dx[:, None] + np.arange(w)[None, :]  # (n, w)
    out = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    flip = rng.random(n) < 0.5
    out[flip] = out[flip, :, ::-1]
    return out


def _one_hot(labels, num_classes: int = 10) -> np.ndarray:
    return np.eye(num_classes, dtype="float32")[np.asarray(labels).astype("int64").reshape(-1)]


class CharacterWindows(keras.utils.PyDataset):
    """Windows of ``window`` characters cut at random places of the character stream, with
    the sentiment of each character's review; the target is the same window shifted by one
    (the next character at every step)."""

    def __init__(self, chars, sentiment, window, batch_size, steps, seed=0):
        super().__init__()
        self.chars, self.sentiment = np.asarray(chars, np.int32), np.asarray(sentiment, np.int32)
        self.window, self.batch_size, self.steps = window, batch_size, steps
        self.rng = np.random.default_rng(seed)
        self.last_start = len(self.chars) - window - 1
        if self.last_start < 1:
            raise ValueError(f"the text is too short ({len(self.chars)} characters) for windows of {window}")

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        starts = self.rng.integers(0, self.last_start, self.batch_size)
        positions = starts[:, None] + np.arange(self.window + 1)[None, :]
        chars = self.chars[positions]
        return (chars[:, :-1], self.sentiment[positions[:, :-1]]), chars[:, 1:]


def character_windows_in_order(chars, sentiment, window):
    """Every character of a held-out stream exactly once, as consecutive windows (for the
    bits-per-character measurement); the tail shorter than a window is dropped."""
    chars, sentiment = np.asarray(chars, np.int32), np.asarray(sentiment, np.int32)
    n = (len(chars) - 1) // window
    x = chars[: n * window].reshape(n, window)
    y = chars[1: n * window + 1].reshape(n, window)
    s = sentiment[: n * window].reshape(n, window)
    return (x, s), y


# -- Train --------------------------------------------------------------------------------------


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of each epoch (training and validation together). The one timer of
    every training path: ``models.training.loop`` imports it from here (this module needs no
    TensorFlow, so it also times a run on JAX)."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


@dataclass
class Trained:
    model: keras.Model  # float32, uncompiled-ready (the caller saves it)
    history: dict
    seconds_per_epoch: list[float]
    settings: dict = field(default_factory=dict)  # everything needed to run it again


def _float32_copy(builder, builder_args, model):
    """The trained weights in a float32 model (training may use mixed precision)."""
    keras.mixed_precision.set_global_policy("float32")
    fresh = builder(**builder_args)
    fresh.set_weights(model.get_weights())
    return fresh


def _steps_that_fit(fit_once, budget_seconds, probe_steps, steps_per_unit):
    """Time ``fit_once(probe_steps)`` twice (the first run compiles) and return how many
    units (epochs or steps) of ``steps_per_unit`` steps fit in the budget."""
    fit_once(probe_steps)
    start = time.perf_counter()
    fit_once(probe_steps)
    per_step = (time.perf_counter() - start) / probe_steps
    return max(1, int(budget_seconds / (per_step * steps_per_unit))), per_step


PHOTO_RECIPES = {
    # The course lab: Adam, batch 128, 20 epochs, no augmentation.
    "lab": {"builder": "cifar_cnn_lab", "optimizer": "adam", "learning_rate": 1e-3, "batch_size": 128,
            "epochs": 20, "augment": False, "label_smoothing": 0.0, "mixed_precision": False},
    # The small ResNet: SGD with Nesterov momentum, linear warm-up then cosine decay, random
    # crops and flips, label smoothing, mixed precision where a GPU supports it.
    "resnet": {"builder": "cifar_resnet", "optimizer": "sgd", "learning_rate": 0.2, "batch_size": 512,
               "epochs": 30, "augment": True, "label_smoothing": 0.1, "mixed_precision": True,
               "warmup_fraction": 0.15},
}


def train_photo_model(recipe: str, x_fit, y_fit, x_val, y_val, *, epochs=None, budget_seconds=None,
                      seed=42, builder_args=None, max_epochs=60, verbose=0, callbacks=(), overrides=None) -> Trained:
    """Train a CIFAR recipe on uint8 photos. ``budget_seconds`` picks the epochs that fit;
    ``overrides`` changes recipe settings (batch_size, learning_rate...)."""
    settings = {**PHOTO_RECIPES[recipe], **(overrides or {}), "seed": seed}
    builder = getattr(architectures, settings["builder"])
    builder_args = dict(builder_args or {})
    keras.utils.set_random_seed(seed)
    mixed = settings["mixed_precision"] and keras.backend.backend() == "jax" and _has_gpu()
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if mixed else "float32")
    batch = settings["batch_size"]
    train_batches = PhotoBatches(x_fit, y_fit, batch, augment=settings["augment"], seed=seed)
    val_batches = PhotoBatches(x_val, y_val, 1000)
    steps_per_epoch = len(train_batches)

    def compile_model(total_steps):
        model = builder(**builder_args)
        if settings["optimizer"] == "sgd":
            warmup = int(total_steps * settings["warmup_fraction"])
            schedule = keras.optimizers.schedules.CosineDecay(
                0.0, decay_steps=total_steps - warmup, alpha=0.0,
                warmup_target=settings["learning_rate"], warmup_steps=warmup)
            optimizer = keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True)
        else:
            optimizer = keras.optimizers.Adam(settings["learning_rate"])
        model.compile(optimizer=optimizer,
                      loss=keras.losses.CategoricalCrossentropy(label_smoothing=settings["label_smoothing"]),
                      metrics=["accuracy"])
        return model

    if epochs is None and budget_seconds:
        probe = compile_model(1000)

        def fit_probe(steps):
            probe.fit(train_batches, epochs=1, steps_per_epoch=steps, verbose=0)

        epochs, per_step = _steps_that_fit(fit_probe, budget_seconds, min(20, steps_per_epoch), steps_per_epoch)
        epochs = min(epochs, max_epochs)
        settings["probe_seconds_per_step"] = round(per_step, 5)
        keras.utils.set_random_seed(seed)
        train_batches = PhotoBatches(x_fit, y_fit, batch, augment=settings["augment"], seed=seed)
    epochs = epochs or settings["epochs"]
    settings.update(epochs=epochs, builder_args=builder_args, mixed_precision=mixed,
                    backend=keras.backend.backend())
    model = compile_model(epochs * steps_per_epoch)
    timer = EpochTimer()
    if settings["augment"]:  # a new random crop and flip of every photo, every epoch
        history = model.fit(train_batches, validation_data=val_batches, epochs=epochs,
                            callbacks=[timer, *callbacks], verbose=verbose)
    else:  # the photos as they are: plain arrays, Keras batches and shuffles them itself
        history = model.fit(np.asarray(x_fit, np.float32), _one_hot(y_fit), batch_size=batch, epochs=epochs,
                            shuffle=True, validation_data=(np.asarray(x_val, np.float32), _one_hot(y_val)),
                            callbacks=[timer, *callbacks], verbose=verbose)
    final = _float32_copy(builder, builder_args, model)
    return Trained(final, {k: [float(v) for v in vals] for k, vals in history.history.items()},
                   [round(s, 3) for s in timer.seconds], settings)


CHAR_RECIPE = {"window": 200, "batch_size": 256, "learning_rate": 2e-3, "clipnorm": 1.0,
               "steps_per_epoch": 400, "warmup_steps": 200}


def train_char_model(chars, sentiment, val_chars, val_sentiment, *, epochs=None, budget_seconds=None,
                     seed=42, builder_args=None, recipe=None, max_epochs=200, verbose=0, callbacks=()) -> Trained:
    """Train the character language model on a character stream (see data.characters)."""
    settings = {**CHAR_RECIPE, **(recipe or {}), "seed": seed}
    if settings["steps_per_epoch"] < 1 or settings["batch_size"] < 1:
        raise ValueError("steps per epoch and batch size must be at least 1")
    builder_args = dict(builder_args or {})
    keras.utils.set_random_seed(seed)
    keras.mixed_precision.set_global_policy("float32")
    window, batch, steps = settings["window"], settings["batch_size"], settings["steps_per_epoch"]
    train = CharacterWindows(chars, sentiment, window, batch, steps, seed=seed)
    (val_x, val_s), val_y = character_windows_in_order(val_chars, val_sentiment, window)

    def compile_model(total_steps):
        model = architectures.char_lstm(**builder_args)
        warmup = min(settings["warmup_steps"], total_steps // 10)
        schedule = keras.optimizers.schedules.CosineDecay(
            0.0, decay_steps=max(1, total_steps - warmup), alpha=0.02,
            warmup_target=settings["learning_rate"], warmup_steps=warmup)
        model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=settings["clipnorm"]),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    if epochs is None and budget_seconds:
        probe = compile_model(1000)

        def fit_probe(n):
            probe.fit(train, epochs=1, steps_per_epoch=n, verbose=0)

        epochs, per_step = _steps_that_fit(fit_probe, budget_seconds, 10, steps)
        epochs = min(epochs, max_epochs)
        settings["probe_seconds_per_step"] = round(per_step, 5)
        keras.utils.set_random_seed(seed)
        train = CharacterWindows(chars, sentiment, window, batch, steps, seed=seed)
    epochs = epochs or 10
    settings.update(epochs=epochs, builder_args=builder_args, backend=keras.backend.backend())
    model = compile_model(epochs * steps)
    timer = EpochTimer()
    history = model.fit(train, validation_data=((val_x, val_s), val_y), validation_batch_size=256,
                        epochs=epochs, callbacks=[timer, *callbacks], verbose=verbose)
    history = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    for key in ("loss", "val_loss"):  # nats per character -> bits per character
        if key in history:
            history[key.replace("loss", "bits_per_character")] = [v / math.log(2) for v in history[key]]
    final = _float32_copy(architectures.char_lstm, builder_args, model)
    return Trained(final, history, [round(s, 3) for s in timer.seconds], settings)


def _has_gpu() -> bool:
    """Whether the JAX backend trains on a GPU (mixed precision pays off only there)."""
    try:
        import jax

        return any(d.platform == "gpu" for d in jax.devices())
    except Exception:  # no JAX, or no device list: train in float32
        return False


class SampleEachEpoch(keras.callbacks.Callback):
    """After every epoch, let the language model write a short review and hand it to ``report``
    (the classic char-RNN demos print one: the text turns from noise into words as it learns)."""

    def __init__(self, report, length: int = 120, prompt: str = "this movie", temperature: float = 0.8):
        super().__init__()
        self.report, self.length, self.prompt, self.temperature = report, length, prompt, temperature

    def on_epoch_end(self, epoch, logs=None):
        from models.probes import generation

        writer = generation.CharWriter(self.model, compiled=False)  # rebuilt each epoch: fresh weights
        for sentiment, name in ((1, "positive"), (0, "negative")):
            text = writer.write_many([sentiment], self.temperature, self.length, seed=epoch, prompt=self.prompt,
                                     strength=0.0)[0]
            self.report(epoch + 1, name, text)


# -- A registry model: train, evaluate, describe ------------------------------------------------


def train_spec(spec, epochs=None, batch_size=None, seed=None, train_limit=None, callbacks=None, progress=None,
               verbose=0, dataset=None, budget_seconds=None, build_overrides=None):
    """Train a registry model whose ``portable_recipe`` is set, evaluate it on its test set and
    describe it exactly as ``models.training.loop.train`` does (a ``TrainResult``)."""
    from data import catalog

    task = catalog.get(spec.dataset)
    seed = spec.seed if seed is None else seed
    data = dataset or task.load(progress=progress, train_limit=train_limit)
    builder_args = {**spec.builder_args, **(build_overrides or {})}
    if task.task_type == "language_model":
        recipe = {**spec.recipe_settings, "batch_size": batch_size or spec.batch_size,
                  "learning_rate": spec.learning_rate}
        trained = train_char_model(data.x_train, data.y_train, data.x_val, data.y_val,
                                   epochs=None if budget_seconds else (epochs or spec.epochs),
                                   budget_seconds=budget_seconds, seed=seed, builder_args=builder_args,
                                   recipe=recipe, verbose=verbose, callbacks=callbacks or ())
    else:
        overrides = {**spec.recipe_settings, "batch_size": batch_size or spec.batch_size,
                     "learning_rate": spec.learning_rate}
        trained = train_photo_model(spec.portable_recipe, data.x_train, data.y_train, data.x_val, data.y_val,
                                    epochs=None if budget_seconds else (epochs or spec.epochs),
                                    budget_seconds=budget_seconds, seed=seed, builder_args=builder_args,
                                    verbose=verbose, callbacks=callbacks or (), overrides=overrides)
    command = None
    if not build_overrides and dataset is None:
        command = (f"python -m models train {spec.key} --epochs {trained.settings['epochs']} "
                   f"--batch-size {trained.settings['batch_size']} --seed {seed}"
                   + (f" --limit {train_limit}" if train_limit else ""))
    return describe(spec, trained, data, command)


def describe(spec, trained: Trained, data, command: str | None, trained_on: str | None = None):
    """Evaluate ``trained.model`` on the task's test set and write the metadata every page
    reads (the keys of ``models.training.loop.train``'s, plus what a language model has)."""
    import platform
    from datetime import datetime, timezone

    from models.training import loop

    model, settings = trained.model, trained.settings
    if spec.task == "language_model":
        from models.probes import generation

        test = generation.bits_per_character(model, list(data.x_test), list(data.y_test))
        results = {"test_n": test["reviews"], "test_characters": test["characters"],
                   "test_bits_per_character": test["bits_per_character"], "test_perplexity": test["perplexity"],
                   "target_bits_per_character": spec.target_bits_per_character}
        predictions = None
    else:
        test = loop.evaluate(model, np.asarray(data.x_test, np.float32), data.y_test, spec.task,
                             len(data.class_names or []))
        results = {"test_n": test["n"], "test_accuracy": test["accuracy"], "confusion_matrix": test["confusion_matrix"],
                   "target_accuracy": spec.target_accuracy}
        predictions = test["predictions"]
    metadata = {
        "model": spec.key, "title": spec.title, "dataset": spec.dataset, "class_names": data.class_names,
        "task": spec.task, **results,
        "history": trained.history,
        "epochs": len(trained.seconds_per_epoch), "epochs_requested": settings["epochs"],
        "converged_epoch": None, "convergence_threshold": None,
        "builder_args": {k: v for k, v in settings.get("builder_args", {}).items()
                         if isinstance(v, int | float | str | bool | tuple | list | None)},
        "best_epoch": None, "embedding_warmup_epochs": None,
        "batch_size": settings["batch_size"], "learning_rate": settings["learning_rate"], "seed": settings["seed"],
        "train_size": int(len(data.x_train)),
        "seconds_per_epoch": [round(s, 2) for s in trained.seconds_per_epoch],
        "params": int(model.count_params()),
        "layers": loop.describe_layers(model),
        "recipe": spec.recipe,
        "training_settings": {k: v for k, v in settings.items() if k != "builder_args"},
        "augmentation": ("random 32x32 crops of the photo padded by 4 mirrored pixels, left-right flips"
                         if settings.get("augment") else None),
        "data_sha256": data.sha256,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "trained_on": trained_on or f"this machine, Keras {keras.__version__} on {keras.backend.backend()}",
        "versions": {"keras": keras.__version__, "backend": keras.backend.backend(),
                     "python": platform.python_version()},
        "command": command,
    }
    return loop.TrainResult(model, metadata, predictions)
