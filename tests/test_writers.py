"""More writers for the digit image models (data.writers): the pen digits' training writers drawn
as pictures join the training, their test writers are a held-out test, and neither ever mixes."""

import dataclasses
import json

import numpy as np
import pytest

from data import catalog, pendigits, strokes, writers
from data.dataset import Dataset
from models import registry
from models.__main__ import main as cli
from models.training import loop
from tests.conftest import require

N_PEN = 60  # pen digits taken in the quick runs
PEN_WRITERS_FLOOR = 0.975  # the shipped CNN, trained with the pen writers, measured 98.03% on their test writers


@pytest.fixture(scope="module")
def pen_path():
    return require(pendigits.PENDIGITS.name)


@pytest.fixture(scope="module")
def pen_split(pen_path):
    train, test = pendigits.load(allow_download=False)
    held_out = pendigits.held_out_writers(train)
    return train, test, held_out


@pytest.fixture(scope="module")
def tiny_mnist(pen_path):
    """Fifty made-up 28x28 'digits' in MNIST's layout: a dataset that is recognisably not a pen digit."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 0.2, (70, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 70).astype(np.int32)
    return Dataset(catalog.MNIST, x[:50], y[:50], x[50:60], y[50:60], x[60:], y[60:], "sha-of-mnist",
                   list(catalog.get(catalog.MNIST).class_names))


def test_the_catalog_says_who_lends_writers_to_whom():
    assert writers.sources_for(catalog.MNIST) == (catalog.PENDIGITS,)
    assert catalog.get(catalog.PENDIGITS).writer_images is not None
    assert writers.sources_for(catalog.CIFAR10) == ()
    with pytest.raises(ValueError, match="can add: " + catalog.PENDIGITS):
        writers.check(catalog.MNIST, [catalog.IMDB])
    with pytest.raises(ValueError, match="can add: none"):
        writers.check(catalog.CIFAR10, [catalog.PENDIGITS])
    assert writers.check(catalog.CIFAR10, []) == ()


def test_writer_images_are_the_pen_digits_drawn_in_order_by_split(pen_split):
    train, test, held_out = pen_split
    images, labels, who = pendigits.writer_images("train", limit=5, allow_download=False)
    assert images.shape == (5, 28, 28) and images.dtype == np.float32
    assert 0 <= images.min() and images.max() <= 1 and images.max() > 0.9  # ink, scaled like MNIST's
    first = np.flatnonzero(~held_out)[:5]
    np.testing.assert_array_equal(labels, train.labels[first])
    np.testing.assert_array_equal(who, train.writers[first])
    for image, k in zip(images, first):  # each picture is its own digit, drawn as the Draw page draws
        np.testing.assert_allclose(image, strokes.render_image(pendigits.to_screen(train)[k]), atol=1e-6)
    _, val_labels, val_writers = pendigits.writer_images("validation", allow_download=False)
    assert len(val_labels) == held_out.sum() and set(val_writers) == set(train.writers[held_out])
    _, _, test_writers = pendigits.writer_images("test", limit=40, allow_download=False)
    assert set(test_writers) <= set(test.writers)
    assert not set(test.writers) & set(train.writers)
    with pytest.raises(ValueError, match="unknown split"):
        pendigits.writer_images("everything")


def test_add_writers_appends_the_training_writers_only(tiny_mnist, pen_split):
    train, test, held_out = pen_split
    combined, added = writers.add_writers(tiny_mnist, [catalog.PENDIGITS], train_limit=N_PEN)
    n_val = max(N_PEN // 5, 100)
    # Counts and shapes: the task's own examples first, then the pen digits.
    assert combined.x_train.shape == (50 + N_PEN, 28, 28) and combined.y_train.shape == (50 + N_PEN,)
    assert combined.x_val.shape == (10 + n_val, 28, 28) and len(combined.y_val) == 10 + n_val
    assert combined.x_train.dtype == tiny_mnist.x_train.dtype and combined.y_train.dtype == tiny_mnist.y_train.dtype
    np.testing.assert_array_equal(combined.x_train[:50], tiny_mnist.x_train)
    # Labels stay with their pictures: the appended ones are the first training writers' digits.
    fit = np.flatnonzero(~held_out)[:N_PEN]
    np.testing.assert_array_equal(combined.y_train[50:], train.labels[fit])
    for i in (0, N_PEN // 2, N_PEN - 1):
        np.testing.assert_allclose(combined.x_train[50 + i], strokes.render_image(pendigits.to_screen(train)[fit[i]]),
                                   atol=1e-6)
    np.testing.assert_array_equal(combined.y_val[10:], train.labels[np.flatnonzero(held_out)[:n_val]])
    # The test set is the task's own: no pen test writer is trained or validated on.
    assert combined.x_test is tiny_mnist.x_test and combined.sha256 == tiny_mnist.sha256
    assert added[catalog.PENDIGITS]["train"] == N_PEN and added[catalog.PENDIGITS]["validation"] == n_val
    assert added[catalog.PENDIGITS]["train_writers"] <= 27 and added[catalog.PENDIGITS]["validation_writers"] <= 3
    assert writers.add_writers(tiny_mnist, ())[0] is tiny_mnist


def test_the_full_addition_is_every_training_writers_digit(pen_split, monkeypatch):
    """Without a limit, all 27 training writers and the 3 validation writers are drawn (counted
    without drawing them: the renderer is swapped for a cheap stand-in)."""
    train, _, held_out = pen_split
    monkeypatch.setattr(strokes, "render_image", lambda digit: np.full((28, 28), len(digit), np.float32))
    base = Dataset(catalog.MNIST, np.zeros((3, 28, 28), np.float32), np.zeros(3, np.int32),
                   np.zeros((2, 28, 28), np.float32), np.zeros(2, np.int32), None, None, "", None)
    combined, added = writers.add_writers(base, [catalog.PENDIGITS])
    assert len(combined.y_train) == 3 + (~held_out).sum() and len(combined.y_val) == 2 + held_out.sum()
    assert (added[catalog.PENDIGITS]["train_writers"], added[catalog.PENDIGITS]["validation_writers"]) == (27, 3)
    strokes_per_digit = [len(d) for d in train.strokes]
    np.testing.assert_array_equal(combined.x_train[3:, 0, 0], np.asarray(strokes_per_digit)[~held_out])


class Recorder:
    """A stand-in model that answers 'the digit 7' and keeps what it was shown."""

    def __init__(self):
        self.seen = []

    def predict_on_batch(self, x):
        self.seen.append(np.asarray(x))
        return np.tile(np.eye(10, dtype=np.float32)[7], (len(x), 1))


def test_evaluate_test_set_reads_the_pen_test_writers(pen_split):
    _, test, _ = pen_split
    model = Recorder()
    result = loop.evaluate_test_set(model, catalog.MNIST, catalog.PENDIGITS, limit=30)
    shown = np.concatenate(model.seen)
    expected, labels, _ = pendigits.writer_images("test", limit=30, allow_download=False)
    np.testing.assert_allclose(shown, expected, atol=1e-6)  # the test writers' digits, drawn
    assert result["n"] == 30 and result["accuracy"] == pytest.approx(np.mean(test.labels[:30] == 7))
    assert np.array(result["confusion_matrix"])[:, 7].sum() == 30
    with pytest.raises(ValueError):
        loop.evaluate_test_set(model, catalog.MNIST, catalog.IMDB)


def test_evaluate_test_set_defaults_to_the_task_own_test_set(mnist_test):
    model = Recorder()
    result = loop.evaluate_test_set(model, catalog.MNIST, limit=25)
    np.testing.assert_allclose(np.concatenate(model.seen), mnist_test[0][:25] / 255.0, atol=1e-6)
    assert result["accuracy"] == pytest.approx(np.mean(mnist_test[1][:25] == 7))


def test_a_tiny_training_with_the_pen_writers(tiny_mnist, pen_split):
    """The option reaches the fit: more training examples, the additions in the metadata, the
    pen test writers scored, and the command that repeats it."""
    spec = registry.get("mnist_cnn")
    result = loop.train(spec.key, epochs=1, dataset=tiny_mnist, train_limit=N_PEN,
                        extra_writers=(catalog.PENDIGITS,))
    meta = result.metadata
    assert meta["train_size"] == 50 + N_PEN
    added = meta["extra_writers"][catalog.PENDIGITS]
    assert added["train"] == N_PEN and added["test_n"] == 3498 and 0 <= added["test_accuracy"] <= 1
    assert meta["test_n"] == len(tiny_mnist.y_test)  # the task's own test set
    assert "CPU cores" in meta["trained_on"]
    json.dumps(meta)  # writable as the model's JSON
    plain = loop.train(spec.key, epochs=1, dataset=tiny_mnist, train_limit=N_PEN, extra_writers=())
    assert plain.metadata["train_size"] == 50 and plain.metadata["extra_writers"] is None
    # A data set passed in is trained on as it is, even when the recipe adds writers.
    with_recipe = dataclasses.replace(spec, extra_writers=(catalog.PENDIGITS,))
    assert loop.train(with_recipe, epochs=1, dataset=tiny_mnist).metadata["train_size"] == 50


def test_the_command_repeats_the_choice_of_writers():
    spec = registry.get("mnist_cnn")
    command = loop._command(spec, 20, 64, 42, None, None, {}, None, (catalog.PENDIGITS,))
    other = loop._command(spec, 20, 64, 42, None, None, {}, None, ())
    if spec.extra_writers:
        assert "--extra-writers" not in command and other.endswith("--extra-writers none")
    else:
        assert command.endswith(f"--extra-writers {catalog.PENDIGITS}") and "--extra-writers" not in other


def test_cli_refuses_writers_that_do_not_fit(capsys):
    assert cli(["train", "pen_lstm", "--extra-writers", catalog.PENDIGITS]) == 2
    assert "--extra-writers is for the digit image models" in capsys.readouterr().err
    assert cli(["train", "imdb_lstm", "--extra-writers", catalog.PENDIGITS]) == 2
    assert "can add: none" in capsys.readouterr().err
    assert cli(["evaluate", "mnist_cnn", "--test-set", catalog.IMDB]) == 2
    assert "can add: " + catalog.PENDIGITS in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["train", "mnist_cnn", "--extra-writers", "nobody"])


def test_cli_evaluates_on_the_pen_test_writers(pen_split, capsys):
    assert cli(["evaluate", "mnist_cnn", "--test-set", catalog.PENDIGITS, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["test_set"] == catalog.PENDIGITS and out["n"] == 3498
    assert np.array(out["confusion_matrix"]).sum() == 3498 and out["accuracy"] > 0.9
    meta = registry.load_metadata("mnist_cnn")
    recorded = (meta.get("extra_writers") or {}).get(catalog.PENDIGITS)
    if recorded:  # a model trained with the pen writers says what it scored on their test writers
        assert out["accuracy"] == pytest.approx(recorded["test_accuracy"], abs=5e-4)
        assert out["accuracy"] >= PEN_WRITERS_FLOOR  # and keeps what it gained (93.85% without them)
