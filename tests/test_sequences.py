"""The sine/cosine task: the waves, the windows, the forecasts, training and the shipped models."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from data import sequences
from models import registry
from models.training import loop
from tests.conftest import ROOT


def test_waves_are_the_named_functions():
    s = sequences.Signal("sine", amplitude=1.5, frequency=2.5, noise=0.0)
    w = sequences.wave(s)
    period = 40  # 100 / 2.5 steps
    np.testing.assert_allclose(w.targets[period:], w.targets[:-period], atol=1e-5)
    assert np.abs(w.targets).max() == pytest.approx(1.5, abs=1e-3)
    np.testing.assert_array_equal(w.inputs, w.targets)  # sine in, sine out, no noise
    # Sine in, cosine out: the same angle, so sin² + cos² = amplitude².
    w2 = sequences.wave(s.with_(task="sine_to_cosine"))
    np.testing.assert_allclose(w2.inputs, w.inputs, atol=1e-6)
    np.testing.assert_allclose(w2.inputs ** 2 + w2.targets ** 2, 1.5 ** 2, atol=1e-5)
    # A quarter period later the sine is where the cosine was.
    np.testing.assert_allclose(w2.inputs[period // 4:], w2.targets[:-period // 4], atol=1e-5)
    w3 = sequences.wave(s.with_(task="cosine"))
    np.testing.assert_allclose(w3.inputs, w2.targets, atol=1e-6)


def test_noise_is_on_the_input_only_and_seeded():
    s = sequences.Signal("sine", noise=0.1, length=4000)
    w = sequences.wave(s)
    assert np.std(w.inputs - w.clean_inputs) == pytest.approx(0.1, rel=0.05)
    np.testing.assert_array_equal(w.targets, w.clean_inputs)
    np.testing.assert_array_equal(sequences.wave(s).inputs, w.inputs)
    assert not np.array_equal(sequences.wave(s.with_(seed=1)).inputs, w.inputs)
    assert s.fingerprint() == sequences.Signal("sine", noise=0.1, length=4000).fingerprint()
    assert s.fingerprint() != s.with_(noise=0.2).fingerprint()


def test_windows_and_next_values_never_cross_the_cuts():
    s = sequences.Signal("sine", window=7, length=1000)
    w = sequences.make_windows(s)
    wave = sequences.wave(s)
    assert wave.bounds == (0, 700, 850, 1000)
    assert len(w.x_train) == 700 - 7 and len(w.x_val) == 150 - 7 and len(w.x_test) == 150 - 7
    assert w.x_train.shape[1:] == (7, 1) and w.y_train.shape[1:] == (1,)
    for x, y, start in ((w.x_train, w.y_train, 0), (w.x_val, w.y_val, 700), (w.x_test, w.y_test, 850)):
        for k in (0, len(x) // 2, len(x) - 1):
            np.testing.assert_array_equal(x[k, :, 0], wave.inputs[start + k:start + k + 7])
            assert y[k, 0] == wave.targets[start + k + 7]
    # The last test target is the wave's last sample: nothing beyond the test stretch is used.
    assert w.y_test[-1, 0] == wave.targets[-1]
    assert len(sequences.make_windows(s, train_limit=50).x_train) == 50


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match="task must be"):
        sequences.Signal("square")
    with pytest.raises(ValueError, match="two samples per period"):
        sequences.Signal(frequency=60)
    with pytest.raises(ValueError, match="at least 2"):
        sequences.Signal(window=1)
    with pytest.raises(ValueError, match="too short"):
        sequences.Signal(window=100, length=300)
    with pytest.raises(ValueError, match="amplitude"):
        sequences.Signal(amplitude=0)


def oracle(signal):
    """The exact next value of a clean sinusoid from its last two: s[n+1] = 2cos(ω)s[n] - s[n-1]."""
    omega = 2 * np.pi * signal.frequency / sequences.STEPS_PER_FREQUENCY_UNIT
    return lambda x: (2 * np.cos(omega) * x[:, -1, 0] - x[:, -2, 0])[:, None]


@pytest.mark.parametrize("task", ["sine", "cosine"])
def test_forecasts_with_a_perfect_and_a_lazy_predictor(task):
    s = sequences.Signal(task, noise=0.0, frequency=3.0, window=10)
    w = sequences.wave(s)
    t, p = sequences.one_step_ahead(oracle(s), w)
    test = w.stretch("test")
    np.testing.assert_array_equal(t, np.arange(test.start + 10, test.stop))
    assert sequences.errors(p, w.targets[t])["mse"] < 1e-10
    t_free, free = sequences.free_running(oracle(s), w)
    np.testing.assert_array_equal(t_free, t)
    assert sequences.errors(free, w.targets[t_free])["mse"] < 1e-8
    # "Repeat the last value" is fine one step ahead and drifts when it runs free: it never moves.
    lazy = lambda x: x[:, -1:, 0]
    _, free_lazy = sequences.free_running(lazy, w)
    assert np.all(free_lazy == w.inputs[test.start + 9])
    _, one_lazy = sequences.one_step_ahead(lazy, w)
    assert sequences.errors(one_lazy, w.targets[t])["mse"] < sequences.errors(free_lazy, w.targets[t])["mse"] / 10


def test_free_running_feeds_its_predictions_back():
    s = sequences.Signal("sine", window=3, noise=0.0)
    w = sequences.wave(s)
    seen = []

    def count(x):
        seen.append(x[0, :, 0].copy())
        return np.array([[len(seen)]], np.float32)

    _, p = sequences.free_running(count, w, steps=4)
    start = w.stretch("test").start
    np.testing.assert_array_equal(p, [1, 2, 3, 4])
    np.testing.assert_allclose(seen[0], w.inputs[start:start + 3])
    np.testing.assert_allclose(seen[3], [1, 2, 3])  # only its own predictions by step 4
    with pytest.raises(ValueError, match="sine → cosine"):
        sequences.free_running(count, sequences.wave(s.with_(task="sine_to_cosine")))


# -- Training -----------------------------------------------------------------------------------


def test_training_lowers_the_loss_and_stops_at_convergence():
    data = sequences.make_windows(sequences.DEFAULTS["sine"])
    result = loop.train("sine_lstm", epochs=60, dataset=data, convergence_threshold=1e-4)
    meta = result.metadata
    losses = meta["history"]["loss"]
    assert losses[-1] < losses[0] / 20
    # It stopped because the criterion held, well before the 60 epochs it was allowed.
    assert meta["converged_epoch"] == len(losses) < 60
    assert abs(losses[-1] - losses[-2]) < 1e-4
    assert all(abs(a - b) >= 1e-4 for a, b in zip(losses[:-2], losses[1:-1]))
    assert meta["test_mse"] < 2e-3 and meta["task"] == "regression"
    assert len(meta["history"]["val_loss"]) == len(losses)


def test_convergence_off_runs_every_epoch_and_overrides_shape_the_network():
    data = sequences.make_windows(sequences.Signal("sine_to_cosine", window=12), train_limit=200)
    result = loop.train("sine_lstm", epochs=3, dataset=data, convergence_threshold=0,
                            build_overrides={"layer_units": (8, 8)})
    assert len(result.metadata["history"]["loss"]) == 3 and result.metadata["converged_epoch"] is None
    assert [layer.units for layer in result.model.layers if hasattr(layer, "units")] == [8, 8, 1]


# -- The shipped models and the command line ---------------------------------------------------

SEQUENCE_SPECS = [spec for spec in registry.MODELS.values() if spec.task == "regression"]


@pytest.mark.parametrize("spec", SEQUENCE_SPECS, ids=lambda s: s.key)
def test_pretrained_sequence_models_meet_their_target(spec):
    from models import store

    model = store.load_pretrained(spec.key)
    data = loop.load_dataset(spec.dataset)
    result = loop.evaluate(model, data.x_test, data.y_test, "regression")
    assert result["mse"] < spec.target_mse
    meta = registry.load_metadata(spec.key)
    assert meta["test_mse"] == pytest.approx(result["mse"], rel=1e-3)
    for field in ("history", "params", "seconds_per_epoch", "recipe", "converged_epoch", "test_mae", "seed"):
        assert meta.get(field) is not None, field
    assert {"loss", "val_loss"} <= set(meta["history"]) and len(meta["history"]["loss"]) == meta["epochs"]
    assert meta["data_sha256"] == sequences.DEFAULTS[spec.dataset].fingerprint()
    assert spec.pretrained_path.stat().st_size < 200_000


def cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "models", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_trains_evaluates_and_lists_the_sequence_models(tmp_path):
    proc = cli("train", "sine_lstm", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "test MSE" in proc.stderr and "converged at epoch" in proc.stderr
    meta = json.loads((tmp_path / "sine_lstm.json").read_text())
    assert meta["converged_epoch"] and meta["test_mse"] < 2e-3
    # Seeded: the shipped model came from the same command.
    assert meta["history"]["loss"] == pytest.approx(registry.load_metadata("sine_lstm")["history"]["loss"], rel=1e-3)
    proc = cli("evaluate", "sine_lstm", "--model-file", str(tmp_path / "sine_lstm.keras"), "--json")
    out = json.loads(proc.stdout)
    assert set(out) == {"model", "dataset", "n", "mse", "mae"} and out["mse"] == pytest.approx(meta["test_mse"])
    rows = {r["model"]: r for r in json.loads(cli("list", "--json").stdout)}
    assert rows["sine_lstm"]["test_accuracy"].startswith("MSE") and rows["cosine_lstm"]["pretrained"] == "yes"
