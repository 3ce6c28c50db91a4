"""Seconds per epoch of the course recipes through our training code (``loop.train``:
tf.data with autotuning off, our callbacks) against a plain ``model.fit`` of the same model on
the same NumPy arrays.

Each recipe runs ``epochs`` epochs both ways on the same slice; the first epoch (tracing) is
left out, the others are the measurements. The two ways alternate recipe by recipe.
"""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np
import tensorflow as tf

from models.training import runs

# The course recipes on a slice of the training data, so the whole benchmark takes minutes.
RECIPES = {
    "CNN (Keras MNIST convnet)": runs.PRESETS["Keras MNIST convnet: CNN, 5 epochs, batch 64"],
    "LSTM(50) on MNIST rows": runs.PRESETS["Keras LSTM on MNIST rows: LSTM(50), 3 epochs"],
    "GRU(128) on MNIST rows": runs.PRESETS["RNN vs GRU: GRU(128), 3 epochs"],
    "LSTM(64) on IMDB, 100 words": runs.PRESETS["Keras LSTM on IMDB: LSTM(64), 2 epochs, 5,000 reviews"],
}


class EpochSeconds(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def plain_fit(spec, data, epochs: int) -> list[float]:
    """What a course notebook does: build, compile, model.fit on arrays."""
    from models.training import loop

    keras.utils.set_random_seed(spec.seed)
    text = loop.is_text(data.x_train)
    model = spec.build(adapt_texts=data.x_train) if text else spec.build()
    model.compile(optimizer=keras.optimizers.Adam(spec.learning_rate, clipnorm=spec.clipnorm),
                  **loop.TASKS[spec.task])
    # model.fit takes NumPy numbers but not NumPy strings; a notebook passes the reviews as a tensor.
    shape = (lambda a: tf.constant(a.reshape(-1, 1).astype(str))) if text else (lambda a: a)
    timer = EpochSeconds()
    model.fit(shape(data.x_train), data.y_train, batch_size=spec.batch_size, epochs=epochs,
              validation_data=(shape(data.x_val), data.y_val), callbacks=[timer], verbose=0)
    return timer.seconds


def ours(spec, data, epochs: int) -> list[float]:
    from models.training import loop

    result = loop.train(spec, epochs=epochs, dataset=data, convergence_threshold=0)
    return result.metadata["seconds_per_epoch"]


def run(epochs: int = 4, train_size: int = 10_000) -> dict:
    from models.training import worker

    out = {}
    for name, settings in RECIPES.items():
        size = min(train_size, 5_000) if settings.reads_text else train_size
        settings = runs.with_changes(settings, train_size=size, convergence_threshold=0.0)
        spec = settings.to_spec("benchmark")
        data = worker.cached_dataset(settings.dataset, settings.train_limit)
        data = dataclasses.replace(data, x_test=data.x_test[:1000], y_test=data.y_test[:1000])  # not timed
        a = np.array(ours(spec, data, epochs)[1:])
        b = np.array(plain_fit(spec, data, epochs)[1:])
        med, base = float(np.median(a)), float(np.median(b))
        out[name] = {"unit": "s/epoch", "n": int(len(a)), "train_size": size, "batch_size": settings.batch_size,
                     "median": round(med, 3), "p95": round(float(np.percentile(a, 95)), 3),
                     "baseline_median": round(base, 3), "baseline_p95": round(float(np.percentile(b, 95)), 3),
                     "ratio": round(med / base, 3)}
    return out
