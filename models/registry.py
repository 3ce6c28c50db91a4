"""The one place that names every model in the explorer.

Each entry says which task the model learns (a ``data.catalog`` key), which builder in
``models.architectures`` makes it, how it is trained by default, the accuracy it must reach,
and where its pretrained files live. Pages, the CLI, the benchmarks and the tests list models
from this table only; the Train page's runs are specs made on the fly and never registered.

This module imports no TensorFlow, so the home page can read it (and the pretrained
metadata) instantly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from data import catalog

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRETRAINED_DIR = PROJECT_ROOT / "pretrained"


@dataclass(frozen=True)
class ModelSpec:
    key: str  # registry key, also the pretrained file name
    title: str  # what the pages call it
    dataset: str  # the task it learns: a data.catalog key (catalog.MNIST, ...)
    builder: str  # function name in models.architectures
    summary: str  # one sentence for the home page
    target_accuracy: float  # on the full test set (for regression: unused, see target_mse)
    task: str = "multiclass"  # its loss: one of catalog.TASK_TYPES, as training.loop.TASKS trains it
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    augment: bool = False  # training-time augmentation: the one the task's catalog entry names
    clipnorm: float | None = None
    patience: int | None = None  # early stopping on validation accuracy, best weights kept
    embedding_warmup_epochs: int = 0  # text models: first teach the embedding alone (see training)
    convergence_threshold: float | None = None  # stop when |Δ mean epoch loss| < this (ConvergenceStop)
    target_mse: float | None = None  # regression: the test MSE the shipped model must reach
    seed: int = 42
    group: str = "main"  # "main": on the Draw/Review pages; "architectures": the Compare page's experiments
    builder_args: dict = field(default_factory=dict)
    recipe: str = ""  # where the recipe comes from, and what we changed
    # Trained by models.training.portable (NumPy batches, any Keras backend) with this recipe:
    # "lab" / "resnet" (photos), "writer" (the character language model); None: training.loop.
    portable_recipe: str | None = None
    target_bits_per_character: float | None = None  # language models: the test figure to reach
    recipe_settings: dict = field(default_factory=dict)  # portable recipes: e.g. steps per epoch, window
    # The module of models.training that trains it, when not the loop: "portable" (photos,
    # writing) or "pen" (pen strokes, augmented on the raw strokes).
    trainer: str | None = None
    # Other tasks' writers added to the training (their test writers never): catalog keys from the
    # task's Task.extra_writers, e.g. (catalog.PENDIGITS,) for the pen digits drawn as pictures.
    extra_writers: tuple[str, ...] = ()

    @property
    def pretrained_path(self) -> Path:
        return PRETRAINED_DIR / f"{self.key}.keras"

    @property
    def metadata_path(self) -> Path:
        return PRETRAINED_DIR / f"{self.key}.json"

    @property
    def predictions_path(self) -> Path:
        """Per-example test predictions (models.store.write_predictions), for the Compare page."""
        return PRETRAINED_DIR / f"{self.key}.predictions.npz"

    def evaluation_path(self, task: str) -> Path:
        """Its results on another task's test set (a catalog task whose ``measures_models_of`` is
        this model's task), written by ``python -m models evaluate KEY --on TASK --write-predictions``."""
        return PRETRAINED_DIR / f"{self.key}.on_{task}.json"

    def evaluation_predictions_path(self, task: str) -> Path:
        """Per-example predictions on another task's test set, beside :meth:`evaluation_path`."""
        return PRETRAINED_DIR / f"{self.key}.on_{task}.predictions.npz"

    def build(self, **overrides):
        """A fresh, untrained Keras model (imports TensorFlow)."""
        from models import architectures

        return getattr(architectures, self.builder)(**{**self.builder_args, **overrides})


MODELS: dict[str, ModelSpec] = {}


def _register(spec: ModelSpec) -> None:
    MODELS[spec.key] = spec


