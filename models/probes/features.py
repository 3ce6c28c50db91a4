"""Feature maps: the output of every convolution for one input, derived from the model's layers."""

from __future__ import annotations

import keras
import numpy as np

from data import digits
from models.probes.compiled import compiled_submodel


def conv_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


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
