"""The one place that declares every task the explorer knows: what the data are and how to use them.

A :class:`Task` says, once, everything the rest of the code used to find out by comparing
dataset names: its title, what kind of input it takes (a drawn image, typed text, a wave...),
what it predicts (classes, a binary verdict, a value, the next character), its class names and
input shape, how to load it (with a training subset), which data files it needs (with their
official source, size and converter), how to turn a user's input into the model's input, how
the Compare page shows one test example, and which families of network the Train page offers.

Pages, training, the CLI, comparison and benchmarks ask this module; nothing else compares
dataset names. A new task is one :func:`register` call here (or in a test), a builder and a
registry entry in ``models/``, and a page when it needs its own input form.

No TensorFlow and no heavy imports here: loaders and converters are imported when called, so
the home page can read the catalog instantly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from data import sources

if TYPE_CHECKING:  # NumPy is not needed to read the catalog
    from data.dataset import Dataset

# Task keys: registry entries and runs name their task by these constants.
MNIST = "mnist"
FASHION_MNIST = "fashion_mnist"
IMDB = "imdb"
SINE = "sine"
COSINE = "cosine"
CIFAR10 = "cifar10"
PENDIGITS = "pendigits"
IMDB_CHARACTERS = "imdb_characters"
SST = "sst"

# What the user gives the model (decides which input form a page shows).
INPUT_KINDS = ("image", "photo", "text", "wave", "strokes", "generation")
# What the model predicts (decides the loss, the metrics and the result views).
TASK_TYPES = ("multiclass", "binary", "regression", "language_model")
# How the Compare page shows one test example behind a confusion-matrix cell.
EXAMPLE_VIEWS = ("image", "text")


def _lazy(module: str, name: str) -> Callable:
    """``module.name``, imported only when called (keeps this module light)."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__qualname__ = call.__name__ = f"{module}.{name}"
    return call


@dataclass(frozen=True)
class Task:
    key: str  # MNIST, IMDB, ...: also what a model's metadata records as its "dataset"
    title: str  # "Digits (MNIST)": headings, Compare's group names
    input_kind: str  # one of INPUT_KINDS
    task_type: str  # one of TASK_TYPES; registry models of this task train with its loss
    load: Callable[..., Dataset]  # (progress=None, train_limit=None) -> train/val/test arrays
    class_names: tuple[str, ...] | None = None  # None for regression and language models
    input_shape: tuple | None = None  # one example as the model takes it; None: any length (text)
    load_test: Callable | None = None  # (allow_download=False) -> (x_test, y_test) for the pages
    files: tuple[sources.DatasetFile, ...] = ()  # the data files it needs (none for generated data)
    prepare_user_input: Callable | None = None  # what a user gives -> the model's input (None: not usable)
    example_view: str | None = None  # one of EXAMPLE_VIEWS, or None: Compare shows no examples
    step_title: str = "time step"  # what one step of a recurrent model is, for this input
    reading_title: str = ""  # how a recurrent model reads one example: "Digit, row by row"
    example_title: str = ""  # one test example, as a choice on a page: "An MNIST test digit"
    augmenter: str | None = None  # a training-time augmenter in models.training.augment, for augment=True
    test_description: str = ""  # "all 10,000 MNIST test digits": what a test accuracy is measured on
    train_description: str = ""  # what its training examples are like, for "trained on ..." lines
    train_sizes: tuple[int, ...] = ()  # the Train page's subset choices; the last is the whole split
    # The Train page's families: name -> (builder in models.architectures, fixed builder arguments).
    train_families: dict = field(default_factory=dict)
    # Its examples drawn as 28x28 digit pictures, by writer split: (split, limit=None, progress=None)
    # -> (images, labels, writers); split "train", "validation" or "test" (see data.writers).
    writer_images: Callable | None = None
    # Other tasks (with writer_images) whose writers the image models of this task can add to
    # their training, and be tested on: more handwriting styles (see data.writers).
    extra_writers: tuple[str, ...] = ()
    # A test set for another task's models: they are measured on this task's test set too
    # (e.g. the IMDB review models on SST-2 sentences), and Compare shows them as a group of their own.
    measures_models_of: str | None = None

    def __post_init__(self):
        if self.input_kind not in INPUT_KINDS:
            raise ValueError(f"{self.key}: input kind {self.input_kind!r} is not one of {', '.join(INPUT_KINDS)}")
        if self.task_type not in TASK_TYPES:
            raise ValueError(f"{self.key}: task type {self.task_type!r} is not one of {', '.join(TASK_TYPES)}")
        if self.example_view not in (None, *EXAMPLE_VIEWS):
            raise ValueError(f"{self.key}: example view {self.example_view!r} is not one of {EXAMPLE_VIEWS}")

    @property
    def num_classes(self) -> int:
        return len(self.class_names or ())

    @property
    def short_title(self) -> str:
        """"Digits" from "Digits (MNIST)"."""
        return self.title.split(" (")[0]

    @property
    def train_size(self) -> int | None:
        """The whole training split (validation held out), when the Train page offers the task."""
        return self.train_sizes[-1] if self.train_sizes else None

    @property
    def is_available(self) -> bool:
        """Whether every data file is on this machine (generated tasks always are)."""
        return all(sources.find(f.name) is not None for f in self.files)

    @property
    def sha256(self) -> str:
        """The data file's checksum, as recorded in a model's metadata."""
        return sources.sha256_of(sources.ensure(self.files[0], allow_download=False))


TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    TASKS[task.key] = task
    return task


def get(key: str) -> Task:
    try:
        return TASKS[key]
    except KeyError:
        raise KeyError(f"unknown task {key!r}; known tasks: {', '.join(TASKS)}") from None


def of_kind(*input_kinds: str) -> list[Task]:
    return [task for task in TASKS.values() if task.input_kind in input_kinds]


def trainable() -> list[Task]:
    """The tasks the Train page offers."""
    return [task for task in TASKS.values() if task.train_families]


# -- Data files: official source, size, converter ----------------------------------------------

KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"

MNIST_FILE = sources.DatasetFile("mnist.npz", "MNIST", KERAS_DATASETS + "mnist.npz", size="11 MB")
FASHION_MNIST_FILE = sources.DatasetFile("fashion_mnist.npz", "Fashion-MNIST", KERAS_DATASETS,
                                         build=_lazy("data.mnist", "build_fashion"), size="30 MB")
IMDB_FILE = sources.DatasetFile("imdb_reviews.csv.gz", "IMDB reviews", IMDB_URL,
                                build=_lazy("data.imdb", "build_csv"), size="84 MB")
PENDIGITS_URL = "https://archive.ics.uci.edu/static/public/81/pen+based+recognition+of+handwritten+digits.zip"
PENDIGITS_FILE = sources.DatasetFile("pendigits/pendigits_strokes.npz", "UCI pen digits (original trajectories)",
                                     PENDIGITS_URL, build=_lazy("data.pendigits", "build"), size="1.6 MB")
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SST_URL = "https://nlp.stanford.edu/sentiment/trainDevTestTrees_PTB.zip"
SST_FILE = sources.DatasetFile("sst/sst.csv.gz", "Stanford Sentiment Treebank", SST_URL,
                               build=_lazy("data.sst", "build_csv"), size="0.8 MB")
CIFAR10_FILE = sources.DatasetFile("cifar10.npz", "CIFAR-10", CIFAR10_URL,
                                   build=_lazy("data.cifar10", "build_npz"), size="163 MB")


# -- The tasks ---------------------------------------------------------------------------------

_DIGIT_FAMILIES = {
    "CNN": ("mnist_cnn", {}),
    "SimpleRNN": ("mnist_rows_rnn", {"cell": "simple_rnn"}),
    "LSTM": ("mnist_rows_rnn", {"cell": "lstm"}),
    "GRU": ("mnist_rows_rnn", {"cell": "gru"}),
}

