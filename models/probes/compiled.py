"""Fast, thread-safe prediction for the pages.

``model.predict`` costs ~85 ms per call on two cores, most of it overhead; a compiled
``tf.function`` (XLA, ``jit_compile=True``) answers a single drawing in about a millisecond.
Streamlit serves every browser session from threads of one process and TensorFlow models
are not thread-safe, so each compiled call sits behind a lock.
"""

from __future__ import annotations

import threading

import numpy as np
import tensorflow as tf


class CompiledCall:
    """``fn(inputs)`` compiled once for float32 input of the model's shape, behind a lock."""

    def __init__(self, keras_function, input_shape, jit: bool = True, dtype=tf.float32):
        spec = tf.TensorSpec((None, *input_shape), dtype)
        self._fn = tf.function(keras_function, input_signature=[spec], jit_compile=jit)
        self._dtype = dtype
        self._lock = threading.Lock()
        self._input_shape = tuple(input_shape)

    def __call__(self, batch):
        with self._lock:
            out = self._fn(tf.constant(batch, dtype=self._dtype))
        if isinstance(out, (list, tuple)):
            return [np.asarray(o) for o in out]
        return np.asarray(out)

    def warm_up(self):
        """Trigger tracing and XLA compilation now, not on the first student's stroke."""
        self(np.zeros((1, *self._input_shape), np.float32))
        return self


class Predictor(CompiledCall):
    """A classifier's probabilities for a batch of inputs."""

    def __init__(self, model, jit: bool = True):
        self.model = model
        super().__init__(lambda x: model(x, training=False), model.input_shape[1:], jit)


def compiled_submodel(model, outputs, jit: bool = True) -> CompiledCall:
    """A compiled call returning intermediate tensors of ``model`` (feature maps, states)."""
    import keras

    sub = keras.Model(model.inputs, outputs)
    return CompiledCall(lambda x: sub(x, training=False), model.input_shape[1:], jit).warm_up()


# -- Several models on one input ----------------------------------------------------------------

class Ensemble:
    """Several classifiers of one input as ONE compiled call per input shape, shared by every
    session through a :class:`~models.probes.batching.DynamicBatcher`: the models of one request
    run together, and strokes arriving within a few milliseconds of each other (from different
    students) go to the models as one batch."""

    def __init__(self, models: dict, jit: bool = True, window_s: float | None = None):
        from models.probes.batching import WINDOW_S, DynamicBatcher

        self.keys = list(models)
        groups: dict[tuple, list[str]] = {}
        for key, model in models.items():
            groups.setdefault(tuple(model.input_shape[1:]), []).append(key)
        self._groups = []
        for shape, keys in groups.items():
            members = [models[k] for k in keys]
            call = CompiledCall(lambda x, members=members: [m(x, training=False) for m in members], shape, jit)
            self._groups.append((keys, shape, DynamicBatcher(call, WINDOW_S if window_s is None else window_s)))

    def __call__(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each model's probabilities for one input ``x`` (no batch axis), in the models' order."""
        out = {}
        for keys, shape, batcher in self._groups:
            if tuple(np.shape(x)) != shape:
                raise ValueError(f"input of shape {np.shape(x)}, the models take {shape}")
            for key, p in zip(keys, batcher(np.asarray(x, np.float32)[None])):
                out[key] = p[0]
        return {key: out[key] for key in self.keys}

    @property
    def batchers(self) -> list:
        return [batcher for _, _, batcher in self._groups]

    def warm_up(self):
        """Compile every batch size the batchers send (1, 2, 4 … their ``max_batch``) now, not
        on a student's stroke."""
        for _, shape, batcher in self._groups:
            for size in batcher.sizes():
                batcher.fn(np.zeros((size, *shape), np.float32))
        return self


LOW_CONFIDENCE = 0.6  # below this top probability a model is "not sure"


def predict_each(predictors: dict, x: np.ndarray) -> dict[str, np.ndarray]:
    """Each model's probabilities for one input ``x`` (no batch axis)."""
    batch = x[None].astype(np.float32)
    return {key: predictor(batch)[0] for key, predictor in predictors.items()}


def agreement(probabilities: dict[str, np.ndarray]) -> dict:
    """Which label each model picks, the label most of them pick, and whether all agree."""
    picks = {key: int(np.argmax(p)) for key, p in probabilities.items()}
    votes = np.bincount(list(picks.values()), minlength=1) if picks else np.zeros(1, int)
    majority = int(votes.argmax()) if picks else None
    unsure = [key for key, p in probabilities.items() if float(np.max(p)) < LOW_CONFIDENCE]
    return {"picks": picks, "majority": majority, "votes": int(votes.max()) if picks else 0,
            "all_agree": len(set(picks.values())) == 1, "unsure": unsure}