_register(ModelSpec(
    key="mnist_cnn", title="CNN", dataset=catalog.MNIST, builder="mnist_cnn",
    summary="Two convolution + pooling blocks find strokes and corners, a dense layer votes.",
    target_accuracy=0.993, epochs=20, batch_size=64, augment=True, extra_writers=(catalog.PENDIGITS,),
    recipe=("Keras MNIST convnet: Conv2D(32,3,relu) > MaxPool(2) > Conv2D(64,3,relu) > MaxPool(2) > "
            "Flatten > Dense(128,relu) > Dense(10,softmax), Adam. Added: Dropout 0.25/0.5 and "
            "training-time augmentation (shift, rotation, zoom, stroke thickness) so drawn digits "
            "are read as well as scanned ones; cosine learning-rate decay. More writers: the 6,745 "
            "digits of the UCI pen digits' 27 training writers, drawn as the Draw page draws its "
            "canvas, join the 55,000 MNIST digits (their 3 validation writers join the validation; "
            "their 14 test writers are never seen)."),
))
_register(ModelSpec(
    key="mnist_lstm", title="LSTM", dataset=catalog.MNIST, builder="mnist_rows_rnn",
    builder_args={"cell": "lstm", "units": 128},
    summary="Reads the image one row at a time (28 steps of 28 pixels) and remembers with gates.",
    target_accuracy=0.989, epochs=20, batch_size=64, augment=True,
    recipe=("Keras LSTM on MNIST rows: 28 time steps x 28 features > LSTM > Dense(10,softmax), Adam. "
            "Widened from LSTM(50) to LSTM(128) and trained with the CNN's augmentation (less "
            "overfitting, better on drawn digits); cosine learning-rate decay."),
))
_register(ModelSpec(
    key="mnist_rnn", title="SimpleRNN", dataset=catalog.MNIST, builder="mnist_rows_rnn",
    builder_args={"cell": "simple_rnn", "units": 128},
    summary="The plainest recurrent network: one tanh state updated row by row, no gates.",
    target_accuracy=0.980, epochs=20, batch_size=64, clipnorm=1.0, augment=True,
    recipe=("RNN vs GRU on MNIST: SimpleRNN(128) on rows > Dense(10,softmax), Adam. "
            "Gradient clipping (norm 1) keeps the ungated RNN stable; trained with the CNN's "
            "augmentation; cosine learning-rate decay."),
))
_register(ModelSpec(
    key="mnist_gru", title="GRU", dataset=catalog.MNIST, builder="mnist_rows_rnn",
    builder_args={"cell": "gru", "units": 128},
    summary="Like the LSTM with two gates instead of three (update, reset) and no separate cell.",
    target_accuracy=0.989, epochs=20, batch_size=64, augment=True,
    recipe=("RNN vs GRU on MNIST: GRU(128) on rows > Dense(10,softmax), Adam; trained with the CNN's "
            "augmentation; cosine learning-rate decay."),
))

# -- Sequences (LSTM gates page): windows of a generated wave -> the next value (data.sequences).
_WAVE_NOTE = ("Lab task: one wave of 1,200 samples (amplitude 1, 2.5 cycles per 100 steps, input noise 0.05, "
              "seed 42) cut in time 70/15/15 into training, validation and test; windows of 20 steps, the target "
              "is the clean wave one step later. Adam 3e-3, MSE; stops when the mean epoch loss changes by less "
              "than 1e-4 (the convergence criterion of the stacked-LSTM material).")
_register(ModelSpec(
    key="sine_lstm", title="Sine LSTM", dataset=catalog.SINE, task="regression", builder="sequence_lstm",
    builder_args={"layer_units": (16,)},
    summary="Reads 20 steps of a noisy sine wave and predicts the next value.",
    target_accuracy=0.0, target_mse=2e-3, epochs=100, batch_size=32, learning_rate=3e-3,
    convergence_threshold=1e-4,
    recipe="LSTM(16) > Dense(1) on sine windows. " + _WAVE_NOTE,
))
_register(ModelSpec(
    key="cosine_lstm", title="Cosine LSTM", dataset=catalog.COSINE, task="regression", builder="sequence_lstm",
    builder_args={"layer_units": (12, 8)},
    summary="Two stacked LSTMs read 20 steps of a noisy cosine wave and predict the next value.",
    target_accuracy=0.0, target_mse=2e-3, epochs=100, batch_size=32, learning_rate=3e-3,
    convergence_threshold=1e-4,
    recipe="LSTM(12) > LSTM(8) > Dense(1) on cosine windows (the lab report's cosine variant). " + _WAVE_NOTE,
))


