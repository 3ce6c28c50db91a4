"""The task catalog: every task declared once, every model's task in it, nothing else naming datasets."""

import ast
import subprocess
import sys

import numpy as np
import pytest

from data import catalog, sources
from data.dataset import Dataset
from models import registry
from tests.conftest import ROOT

CODE = ["app.py", "pages", "models", "data", "benchmarks"]
DATASET_NAMES = {"mnist", "imdb", "fashion_mnist", "sst", "cifar10", "pendigits"}


def python_files():
    for entry in CODE:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_nothing_outside_the_catalog_names_a_dataset():
    """A new task must not mean hunting for string comparisons: only data/catalog.py spells the
    dataset names (the constants everything else uses)."""
    found = []
    for path in python_files():
        if path == ROOT / "data" / "catalog.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in DATASET_NAMES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert not found, found


def test_every_registry_model_learns_a_catalog_task():
    for spec in registry.MODELS.values():
        task = catalog.get(spec.dataset)
        assert spec.task == task.task_type, spec.key
        if spec.augment:
            assert task.augmenter, f"{spec.key} asks for augmentation its task does not name"


@pytest.mark.parametrize("task", list(catalog.TASKS.values()), ids=list(catalog.TASKS))
def test_every_task_is_complete(task):
    assert task.title and task.input_kind in catalog.INPUT_KINDS and task.task_type in catalog.TASK_TYPES
    if task.task_type in ("multiclass", "binary"):
        assert task.class_names and task.test_description
        assert task.example_view in catalog.EXAMPLE_VIEWS, "Compare shows the examples behind a cell"
        assert task.load_test is not None and task.files
    for file in task.files:
        assert file.url.startswith("https://") and file.size, file.name
    if task.train_families:
        assert task.train_sizes == tuple(sorted(task.train_sizes))
    assert callable(task.load)


def test_unknown_task_says_which_exist():
    with pytest.raises(KeyError, match="known tasks: mnist"):
        catalog.get("cifar100")


def test_the_catalog_can_express_the_next_tasks():
    """Photos (CIFAR-10), pen strokes, a character language model and SST sentences are entries
    of the same shape (declared here only; their loaders are other work)."""
    def load(progress=None, train_limit=None):
        x = np.zeros((10, 4), np.float32)
        return Dataset("tiny", x, np.zeros(10), x, np.zeros(10), x, np.zeros(10), "0", None)

    cifar = catalog.Task("cifar10", "Photos (CIFAR-10)", "photo", "multiclass", load,
                         class_names=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                      "ship", "truck"), input_shape=(32, 32, 3), example_view="image",
                         files=(sources.DatasetFile("cifar10.npz", "CIFAR-10", "https://www.cs.toronto.edu/",
                                                    size="163 MB"),))
    strokes = catalog.Task("pendigits", "Pen strokes (UCI pendigits)", "strokes", "multiclass", load,
                           class_names=tuple("0123456789"), input_shape=(None, 2), step_title="pen point")
    writer = catalog.Task("chars", "Writing (characters)", "generation", "language_model", load,
                          input_shape=(None,), step_title="character")
    sst = catalog.Task("sst", "Sentences (SST)", "text", "binary", load, class_names=("negative", "positive"),
                       example_view="text", step_title="word")
    assert cifar.num_classes == 10 and cifar.short_title == "Photos"
    assert strokes.input_kind == "strokes" and writer.num_classes == 0 and sst.input_kind == "text"
    with pytest.raises(ValueError, match="input kind"):
        catalog.Task("odd", "Odd", "smell", "multiclass", load)


def test_reading_the_catalog_and_registry_imports_no_tensorflow():
    """The home page and the router read these: they must open without TensorFlow."""
    code = ("import sys; import data.catalog, models.registry, models.comparison, pages._ui.navigation; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TensorFlow was imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