register(Task(
    key=MNIST, title="Digits (MNIST)", input_kind="image", task_type="multiclass",
    class_names=tuple(str(d) for d in range(10)), input_shape=(28, 28),
    load=lambda progress=None, train_limit=None: _lazy("data.mnist", "dataset")(MNIST, progress, train_limit),
    load_test=lambda allow_download=False: _lazy("data.mnist", "load_test")(MNIST, allow_download=allow_download),
    files=(MNIST_FILE,), prepare_user_input=_lazy("data.digits", "to_mnist"), example_view="image",
    step_title="image row", reading_title="Digit, row by row", example_title="An MNIST test digit",
    augmenter="strokes", test_description="all 10,000 MNIST test digits",
    train_sizes=(1_000, 2_000, 5_000, 10_000, 20_000, 55_000), train_families=_DIGIT_FAMILIES,
    extra_writers=(PENDIGITS,),
))
register(Task(
    key=FASHION_MNIST, title="Clothing (Fashion-MNIST)", input_kind="image", task_type="multiclass",
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                 "Ankle boot"), input_shape=(28, 28),
    load=lambda progress=None, train_limit=None: _lazy("data.mnist", "dataset")(FASHION_MNIST, progress,
                                                                                 train_limit),
    load_test=lambda allow_download=False: _lazy("data.mnist", "load_test")(FASHION_MNIST,
                                                                             allow_download=allow_download),
    files=(FASHION_MNIST_FILE,), prepare_user_input=_lazy("data.digits", "to_mnist"), example_view="image",
    step_title="image row", reading_title="Clothing picture, row by row",
    example_title="A Fashion-MNIST test picture", augmenter="strokes",
    test_description="all 10,000 Fashion-MNIST test pictures",
))
register(Task(
    key=IMDB, title="Reviews (IMDB)", input_kind="text", task_type="binary",
    class_names=("negative", "positive"), input_shape=None,
    load=_lazy("data.imdb", "dataset"),
    load_test=lambda allow_download=False: _lazy("data.imdb", "load_test")(allow_download=allow_download),
    files=(IMDB_FILE,), prepare_user_input=_lazy("data.imdb", "review_text"), example_view="text",
    step_title="word", reading_title="Review, word by word", example_title="A real IMDB test review",
    test_description="all 25,000 IMDB test reviews",
    train_description="IMDB movie reviews: long reviews (about 230 words on average), one label for the whole "
                      "review",
    train_sizes=(1_000, 2_000, 5_000, 10_000, 20_000),
    train_families={
        "SimpleRNN": ("imdb_recurrent", {"cell": "simple_rnn"}),
        "LSTM": ("imdb_recurrent", {"cell": "lstm"}),
        "GRU": ("imdb_recurrent", {"cell": "gru"}),
        "BiLSTM": ("imdb_recurrent", {"cell": "lstm", "bidirectional": True}),
    },
))
register(Task(
    key=SST, title="Sentences (SST-2)", input_kind="text", task_type="binary",
    class_names=("negative", "positive"), input_shape=None,
    load=_lazy("data.sst", "dataset"),
    load_test=lambda allow_download=False: _lazy("data.sst", "load_test")(allow_download=allow_download),
    files=(SST_FILE,), prepare_user_input=_lazy("data.imdb", "review_text"), example_view="text",
    step_title="word", reading_title="Sentence, word by word", example_title="An SST-2 test sentence",
    test_description="the 1,821 SST-2 test sentences (neutral ones left out)",
    train_description="single sentences from movie reviews (Stanford Sentiment Treebank), each with its own label",
    measures_models_of=IMDB,
))
for _key, _title in ((SINE, "Sine wave"), (COSINE, "Cosine wave")):
    register(Task(
        key=_key, title=_title, input_kind="wave", task_type="regression", input_shape=(None, 1),
        load=(lambda key: lambda progress=None, train_limit=None: _lazy("data.sequences", "make_windows")(
            _lazy("data.sequences", "default_signal")(key), train_limit))(_key),
        step_title="t", test_description="the last 15% of the wave",
    ))
register(Task(
    key=CIFAR10, title="Photos (CIFAR-10)", input_kind="photo", task_type="multiclass",
    class_names=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    input_shape=(32, 32, 3),
    load=_lazy("data.cifar10", "dataset"),
    load_test=lambda allow_download=False: _lazy("data.cifar10", "load_test")(allow_download=allow_download),
    files=(CIFAR10_FILE,), prepare_user_input=_lazy("data.photos", "model_input"), example_view="image",
    example_title="A CIFAR-10 test photo", test_description="all 10,000 CIFAR-10 test photos",
    train_sizes=(1_000, 5_000, 10_000, 20_000, 45_000),
    train_families={"CNN": ("cifar_cnn_lab", {})},
))
register(Task(
    key=IMDB_CHARACTERS, title="Writing (IMDB, character by character)", input_kind="generation",
    task_type="language_model", input_shape=None,
    load=_lazy("data.characters", "dataset"),
    files=(IMDB_FILE,), prepare_user_input=_lazy("data.characters", "clean"),
    step_title="character", reading_title="Review, character by character",
    test_description="1,000 IMDB test reviews (a seeded random choice), each read from its start",
    train_sizes=(200_000, 500_000, 2_000_000, 10_000_000),  # characters (the whole stream: ~31 million)
    train_families={"Character LSTM": ("char_lstm", {})},
))
register(Task(
    key=PENDIGITS, title="Pen strokes (UCI pen digits)", input_kind="strokes", task_type="multiclass",
    class_names=tuple(str(d) for d in range(10)), input_shape=(48, 3),
    load=_lazy("data.pendigits", "dataset"),
    load_test=lambda allow_download=False: _lazy("data.pendigits", "load_test_images")(allow_download=allow_download),
    files=(PENDIGITS_FILE,), prepare_user_input=_lazy("data.strokes", "from_canvas_json"), example_view="image",
    step_title="pen point", reading_title="Digit, point by point as the pen moved",
    example_title="A pen digit by one of 14 test writers",
    test_description="all 3,498 pen digits by the 14 test writers (none seen in training)",
    writer_images=_lazy("data.pendigits", "writer_images"),
))
