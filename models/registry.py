"""The one place that names every model in the explorer.

Each entry says which dataset the model learns, which builder in ``models.architectures``
makes it, how it is trained by default, the accuracy it must reach, and where its pretrained
files live. Pages, the CLI and the tests all read this table; nothing else lists models.

This module imports no TensorFlow, so the home page can read it (and the pretrained
metadata) instantly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRETRAINED_DIR = PROJECT_ROOT / "pretrained"


@dataclass(frozen=True)
class ModelSpec:
    key: str  # registry key, also the pretrained file name
    title: str  # what the pages call it
    dataset: str  # "mnist", ...
    builder: str  # function name in models.architectures
    summary: str  # one sentence for the home page
    target_accuracy: float  # on the full test set (for regression: unused, see target_mse)
    task: str = "multiclass"  # "multiclass" (softmax), "binary" (sigmoid) or "regression" (MSE): training.TASKS
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    augment: bool = False  # training-time augmentation of images (shift, rotate, zoom, stroke)
    clipnorm: float | None = None
    seed: int = 42
    builder_args: dict = field(default_factory=dict)
    recipe: str = ""  # where the recipe comes from, and what we changed

    @property
    def pretrained_path(self) -> Path:
        return PRETRAINED_DIR / f"{self.key}.keras"

    @property
    def metadata_path(self) -> Path:
        return PRETRAINED_DIR / f"{self.key}.json"

    def build(self, **overrides):
        """A fresh, untrained Keras model (imports TensorFlow)."""
        from models import architectures

        return getattr(architectures, self.builder)(**{**self.builder_args, **overrides})


MODELS: dict[str, ModelSpec] = {}


def _register(spec: ModelSpec) -> None:
    MODELS[spec.key] = spec


_register(ModelSpec(
    key="mnist_cnn", title="CNN", dataset="mnist", builder="mnist_cnn",
    summary="Two convolution + pooling blocks find strokes and corners, a dense layer votes.",
    target_accuracy=0.993, epochs=20, batch_size=64, augment=True,
    recipe=("Keras MNIST convnet: Conv2D(32,3,relu) > MaxPool(2) > Conv2D(64,3,relu) > MaxPool(2) > "
            "Flatten > Dense(128,relu) > Dense(10,softmax), Adam. Added: Dropout 0.25/0.5 and "
            "training-time augmentation (shift, rotation, zoom, stroke thickness) so drawn digits "
            "are read as well as scanned ones; cosine learning-rate decay."),
))
_register(ModelSpec(
    key="mnist_lstm", title="LSTM", dataset="mnist", builder="mnist_rows_rnn",
    builder_args={"cell": "lstm", "units": 128},
    summary="Reads the image one row at a time (28 steps of 28 pixels) and remembers with gates.",
    target_accuracy=0.989, epochs=20, batch_size=64, augment=True,
    recipe=("Keras LSTM on MNIST rows: 28 time steps x 28 features > LSTM > Dense(10,softmax), Adam. "
            "Widened from LSTM(50) to LSTM(128) and trained with the CNN's augmentation (less "
            "overfitting, better on drawn digits); cosine learning-rate decay."),
))
_register(ModelSpec(
    key="mnist_rnn", title="SimpleRNN", dataset="mnist", builder="mnist_rows_rnn",
    builder_args={"cell": "simple_rnn", "units": 128},
    summary="The plainest recurrent network: one tanh state updated row by row, no gates.",
    target_accuracy=0.980, epochs=20, batch_size=64, clipnorm=1.0, augment=True,
    recipe=("RNN vs GRU on MNIST: SimpleRNN(128) on rows > Dense(10,softmax), Adam. "
            "Gradient clipping (norm 1) keeps the ungated RNN stable; trained with the CNN's "
            "augmentation; cosine learning-rate decay."),
))
_register(ModelSpec(
    key="mnist_gru", title="GRU", dataset="mnist", builder="mnist_rows_rnn",
    builder_args={"cell": "gru", "units": 128},
    summary="Like the LSTM with two gates instead of three (update, reset) and no separate cell.",
    target_accuracy=0.989, epochs=20, batch_size=64, augment=True,
    recipe=("RNN vs GRU on MNIST: GRU(128) on rows > Dense(10,softmax), Adam; trained with the CNN's "
            "augmentation; cosine learning-rate decay."),
))


def get(key: str) -> ModelSpec:
    try:
        return MODELS[key]
    except KeyError:
        known = ", ".join(MODELS)
        raise KeyError(f"unknown model '{key}'; known models: {known}") from None


def for_dataset(dataset: str) -> list[ModelSpec]:
    return [spec for spec in MODELS.values() if spec.dataset == dataset]


def load_metadata(key: str) -> dict | None:
    """The pretrained model's metadata (history, test metrics, recipe), or None if absent or
    unreadable. Reads JSON only: no TensorFlow."""
    path = get(key).metadata_path
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
