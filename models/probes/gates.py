"""Inside an LSTM: every gate at every time step, recomputed in NumPy from the layer's weights.

Keras keeps an LSTM layer's weights as ``kernel`` W (inputs x 4·units), ``recurrent_kernel``
U (units x 4·units) and ``bias`` b (4·units), the four blocks in the order i, f, c, o.
For each time step t:

    z_t = x_t W + h_{t-1} U + b                       (split into z_i, z_f, z_c, z_o)
    i_t = σ(z_i)   f_t = σ(z_f)   c̃_t = tanh(z_c)   o_t = σ(z_o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t
    h_t = o_t ⊙ tanh(c_t)

Keras only returns h (and the last c); :func:`recompute` gives all six, and tests check that
its h_t and final c_t equal Keras's own to 1e-5. The activations are read from the layer
(σ and tanh unless the model says otherwise).

:class:`GateView` makes this work on any model of the registry that contains LSTM layers,
whatever is in front of them (nothing for sine windows and MNIST rows, a TextVectorization +
Embedding for text): one compiled call gives each LSTM layer's input sequence (and the
token ids, for text), the NumPy recomputation does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GATES = ("i", "f", "c~", "o")  # Keras's block order inside kernel, recurrent_kernel and bias
QUANTITIES = ("i", "f", "c~", "o", "c", "h")  # what the page shows, in the order of the equations


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow warnings


ACTIVATIONS = {
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0),  # Keras 3: relu6(z + 3) / 6
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "softsign": lambda z: z / (1.0 + np.abs(z)),
}


def _activation_name(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):  # a serialised Keras object
        return str(value.get("config", value).get("name", value.get("class_name")))
    return getattr(value, "__name__", str(value))


# -- Weights and the recomputation -------------------------------------------------------------


@dataclass
class LSTMWeights:
    """One LSTM layer's parameters in float64, with its activations."""

    name: str
    kernel: np.ndarray  # W: (input features, 4 * units)
    recurrent_kernel: np.ndarray  # U: (units, 4 * units)
    bias: np.ndarray  # b: (4 * units,)
    activation: str = "tanh"  # for c̃ and for tanh(c_t)
    recurrent_activation: str = "sigmoid"  # for the gates i, f, o
    go_backwards: bool = False

    def __post_init__(self):
        for name in (self.activation, self.recurrent_activation):
            if name not in ACTIVATIONS:
                raise ValueError(f"{self.name}: activation {name!r} is not supported by the gate view "
                                 f"(supported: {', '.join(ACTIVATIONS)})")
        features, four_units = self.kernel.shape
        if four_units % 4 or self.recurrent_kernel.shape != (four_units // 4, four_units) \
                or self.bias.shape != (four_units,):
            raise ValueError(f"{self.name}: weights of shapes {self.kernel.shape}, {self.recurrent_kernel.shape}, "
                             f"{self.bias.shape} are not an LSTM's")

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    @property
    def features(self) -> int:
        return self.kernel.shape[0]

    @classmethod
    def from_layer(cls, layer) -> LSTMWeights:
        config = layer.get_config()
        weights = [np.asarray(w, np.float64) for w in layer.get_weights()]
        kernel, recurrent = weights[0], weights[1]
        bias = weights[2] if config.get("use_bias", True) else np.zeros(kernel.shape[1])
        return cls(layer.name, kernel, recurrent, bias, _activation_name(config.get("activation", "tanh")),
                   _activation_name(config.get("recurrent_activation", "sigmoid")),
                   bool(config.get("go_backwards", False)))


@dataclass
class GateTrace:
    """Everything one LSTM layer computed on one sequence, step by step (rows are time steps,
    in the order the layer read them; columns are units)."""

    weights: LSTMWeights
    x: np.ndarray  # (T, features) the layer's input x_t
    wx: np.ndarray  # (T, 4u) x_t W: the input's share of each gate's pre-activation
    uh: np.ndarray  # (T, 4u) h_{t-1} U: the previous hidden state's share
    i: np.ndarray  # (T, u) input gate
    f: np.ndarray  # (T, u) forget gate
    g: np.ndarray  # (T, u) candidate c̃_t
    o: np.ndarray  # (T, u) output gate
    c: np.ndarray  # (T, u) cell state after the step
    h: np.ndarray  # (T, u) hidden state after the step
    c_prev: np.ndarray  # (T, u) cell state before the step
    h_prev: np.ndarray  # (T, u) hidden state before the step
    mask: np.ndarray  # (T,) False where the step was skipped (padding): state carried, gates NaN
    steps: np.ndarray = field(default=None)  # (T,) index of each row in the original sequence

    def __post_init__(self):
        if self.steps is None:
            self.steps = np.arange(len(self.x))

    @property
    def units(self) -> int:
        return self.weights.units

    def __len__(self) -> int:
        return len(self.x)

    def values(self, quantity: str) -> np.ndarray:
        """(T, units) of one of QUANTITIES."""
        return {"i": self.i, "f": self.f, "c~": self.g, "o": self.o, "c": self.c, "h": self.h}[quantity]

    def select(self, rows) -> GateTrace:
        """Only some time steps (e.g. the words of a padded review); the before-step states
        stay those the layer really had, so every number shown remains exact."""
        rows = np.asarray(rows)
        take = lambda a: a[rows]
        return GateTrace(self.weights, *(take(a) for a in (self.x, self.wx, self.uh, self.i, self.f, self.g, self.o,
                                                            self.c, self.h, self.c_prev, self.h_prev, self.mask,
                                                            self.steps)))

    def step(self, t: int, unit: int) -> dict:
        """The numbers of the six equations at row ``t`` for one unit."""
        u = self.units
        parts = {}
        for k, gate in enumerate(GATES):
            col = k * u + unit
            wx, uh, b = float(self.wx[t, col]), float(self.uh[t, col]), float(self.weights.bias[col])
            parts[gate] = {"wx": wx, "uh": uh, "b": b, "z": wx + uh + b,
                           "value": float(self.values(gate)[t, unit])}
        return {**parts, "c_prev": float(self.c_prev[t, unit]), "h_prev": float(self.h_prev[t, unit]),
                "c": float(self.c[t, unit]), "tanh_c": float(ACTIVATIONS[self.weights.activation](self.c[t, unit])),
                "h": float(self.h[t, unit]), "skipped": not bool(self.mask[t]),
                "activation": self.weights.activation, "recurrent_activation": self.weights.recurrent_activation}

    def most_active_unit(self) -> int:
        """The unit whose cell state moves most over the sequence: a good first one to watch."""
        c = np.nan_to_num(self.c)
        return int(np.argmax(c.max(axis=0) - c.min(axis=0))) if len(c) else 0


def recompute(weights: LSTMWeights, x: np.ndarray, mask: np.ndarray | None = None,
              h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> GateTrace:
    """Run one sequence ``x`` (T, features) through the layer step by step in NumPy.

    ``mask`` (T,) marks the steps the layer reads; at a masked step Keras leaves h and c as
    they were, and so does this (the gates of such a step are NaN: they were not computed).
    A ``go_backwards`` layer reads the sequence from its end; the trace is in reading order.
    """
    x = np.asarray(x, np.float64)
    if x.ndim != 2 or x.shape[1] != weights.features:
        raise ValueError(f"{weights.name} reads sequences of shape (steps, {weights.features}); got {x.shape}")
    steps = len(x)
    mask = np.ones(steps, bool) if mask is None else np.asarray(mask, bool).reshape(steps)
    order = np.arange(steps)
    if weights.go_backwards:
        order = order[::-1]
        x, mask = x[order], mask[order]
    u = weights.units
    sig, act = ACTIVATIONS[weights.recurrent_activation], ACTIVATIONS[weights.activation]

    wx = x @ weights.kernel  # every step's input share at once: one matrix product
    uh = np.zeros((steps, 4 * u))
    out = {name: np.full((steps, u), np.nan) for name in ("i", "f", "g", "o")}
    c_all, h_all, c_prev_all, h_prev_all = (np.zeros((steps, u)) for _ in range(4))
    h = np.zeros(u) if h0 is None else np.asarray(h0, np.float64)
    c = np.zeros(u) if c0 is None else np.asarray(c0, np.float64)
    for t in range(steps):
        c_prev_all[t], h_prev_all[t] = c, h
        uh[t] = h @ weights.recurrent_kernel
        if mask[t]:
            z = wx[t] + uh[t] + weights.bias
            i, f, g, o = sig(z[:u]), sig(z[u:2 * u]), act(z[2 * u:3 * u]), sig(z[3 * u:])
            c = f * c + i * g
            h = o * act(c)
            out["i"][t], out["f"][t], out["g"][t], out["o"][t] = i, f, g, o
        c_all[t], h_all[t] = c, h
    return GateTrace(weights, x, wx, uh, out["i"], out["f"], out["g"], out["o"], c_all, h_all,
                     c_prev_all, h_prev_all, mask, order)


# -- Any registry model with LSTM layers -------------------------------------------------------


def lstm_layers(model) -> list:
    """The model's LSTM layers, in order (a Bidirectional wrapper is not an LSTM here)."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]


def has_lstm(layer_rows: list[dict] | None) -> bool:
    """From a pretrained model's metadata (``layers`` rows): does it contain an LSTM layer?
    Lets a page list the models of the gate view without loading TensorFlow."""
    return any(row.get("type") == "LSTM" for row in (layer_rows or []))


@dataclass
class GateReading:
    """What a model's LSTM layers did on one input."""

    traces: list[GateTrace]  # one per LSTM layer, every time step of the sequence it read
    output: np.ndarray  # the model's output for this input (batch axis removed)
    tokens: np.ndarray | None  # (T,) token ids at each step, for models with an Embedding
    words: list[str] | None  # (T,) the token of each step, when the model has its own vocabulary
    visible: np.ndarray  # (T,) steps worth showing: not padding

    def shown(self, layer: int) -> GateTrace:
        """One layer's trace without the padding steps."""
        return self.traces[layer].select(np.flatnonzero(self.visible[self.traces[layer].steps]))


class GateView:
    """Gate recomputation for every LSTM layer of ``model``, derived from its layers.

    One step-by-step probe (``models.probes.recurrent.StepProbe``) returns the input sequence
    of each LSTM layer, the token ids when an Embedding is in front, and the model's output;
    the gates are then recomputed in NumPy from each layer's weights.
    """

    def __init__(self, model):
        import keras

        from models.probes import recurrent

        self.model = model
        self.layers = lstm_layers(model)
        if not self.layers:
            raise ValueError(f"{model.name} has no LSTM layer")
        self.weights = [LSTMWeights.from_layer(layer) for layer in self.layers]
        embeddings = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
        self.embedding = embeddings[0] if embeddings else None
        maskings = [layer for layer in model.layers if isinstance(layer, keras.layers.Masking)]
        self.masking = maskings[0] if maskings else None
        vectorizers = [layer for layer in model.layers if isinstance(layer, keras.layers.TextVectorization)]
        self.vocabulary = vectorizers[0].get_vocabulary() if vectorizers else None

        outputs = [recurrent.layer_input(layer) for layer in self.layers] + [model.outputs[0]]
        if self.embedding is not None:
            outputs.append(self.embedding.input)
        if self.masking is not None:
            outputs.append(self.masking.input)
        self._call = recurrent.StepProbe(model, outputs, name=f"{model.name}_gate_inputs")
        self.text_input = self._call.text_input
        self._predict = recurrent.StepProbe(model, [model.outputs[0]])

    def predict(self, batch) -> np.ndarray:
        """The model's outputs for a batch of inputs (compiled; safe from several threads)."""
        return self._predict(batch)[0]

    @property
    def input_shape(self) -> tuple:
        return tuple(self.model.input_shape[1:])

    def _mask(self, tokens, masking_input, steps: int) -> np.ndarray | None:
        if self.embedding is not None and self.embedding.get_config().get("mask_zero") and tokens is not None:
            return tokens.reshape(-1)[:steps] != 0
        if self.masking is not None and masking_input is not None:
            value = self.masking.get_config().get("mask_value", 0.0)
            return np.any(masking_input.reshape(steps, -1) != value, axis=-1)
        return None

    def __call__(self, x) -> GateReading:
        """Read one input (no batch axis): an array of the model's input shape, or a string
        for a model that takes raw text."""
        batch = np.asarray([x], dtype=object) if self.text_input else np.asarray(x, np.float32)[None]
        if self.text_input and len(self.input_shape) == 1:
            batch = batch.reshape(1, *self.input_shape)
        out = self._call(batch)
        inputs, output = out[:len(self.layers)], out[len(self.layers)][0]
        rest = out[len(self.layers) + 1:]
        tokens = rest.pop(0)[0] if self.embedding is not None else None
        masking_input = rest.pop(0)[0] if self.masking is not None else None
        steps = inputs[0].shape[1]
        mask = self._mask(tokens, masking_input, steps)
        traces = [recompute(w, seq[0], mask) for w, seq in zip(self.weights, inputs)]
        words = None
        if tokens is not None:
            tokens = tokens.reshape(-1)[:steps].astype(int)
            if self.vocabulary is not None:
                words = [self.vocabulary[t] if 0 <= t < len(self.vocabulary) else "?" for t in tokens]
        if mask is not None:
            visible = mask
        elif tokens is not None:
            visible = tokens != 0  # padding without a mask: still read, but not a word
        else:
            visible = np.ones(steps, bool)
        return GateReading(traces, np.asarray(output), tokens, words, visible)
