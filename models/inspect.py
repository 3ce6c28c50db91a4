"""What is inside a model: feature maps of convolutions, hidden states of recurrent layers.

Every view is derived from the loaded model's own layers, never from a hard-coded
architecture, so a retrained model with other sizes still shows correctly.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from data import digits
from models.inference import compiled_submodel


def layer_input(layer):
    """The tensor a layer was called on (without the mask Keras lists beside it); calling
    another layer on it carries the mask along."""
    source = layer.input
    return source[0] if isinstance(source, (list, tuple)) else source


def conv_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def recurrent_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]


class FeatureMaps:
    """The output of every Conv2D layer for one input: {layer name: (H, W, channels)}."""

    def __init__(self, model):
        self.layers = conv_layers(model)
        self._call = compiled_submodel(model, [layer.output for layer in self.layers]) if self.layers else None

    def __call__(self, x: np.ndarray) -> dict[str, np.ndarray]:
        if self._call is None:
            return {}
        outputs = self._call(x[None])
        return {layer.name: out[0] for layer, out in zip(self.layers, outputs)}


def mosaic(maps: np.ndarray, columns: int = 8, pad: int = 1, scale: int = 4) -> np.ndarray:
    """Tile (H, W, C) feature maps into one grey uint8 image, each map scaled to its own max."""
    h, w, c = maps.shape
    rows = int(np.ceil(c / columns))
    tile = np.zeros((rows * (h + pad) - pad, columns * (w + pad) - pad), np.float32)
    tile[:] = 0.25  # grey gutters separate the maps
    for i in range(c):
        m = maps[..., i]
        top = m.max()
        r, col = divmod(i, columns)
        tile[r * (h + pad): r * (h + pad) + h, col * (w + pad): col * (w + pad) + w] = m / top if top > 0 else 0
    big = digits.enlarge(tile, scale)
    return (big * 255).astype(np.uint8)


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
        layer = layers[0]
        self.layer = layer
        # A twin of the layer with the same weights that returns every step.
        config = {**layer.get_config(), "return_sequences": True, "name": f"{layer.name}_every_step"}
        twin = type(layer).from_config(config)
        sequence = twin(layer_input(layer))
        twin.set_weights(layer.get_weights())
        outputs = [sequence]
        following = model.layers[model.layers.index(layer) + 1:]
        self.has_readout = layer is layers[-1] and all(
            isinstance(f, (keras.layers.Dense, keras.layers.Dropout)) for f in following)
        if self.has_readout:
            x = sequence
            for f in following:
                x = f(x)
            outputs.append(x)
        self._call = compiled_submodel(model, outputs)

    def __call__(self, x: np.ndarray) -> RecurrentTrace:
        out = self._call(x[None])
        return RecurrentTrace(self.layer.name, type(self.layer).__name__, out[0][0],
                              out[1][0] if self.has_readout else None)