# -- Reviews (IMDB sentiment): every model carries its TextVectorization, so it reads raw text.
_IMDB_NOTE = ("Text pipeline inside the model: TextVectorization (10,000 words, lower-case, <br /> and "
              "punctuation stripped, apostrophes kept), last 400 words, padding masked. Trained on "
              "20,000 reviews plus short snippets of them (so short sentences are read well), "
              "validated on 5,000, best epoch by validation accuracy kept. Regularised with "
              "spatial dropout on the embedding and dropout before the head; the embedding is first "
              "warmed up for 2 epochs in a bag-of-words classifier that shares it.")
_IMDB_REGULARISATION = {"embed_dropout": 0.3, "input_dropout": 0.2, "dropout": 0.5}
_register(ModelSpec(
    key="imdb_lstm", title="LSTM", dataset=catalog.IMDB, task="binary", builder="imdb_recurrent",
    builder_args={"cell": "lstm", "units": 64, "embed_dim": 64, **_IMDB_REGULARISATION},
    summary="Gates decide what to remember of each word, so early words can still count.",
    target_accuracy=0.88, epochs=5, batch_size=64, patience=2, embedding_warmup_epochs=2,
    recipe="Keras LSTM on IMDB: Embedding(10000,64) > LSTM(64) > Dense(1,sigmoid). " + _IMDB_NOTE,
))
_register(ModelSpec(
    key="imdb_gru", title="GRU", dataset=catalog.IMDB, task="binary", builder="imdb_recurrent",
    builder_args={"cell": "gru", "units": 64, "embed_dim": 64, **_IMDB_REGULARISATION},
    summary="The LSTM's lighter cousin: two gates, no separate memory cell.",
    target_accuracy=0.88, epochs=5, batch_size=64, patience=2, embedding_warmup_epochs=2,
    recipe="The LSTM recipe with GRU(64): Embedding(10000,64) > GRU(64) > Dense(1,sigmoid). " + _IMDB_NOTE,
))
_register(ModelSpec(
    key="imdb_rnn", title="SimpleRNN", dataset=catalog.IMDB, task="binary", builder="imdb_recurrent",
    builder_args={"cell": "simple_rnn", "units": 128, "embed_dim": 128, **_IMDB_REGULARISATION},
    summary="One tanh state updated word by word: it forgets the start of long reviews.",
    target_accuracy=0.88, epochs=5, batch_size=64, learning_rate=5e-4, clipnorm=1.0, patience=2,
    embedding_warmup_epochs=2,
    recipe="Keras SimpleRNN on IMDB: Embedding(10000,128) > SimpleRNN(128) > Dense(1,sigmoid). " + _IMDB_NOTE,
))
_register(ModelSpec(
    key="imdb_bilstm", title="BiLSTM", dataset=catalog.IMDB, task="binary", builder="imdb_recurrent",
    builder_args={"cell": "lstm", "units": 64, "embed_dim": 128, "stacked": 2, "bidirectional": True,
                  **_IMDB_REGULARISATION},
    summary="Two stacked LSTMs that read the review forwards and backwards at once.",
    target_accuracy=0.88, epochs=4, batch_size=64, patience=1, embedding_warmup_epochs=2,
    recipe=("Keras bidirectional LSTM on IMDB: Embedding(10000,128) > Bidirectional(LSTM(64)) x2 > "
            "Dense(1,sigmoid). " + _IMDB_NOTE),
))

