"""The shipped pen models: they load safely, reach their accuracy on all 3,498 test digits, and the
replay answers after every point with the same numbers as separate calls."""

import json
from pathlib import Path

import numpy as np
import pytest

from data import pendigits, strokes
from models import store
from models.probes import pen as pen_inference
from models.training import pen as pen_training
from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
PRETRAINED = ROOT / "pretrained"
FOUR = ROOT / "tests" / "data" / "canvas_stroke_four.json"
TARGET = 0.985  # the target for the LSTM and the GRU

# Measured test accuracy minus a small margin (a retrain with another seed may land a little lower).
FLOORS = {"pen_lstm": 0.985, "pen_gru": 0.987, "pen_rnn": 0.973}
BELOW_TARGET = ["pen_rnn"]  # measured below 98.5%: strict xfail, so reaching it flags this list
METADATA_KEYS = {"model", "title", "dataset", "class_names", "task", "test_n", "test_accuracy", "confusion_matrix",
                 "target_accuracy", "history", "epochs", "seconds_per_epoch", "params", "layers", "recipe",
                 "augmentation", "data_sha256", "trained_at", "versions", "command"}


@pytest.fixture(scope="module")
def pen_test():
    require(pendigits.PENDIGITS.name)
    _, test = pendigits.load(allow_download=False)
    return strokes.to_batch(pen_training.to_screen(test)), test.labels


@pytest.fixture(scope="module")
def pen_lstm():
    return store.load_model(PRETRAINED / "pen_lstm.keras")


@pytest.mark.parametrize("key", sorted(FLOORS))
def test_shipped_file_is_lean_and_described(key):
    model_path = PRETRAINED / f"{key}.keras"
    assert model_path.stat().st_size < 10_000_000
    meta = json.loads((PRETRAINED / f"{key}.json").read_text())
    assert METADATA_KEYS <= set(meta)
    assert meta["model"] == key and meta["test_n"] == 3498 and meta["dataset"] == "pendigits"
    assert meta["command"].startswith(f"python -m models train {key}")
    predictions = store.read_predictions(PRETRAINED / f"{key}.predictions.npz")
    assert predictions["predicted"].dtype == np.int8 and predictions["predicted"].shape == (3498,)
    assert predictions["confidence"].dtype == np.float16


@pytest.mark.parametrize("key", sorted(FLOORS))
def test_accuracy_on_every_test_digit(key, pen_test):
    x, y = pen_test
    model = store.load_model(PRETRAINED / f"{key}.keras")  # safe_mode=True
    predicted = np.concatenate([np.asarray(model.predict_on_batch(x[i:i + 500])).argmax(1)
                                for i in range(0, len(x), 500)])
    accuracy = float((predicted == y).mean())
    meta = json.loads((PRETRAINED / f"{key}.json").read_text())
    assert accuracy == pytest.approx(meta["test_accuracy"], abs=0.002), "the metadata describes this model"
    assert accuracy >= FLOORS[key], f"{key}: {accuracy:.4f} < floor {FLOORS[key]}"


@pytest.mark.parametrize("key", BELOW_TARGET)
@pytest.mark.xfail(strict=True, reason="below the issue's 98.5% target (see its metadata)")
def test_models_below_the_target(key, pen_test):
    x, y = pen_test
    model = store.load_model(PRETRAINED / f"{key}.keras")
    assert float((np.asarray(model.predict_on_batch(x)).argmax(1) == y).mean()) >= TARGET


def test_the_replay_model_reads_forwards_only(pen_lstm):
    assert not any("Bidirectional" in type(layer).__name__ for layer in pen_lstm.layers)


def test_replay_equals_one_call_per_prefix(pen_lstm):
    seq = strokes.from_canvas_json(FOUR.read_text())
    reader = pen_inference.reader_for(pen_lstm)
    assert pen_inference.reader_for(pen_lstm) is reader, "one compiled reader per model"
    replay = reader.replay(seq)
    assert replay.shape == (seq.length, 10)
    np.testing.assert_allclose(replay.sum(axis=1), 1, atol=1e-4)
    np.testing.assert_allclose(replay[-1], reader.probabilities(seq), atol=1e-4)
    prefixes = strokes.prefixes(seq)
    for k in (0, seq.length // 2):
        np.testing.assert_allclose(replay[k], np.asarray(pen_lstm.predict_on_batch(prefixes[k:k + 1]))[0],
                                   atol=1e-4)


def test_the_recorded_four_reads_as_a_four(pen_lstm):
    seq = strokes.from_canvas_json(FOUR.read_text())
    assert int(np.argmax(pen_inference.reader_for(pen_lstm).probabilities(seq))) == 4


def test_training_entry_point_writes_loadable_files(tmp_path):
    require(pendigits.PENDIGITS.name)
    from models.__main__ import main as cli

    assert cli(["train", "pen_gru", "--epochs", "1", "--limit", "64", "--batch-size", "32",
                "--out", str(tmp_path)]) == 0
    model = store.load_model(tmp_path / "pen_gru.keras")
    assert model.output.shape[-1] == 10
    meta = json.loads((tmp_path / "pen_gru.json").read_text())
    assert meta["train_size"] == 64 and meta["test_n"] == 3498 and "--limit 64" in meta["command"]
    assert store.read_predictions(tmp_path / "pen_gru.predictions.npz")["predicted"].shape == (3498,)


def test_first_sure_point_is_where_the_final_answer_stays_on_top():
    replay = np.array([[0.6, 0.4], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8], [0.1, 0.9]])
    assert pen_inference.first_sure_point(replay) == 4
    assert pen_inference.first_sure_point(np.array([[0.1, 0.9], [0.2, 0.8]])) == 1
