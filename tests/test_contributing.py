"""CONTRIBUTING.md's promise: a new task is a catalog entry, a builder and a registry entry, and
it appears on the Compare, Train and Gates pages with no page edit."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data import catalog
from data.dataset import Dataset
from models import registry
from tests.conftest import ROOT

TIMEOUT = 120
CLASSES = ("low", "middle", "high")


def tiny_arrays(n: int, seed: int):
    """4×3 "images" whose mean brightness says the class: plain NumPy arrays, nothing to download."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n).astype("int32")
    x = np.clip(rng.normal(0.2 + 0.3 * y[:, None, None], 0.05, (n, 4, 3)), 0, 1).astype("float32")
    return x, y


def load(progress=None, train_limit=None) -> Dataset:
    x, y = tiny_arrays(400, 0)
    x_val, y_val = tiny_arrays(100, 1)
    x_test, y_test = tiny_arrays(90, 2)
    return Dataset("tiny", x, y, x_val, y_val, x_test, y_test, "0" * 64, list(CLASSES))


def load_test(allow_download=False):
    data = load()
    return data.x_test, data.y_test


@pytest.fixture
def tiny_task(tmp_path, monkeypatch):
    """A task, its LSTM trained through the project's own loop and saved to a temporary
    pretrained/ folder: what a contributor adds, and nothing else."""
    from models.training import loop

    task = catalog.Task("tiny", "Tiny shapes (a test task)", "image", "multiclass", load, class_names=CLASSES,
                        input_shape=(4, 3), load_test=load_test,
                        example_view="image", step_title="row", reading_title="Tiny shape, row by row",
                        train_sizes=(100, 400), train_families={"LSTM": ("mnist_rows_rnn", {"cell": "lstm"})},
                        test_description="90 tiny test shapes")
    monkeypatch.setitem(catalog.TASKS, task.key, task)
    spec = registry.ModelSpec(key="tiny_lstm", title="Tiny LSTM", dataset=task.key, builder="mnist_rows_rnn",
                              builder_args={"cell": "lstm", "units": 4, "input_shape": (4, 3), "num_classes": 3},
                              summary="Reads a tiny shape row by row.", target_accuracy=0.0, epochs=3,
                              batch_size=32)
    monkeypatch.setattr(registry, "PRETRAINED_DIR", tmp_path)
    monkeypatch.setitem(registry.MODELS, spec.key, spec)
    loop.save(loop.train(spec), tmp_path)
    return task


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page(path).run()
    assert not at.exception
    return at


def test_a_task_registered_in_a_test_appears_on_compare_train_and_gates(tiny_task):
    # Compare: its own group, its matrix, the examples behind a cell.
    at = open_page("pages/compare.py")
    assert "Tiny shapes (a test task)" in at.segmented_control(key="compare_group").options
    at.session_state["compare_group"] = "tiny/main"
    at.session_state["confusion_tiny/main"] = {"selection": {"cell": [{"true": "high", "predicted": "high"}]}}
    at.run()
    assert not at.exception
    assert len(at.dataframe[-1].value) == 1  # the architecture table: the one tiny model
    texts = [m.value for m in at.markdown]
    assert any("True **high**, predicted **high**" in t for t in texts)
    assert any(t.startswith("**#") and "Tiny LSTM" in t for t in texts)  # an example card

    # Train: offered, with the families its catalog entry names.
    at = open_page("pages/train.py")
    assert "Tiny shapes" in at.segmented_control(key="train_dataset").options
    at.session_state["train_dataset"] = "tiny"
    at.run()
    assert not at.exception
    assert at.selectbox(key="train_family").options == ["LSTM"]

    # Gates: its LSTM, reading one of its test shapes row by row.
    at = open_page("pages/gates.py")
    assert "Tiny shape, row by row · Tiny LSTM" in at.radio(key="gates_source").options
    at.radio(key="gates_source").set_value("tiny_lstm").run()
    assert not at.exception
    assert at.slider(key="gates_step").max == 4  # four rows
    assert at.metric[0].label == "The Tiny LSTM says" and at.metric[0].value in CLASSES
