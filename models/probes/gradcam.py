"""Where a CNN looked: Grad-CAM (Selvaraju et al., 2017), derived from the model's own layers.

For the class c the network chose and the feature maps A^k of its last convolutional block
(still 8x8 or larger, so the map can say *where*):

    alpha_k = mean over (i, j) of  d y_c / d A^k_ij      (how much map k pushes towards c)
    heatmap = ReLU( sum_k alpha_k A^k )                  (where those maps fire)

The heatmap is scaled to 0..1 and laid over the photo. No layer name is hard-coded: the
layer is the last one whose output is still a picture of at least 8x8.
"""

from __future__ import annotations

import threading

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

MIN_SIDE = 8  # the heatmap layer's output must be at least 8x8


def heatmap_layer(model: keras.Model):
    """The last layer whose output is (H, W, channels) with H, W >= MIN_SIDE."""
    candidates = [layer for layer in model.layers
                  if len(getattr(layer.output, "shape", ())) == 4 and layer.output.shape[1] >= MIN_SIDE
                  and layer.output.shape[2] >= MIN_SIDE and not isinstance(layer, keras.layers.InputLayer)]
    if not candidates:
        raise ValueError(f"{model.name} has no layer that keeps a picture of at least {MIN_SIDE}x{MIN_SIDE}")
    return candidates[-1]


class GradCam:
    """A compiled Grad-CAM for one model (thread-safe: one lock)."""

    def __init__(self, model: keras.Model):
        self.layer = heatmap_layer(model)
        self._sub = keras.Model(model.inputs, [self.layer.output, model.output])
        self._lock = threading.Lock()
        spec = tf.TensorSpec((1, *model.input_shape[1:]), tf.float32)
        self._fn = tf.function(self._compute, input_signature=[spec, tf.TensorSpec((), tf.int32)])

    def _compute(self, x, class_index):
        with tf.GradientTape() as tape:
            maps, probabilities = self._sub([x], training=False)
            score = probabilities[0, class_index]
        grads = tape.gradient(score, maps)[0]  # (H, W, K)
        alpha = tf.reduce_mean(grads, axis=(0, 1))  # (K,)
        cam = tf.nn.relu(tf.reduce_sum(maps[0] * alpha, axis=-1))
        return cam / (tf.reduce_max(cam) + 1e-8), probabilities[0]

    def __call__(self, photo: np.ndarray, class_index: int | None = None) -> tuple[np.ndarray, int]:
        """(heatmap in 0..1 at the layer's resolution, the class it explains). Without a class,
        the model's top class."""
        x = np.asarray(photo, np.float32)[None]
        with self._lock:
            if class_index is None:
                class_index = int(np.argmax(self._sub([x], training=False)[1][0]))
            cam, _ = self._fn(tf.constant(x), tf.constant(class_index, tf.int32))
        return np.asarray(cam), class_index


def overlay(display: np.ndarray, heatmap: np.ndarray, opacity: float = 0.5) -> np.ndarray:
    """The heatmap, smoothly enlarged to the photo and coloured (dark blue = ignored, yellow =
    looked here), blended over it. Both uint8 RGB."""
    h, w = display.shape[:2]
    big = np.asarray(Image.fromarray((heatmap * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC),
                     np.float32) / 255.0
    colour = _viridis(big)
    return (display.astype(np.float32) * (1 - opacity) + colour * opacity).clip(0, 255).astype(np.uint8)


_VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], np.float32)


def _viridis(values: np.ndarray) -> np.ndarray:
    """A five-stop viridis colour scale for values in 0..1 (no matplotlib needed)."""
    position = np.clip(values, 0, 1) * (len(_VIRIDIS) - 1)
    low = np.floor(position).astype(int).clip(0, len(_VIRIDIS) - 2)
    t = (position - low)[..., None]
    return _VIRIDIS[low] * (1 - t) + _VIRIDIS[low + 1] * t