# -- Architecture experiments (Compare page): the stacked/dropout RNN and LSTM comparison on
# MNIST rows. Small on purpose: the question is what depth, width and dropout change, not the
# best digit reader. Trained until the mean epoch loss changes by less than 1e-4.
ARCHITECTURES = {
    "i": ("I", "one layer of 5 units", {"layer_units": (5,)}),
    "ii": ("II", "two stacked layers of 5", {"layer_units": (5, 5)}),
    "iii": ("III", "32 then 16", {"layer_units": (32, 16)}),
    "iv": ("IV", "32, dropout 0.2, then 16", {"layer_units": (32, 16), "dropout": 0.2}),
}
_ARCH_NOTE = ("Stacked/dropout RNN and LSTM comparison on MNIST rows: 28 steps of 28 pixels > {layers} "
              "(tanh) > Dense(10, softmax); Adam 1e-3 with cosine decay over at most 60 epochs, batch 128, no "
              "augmentation; stops when the mean epoch loss changes by less than 1e-4.")
for _cell, _cell_title in (("simple_rnn", "RNN"), ("lstm", "LSTM")):
    for _numeral, (_roman, _words, _args) in ARCHITECTURES.items():
        _register(ModelSpec(
            key=f"rows_{'rnn' if _cell == 'simple_rnn' else 'lstm'}_{_numeral}",
            title=f"{_cell_title} {_roman}", dataset=catalog.MNIST, group="architectures",
            builder="mnist_rows_rnn", builder_args={"cell": _cell, "activation": "tanh", **_args},
            summary=f"{_cell_title} on image rows, {_words}.",
            target_accuracy=0.0, epochs=60, batch_size=128, convergence_threshold=1e-4,
            recipe=_ARCH_NOTE.format(layers=" > ".join(f"{_cell_title}({n})" + (" > Dropout(0.2)" if
                                     _args.get("dropout") and i == 0 else "")
                                     for i, n in enumerate(_args["layer_units"]))),
        ))


# -- Photos (CIFAR-10): the course lab's CNN and a small ResNet (models.training.portable).
_register(ModelSpec(
    key="cifar_cnn", title="ResNet", dataset=catalog.CIFAR10, builder="cifar_resnet",
    summary="A small residual network: 8 convolutions with batch normalisation, two shortcut blocks.",
    target_accuracy=0.90, epochs=48, batch_size=512, learning_rate=0.2,
    portable_recipe="resnet", trainer="portable",
    recipe=("After the fast CIFAR-10 recipes (the DAWNBench 'ResNet-9'), narrowed to 64-128-192-256 channels "
            "so the file stays under 10 MB: prep conv > conv, pool, residual(2 convs) > conv, pool > conv, pool, "
            "residual(2 convs) > global max pool > Dense(10). SGD with Nesterov momentum 0.9, 15% linear warm-up "
            "to 0.2 then cosine decay, batch 512, 48 epochs, L2 2.5e-4, label smoothing 0.1, random crops "
            "(4 px mirrored padding) and left-right flips; mixed precision (bfloat16) on a GPU."),
))

_register(ModelSpec(
    key="cifar_cnn_lab", title="Lab CNN", dataset=catalog.CIFAR10, builder="cifar_cnn_lab",
    summary="The course lab's network: two convolution + pooling blocks and one dense layer.",
    target_accuracy=0.70, epochs=20, batch_size=128, learning_rate=1e-3,
    portable_recipe="lab", trainer="portable",
    recipe=("Keras lab on CIFAR-10, exactly: Conv2D(32,3,relu) > MaxPool(2) > Conv2D(64,3,relu) > MaxPool(2) > "
            "Flatten > Dropout(0.5) > Dense(10,softmax), Adam 1e-3, batch 128, 20 epochs, no augmentation; "
            "45,000 training photos, the last 5,000 for validation."),
))
# -- Writing: the character language model (models.training.portable, models.probes.generation).
_register(ModelSpec(
    key="char_lstm", title="Character LSTM", dataset=catalog.IMDB_CHARACTERS, builder="char_lstm",
    task="language_model",
    summary="Two LSTM layers that read a review one character at a time and guess the next one.",
    target_accuracy=0.0, target_bits_per_character=1.6, epochs=56, batch_size=256, learning_rate=2e-3,
    portable_recipe="writer", trainer="portable",
    recipe=("Character-level language model conditioned on the sentiment: Embedding(64 characters, 32) + "
            "Embedding(2 sentiments, 8) at every step > LSTM(384) > LSTM(384) > Dense(64 scores). Trained on the "
            "24,000 training reviews (lower case, <br /> removed), windows of 200 characters at random places, "
            "batch 256, 400 steps an epoch, Adam 2e-3 with warm-up and cosine decay, gradient norm clipped at 1."),
))


