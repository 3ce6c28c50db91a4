"""Every shipped model, evaluated now on the full test set, meets its target; its metadata
tells the truth about it."""

import json

import numpy as np
import pytest

from models import registry, store
from models.training import loop

MNIST_SPECS = registry.for_dataset("mnist", group=None)  # the architecture experiments too

# The architecture experiments have no accuracy target (the question is what depth, width and
# dropout change); each is held to what it measured when trained, minus half a point, so a
# regression fails.
REGRESSION_FLOOR = {
    "rows_rnn_i": 0.611, "rows_rnn_ii": 0.733, "rows_rnn_iii": 0.958, "rows_rnn_iv": 0.954,
    "rows_lstm_i": 0.795, "rows_lstm_ii": 0.921, "rows_lstm_iii": 0.977, "rows_lstm_iv": 0.980,
}


def test_every_registry_model_is_shipped_and_loads():
    """Every model of the registry has its .keras file and metadata in pretrained/, and the file
    loads in safe mode (the layers saved inside keep their registered names)."""
    for spec in registry.MODELS.values():
        assert spec.metadata_path.is_file() and registry.load_metadata(spec.key), spec.key
        assert store.load_pretrained(spec.key).count_params() == registry.load_metadata(spec.key)["params"], spec.key


def test_every_model_without_a_target_has_a_regression_floor():
    for spec in registry.MODELS.values():
        if spec.task not in ("regression", "language_model") and not spec.target_accuracy:
            assert spec.key in REGRESSION_FLOOR, spec.key
            assert REGRESSION_FLOOR[spec.key] > 0.5, spec.key


@pytest.mark.parametrize("spec", MNIST_SPECS, ids=lambda s: s.key)
def test_pretrained_meets_its_target_on_all_test_digits(spec, mnist_test):
    x_test, y_test = mnist_test
    model = store.load_pretrained(spec.key)
    result = loop.evaluate(model, x_test.astype("float32") / 255.0, y_test.astype("int32"))
    assert result["n"] == 10_000
    assert result["accuracy"] >= spec.target_accuracy, f"{spec.key}: {result['accuracy']:.4f}"
    assert result["accuracy"] >= REGRESSION_FLOOR.get(spec.key, 0.0), f"{spec.key}: {result['accuracy']:.4f}"
    # The metadata shipped beside the model reports what we just measured.
    meta = registry.load_metadata(spec.key)
    assert meta["test_accuracy"] == pytest.approx(result["accuracy"], abs=5e-4)
    assert np.array(meta["confusion_matrix"]).sum() == 10_000


@pytest.mark.parametrize("spec", MNIST_SPECS, ids=lambda s: s.key)
def test_pretrained_files_are_small_and_documented(spec, mnist_path):
    from data import sources

    assert spec.pretrained_path.stat().st_size < 10 * 1024 * 1024
    meta = json.loads(spec.metadata_path.read_text())
    for field in ("history", "params", "epochs", "batch_size", "seconds_per_epoch", "recipe", "data_sha256", "seed"):
        assert meta.get(field) is not None, field
    assert set(meta["history"]) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(meta["history"]["loss"]) == meta["epochs"]
    assert meta["data_sha256"] == sources.sha256_of(mnist_path)


IMDB_SPECS = registry.for_dataset("imdb")

# Models whose shipped accuracy is still below the target: the target is a strict xfail (it
# turns into a failure the day they reach it, so the mark is then removed), and each is held to
# what it measured (so a regression fails) by its own floor.
# Issue 12 set every review model's IMDB target at 88% on all 25,000 test reviews (with SST-2 and
# negation targets beside it, which the shipped models do not reach: see the README).
BELOW_TARGET_FLOOR = {"imdb_bilstm": 0.875}


@pytest.fixture(scope="module")
def imdb_test(imdb_path):
    from data import imdb

    return imdb.load(allow_download=False)[1]


_EVALUATED: dict = {}


def imdb_result(key: str, imdb_test) -> dict:
    """Each review model evaluated once on all 25,000 test reviews (two tests read it)."""
    if key not in _EVALUATED:
        texts, labels = imdb_test
        _EVALUATED[key] = loop.evaluate(store.load_pretrained(key), texts, labels, "binary")
    return _EVALUATED[key]


def _target_param(spec):
    if spec.key in BELOW_TARGET_FLOOR:
        return pytest.param(spec, id=spec.key, marks=pytest.mark.xfail(
            strict=True, reason=f"below its {spec.target_accuracy:.0%} target; held to its regression floor"))
    return pytest.param(spec, id=spec.key)


@pytest.mark.parametrize("spec", [_target_param(s) for s in IMDB_SPECS])
def test_imdb_pretrained_meets_its_target_on_all_test_reviews(spec, imdb_test):
    result = imdb_result(spec.key, imdb_test)
    assert result["n"] == 25_000
    assert result["accuracy"] >= spec.target_accuracy, f"{spec.key}: {result['accuracy']:.4f}"


@pytest.mark.parametrize("spec", [s for s in IMDB_SPECS if s.key in BELOW_TARGET_FLOOR], ids=lambda s: s.key)
def test_imdb_pretrained_below_target_stays_above_its_regression_floor(spec, imdb_test):
    result = imdb_result(spec.key, imdb_test)
    assert result["accuracy"] >= BELOW_TARGET_FLOOR[spec.key], f"{spec.key}: {result['accuracy']:.4f}"


@pytest.mark.parametrize("spec", IMDB_SPECS, ids=lambda s: s.key)
def test_imdb_metadata_reports_the_measured_accuracy(spec, imdb_test):
    result = imdb_result(spec.key, imdb_test)
    assert result["n"] == 25_000
    meta = registry.load_metadata(spec.key)
    assert meta["test_accuracy"] == pytest.approx(result["accuracy"], abs=5e-4)
    assert np.array(meta["confusion_matrix"]).shape == (2, 2)


@pytest.mark.parametrize("spec", IMDB_SPECS, ids=lambda s: s.key)
def test_imdb_pretrained_reads_raw_text(spec):
    """The .keras file alone (no Python preprocessing) turns raw strings into a verdict."""
    from models.probes import reviews

    model = store.load_pretrained(spec.key)
    p = np.asarray(model(reviews.as_model_input([
        "An absolute masterpiece, moving and beautifully acted. I loved it.",
        "Terrible. Boring, stupid and far too long. The worst film of the year."])))[:, 0]
    assert p[0] > 0.7 and p[1] < 0.3
    assert spec.pretrained_path.stat().st_size < 10 * 1024 * 1024
