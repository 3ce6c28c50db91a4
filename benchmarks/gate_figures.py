"""The Gates page's figures for the README: how far the NumPy gate recomputation is from Keras's
own LSTM on the shipped models, and how long the page's default small LSTM takes to train.

    python -m benchmarks.gate_figures --save   # benchmarks/results/gate_figures.json
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def largest_gate_error(inputs: int = 100) -> dict:
    """Max |h_t(ours) - h_t(Keras)| and |c_T(ours) - c_T(Keras)| over every LSTM layer of the
    shipped sequence and digit models, on ``inputs`` inputs each."""
    import keras
    import numpy as np

    from data import sequences
    from models import store
    from models.probes import gates

    rng = np.random.default_rng(0)
    worst = {}
    cases = {"mnist_lstm": rng.random((inputs, 28, 28)).astype("float32"),
             "sine_lstm": sequences.make_windows(sequences.DEFAULTS["sine"]).x_test[:inputs].astype("float32"),
             "cosine_lstm": sequences.make_windows(sequences.DEFAULTS["cosine"]).x_test[:inputs].astype("float32")}
    for key, xs in cases.items():
        model = store.load_pretrained(key)
        layer = next(layer for layer in model.layers if isinstance(layer, keras.layers.LSTM))
        probe = keras.layers.LSTM.from_config({**layer.get_config(), "return_sequences": True, "return_state": True})
        inp = keras.Input(xs.shape[1:])
        check = keras.Model(inp, probe(inp))
        probe.set_weights(layer.get_weights())
        sequence, _, c_last = (np.asarray(a) for a in check.predict_on_batch(xs))
        weights = gates.LSTMWeights.from_layer(layer)
        error = 0.0
        for i, x in enumerate(xs):
            trace = gates.recompute(weights, x)
            error = max(error, float(np.abs(trace.h - sequence[i]).max()), float(np.abs(trace.c[-1] - c_last[i]).max()))
        worst[key] = error
    return {"largest_error": max(worst.values()), "per_model": worst, "inputs_per_model": inputs}


def default_wave_training(runs: int = 3) -> dict:
    """Seconds for the Gates page's default run (LSTM(12) on the sine wave, at most 40 epochs,
    stop at convergence), trained in-process as the worker does, ``runs`` times."""
    import numpy as np

    from data import sequences
    from models import registry
    from models.training import loop

    seconds, epochs = [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = loop.train(registry.get("sine_lstm"), epochs=40, convergence_threshold=1e-4,
                            dataset=sequences.make_windows(sequences.DEFAULTS["sine"]),
                            build_overrides={"layer_units": (12,)})
        seconds.append(time.perf_counter() - start)
        epochs.append(result.metadata["epochs"])
    return {"seconds_median": round(float(np.median(seconds)), 2), "seconds_max": round(float(max(seconds)), 2),
            "epochs": epochs, "runs": runs}


def run() -> dict:
    return {"gate_error": largest_gate_error(), "wave_training": default_wave_training()}


def main() -> None:
    from benchmarks import provenance

    provenance.save_cli("gate_figures", run, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