# -- Pen strokes: the course's RNN/LSTM assignment on pen trajectories (models.training.pen).
_PEN_NOTE = ("UCI pen digits, original trajectories: the moves (dx, dy, pen_up) resampled every 0.1 of the "
             "drawing's size, at most 48 points, padding masked. Trained on 27 writers with augmented strokes "
             "(scale, slant, rotation, jitter, stroke order and direction), validated on 3 held-out writers, "
             "tested on the 14 other writers; Adam with cosine decay, 40 epochs, no early stopping.")
_register(ModelSpec(
    key="pen_lstm", title="Pen LSTM", dataset=catalog.PENDIGITS, builder="pen_recurrent", trainer="pen",
    builder_args={"cell": "lstm", "layer_units": (128,), "positions": True},
    summary="Reads the pen's moves point by point, with where the pen is, and remembers with gates.",
    target_accuracy=0.985, epochs=40, batch_size=64, learning_rate=2e-3,
    recipe="Masking > fixed running sum (adds the pen position) > LSTM(128) > Dropout > Dense(10). " + _PEN_NOTE,
))
_register(ModelSpec(
    key="pen_gru", title="Pen GRU", dataset=catalog.PENDIGITS, builder="pen_recurrent", trainer="pen",
    builder_args={"cell": "gru", "layer_units": (128,), "positions": True},
    summary="The same reading with a GRU: two gates instead of three.",
    target_accuracy=0.985, epochs=40, batch_size=64, learning_rate=2e-3,
    recipe="Masking > fixed running sum (adds the pen position) > GRU(128) > Dropout > Dense(10). " + _PEN_NOTE,
))
_register(ModelSpec(
    key="pen_rnn", title="Pen SimpleRNN", dataset=catalog.PENDIGITS, builder="pen_recurrent", trainer="pen",
    builder_args={"cell": "simple_rnn", "layer_units": (128,)},
    summary="The plainest recurrent network on the moves alone: no gates, no position.",
    target_accuracy=0.985, epochs=40, batch_size=64, learning_rate=1e-3,
    recipe="Masking > SimpleRNN(128) > Dropout > Dense(10), on the moves alone. " + _PEN_NOTE,
))


def get(key: str) -> ModelSpec:
    try:
        return MODELS[key]
    except KeyError:
        known = ", ".join(MODELS)
        raise KeyError(f"unknown model '{key}'; known models: {known}") from None


# Groups of models the Compare page offers besides each task's "main" models: group -> title.
GROUP_TITLES = {"architectures": "Architectures on MNIST rows"}
# The Train page's model families that belong beside a group's models on the Compare page (a
# student's run joins its task's main group always; an experiment group only when it is alike).
GROUP_FAMILIES = {"architectures": ("SimpleRNN", "LSTM", "GRU")}


def for_dataset(dataset: str, group: str | None = "main") -> list[ModelSpec]:
    """The models of ``dataset`` in ``group`` (None: every group)."""
    return [spec for spec in MODELS.values() if spec.dataset == dataset and group in (None, spec.group)]


def load_metadata(key: str) -> dict | None:
    """The pretrained model's metadata (history, test metrics, recipe), or None if absent or
    unreadable. Reads JSON only: no TensorFlow."""
    path = get(key).metadata_path
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def load_evaluation(key: str, task: str) -> dict | None:
    """The model's saved results on another task's test set (see ModelSpec.evaluation_path), or
    None if absent or unreadable."""
    try:
        return json.loads(get(key).evaluation_path(task).read_text())
    except (OSError, ValueError):
        return None
