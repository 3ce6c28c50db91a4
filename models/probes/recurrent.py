"""The one step-by-step probe of a recurrent model.

Keras returns a recurrent layer's state after the last step only. To show what a model thinks
*while* it reads (the hidden state after every image row, P(positive) after every word, the
input every LSTM gate saw), three things are needed, and every view uses the functions here:

* :func:`layer_input`: the tensor a layer was called on (the sequence it reads);
* :func:`every_step`: that layer's hidden state h_t at every step (a twin of the layer with the
  same weights that returns the whole sequence);
* :func:`answer_every_step`: the model's head applied to each h_t (or, for a head that averages
  over the steps, to the average so far): what the model would answer if the input stopped there.

:class:`StepProbe` wraps any of these tensors in one compiled call behind a lock (TensorFlow
models are not thread-safe). :class:`HiddenStates` (the Draw page), ``probes.reviews.
SentimentReader`` (the Review page) and ``probes.gates.GateView`` (the Gates page) are built on it.
Everything is derived from the loaded model's own layers, never from a hard-coded architecture.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from models.probes.compiled import CompiledCall

STEPWISE_HEAD = (keras.layers.Dense, keras.layers.Dropout)  # layers that apply to each step alike


def layer_input(layer):
    """The tensor a layer was called on (without the mask Keras lists beside it); calling
    another layer on it carries the mask along."""
    source = layer.input
    return source[0] if isinstance(source, (list, tuple)) else source


def recurrent_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]


def every_step(layer):
    """h_t after every step of ``layer``, as a symbolic tensor (batch, steps, units)."""
    if layer.return_sequences:
        return layer.output
    config = {**layer.get_config(), "return_sequences": True, "name": f"{layer.name}_every_step"}
    twin = type(layer).from_config(config)
    sequence = twin(layer_input(layer))
    twin.set_weights(layer.get_weights())
    return sequence


def answer_every_step(model, layer, ids=None, pad: int = 0, states=None):
    """The model's output after every step of ``layer``, as one symbolic tensor, or None when its
    head cannot be applied step by step (then a caller can feed every prefix instead).

    ``layer`` must be the model's last recurrent layer. A head that averages the states over the
    steps (GlobalAveragePooling1D) reads, after step t, the average of h_1..h_t; ``ids`` (the
    token ids, ``pad`` for padding) tell which steps count. ``states``: :func:`every_step` of the
    layer when the caller already made it (a model holds one twin per layer)."""
    following = model.layers[model.layers.index(layer) + 1:]
    if not following or not isinstance(following[0], keras.layers.GlobalAveragePooling1D):
        x = every_step(layer) if states is None else states  # the head reads h_t: apply it to every h_t
    elif ids is None:
        return None
    else:
        seen = keras.ops.expand_dims(keras.ops.cast(keras.ops.not_equal(ids, pad), "float32"), -1)
        x = keras.ops.cumsum(layer.output * seen, axis=1) / keras.ops.maximum(keras.ops.cumsum(seen, axis=1), 1.0)
        following = following[1:]
    for f in following:
        if not isinstance(f, STEPWISE_HEAD):
            return None
        x = f(x)
    return x


class StepProbe:
    """One compiled call from ``inputs`` (default: the model's input) to ``outputs`` (tensors of
    the model's graph, e.g. :func:`every_step`), behind a lock. Numeric inputs are compiled with
    XLA (a millisecond per call); string inputs cannot be, and run as a plain graph."""

    def __init__(self, model, outputs: list, inputs=None, jit: bool | None = None, name: str | None = None):
        import tensorflow as tf

        inputs = model.inputs if inputs is None else inputs
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        self.sub = keras.Model(inputs, outputs, name=name)  # what the compiled call runs (also for benchmarks)
        dtype = tf.as_dtype(first.dtype)
        self.text_input = dtype == tf.string
        sub = self.sub
        self._call = CompiledCall(lambda x: sub(x, training=False), tuple(first.shape[1:]),
                                  jit=(not self.text_input) if jit is None else jit, dtype=dtype)

    def __call__(self, batch) -> list[np.ndarray]:
        out = self._call(batch)
        return out if isinstance(out, list) else [out]

    def warm_up(self):
        """Trace and compile now, not on the first student's stroke (inputs of a fixed shape only)."""
        if None not in self._call._input_shape and not self.text_input:
            self._call.warm_up()
        return self


@dataclass
class RecurrentTrace:
    layer_name: str
    layer_type: str
    hidden: np.ndarray  # (time steps, units): h_t after each step
    probabilities: np.ndarray | None  # (time steps, classes): the head applied to each h_t


class HiddenStates:
    """h_t at every time step of the first recurrent layer, and, when the layers after it can
    be applied step by step (Dense, Dropout), the model's guess after each step."""

    def __init__(self, model):
        layers = recurrent_layers(model)
        if not layers:
            raise ValueError(f"{model.name} has no recurrent layer")
        self.layer = layers[0]
        outputs = [every_step(self.layer)]
        answers = answer_every_step(model, self.layer, states=outputs[0]) if self.layer is layers[-1] else None
        self.has_readout = answers is not None
        if self.has_readout:
            outputs.append(answers)
        self._probe = StepProbe(model, outputs).warm_up()

    def __call__(self, x: np.ndarray) -> RecurrentTrace:
        out = self._probe(x[None])
        return RecurrentTrace(self.layer.name, type(self.layer).__name__, out[0][0],
                              out[1][0] if self.has_readout else None)
