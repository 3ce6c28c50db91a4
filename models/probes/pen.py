"""Read a drawing with a pen model: one compiled call per stroke, and the point-by-point replay.

A stroke on the Draw page must answer at once. ``model.predict`` costs ~90 ms per call and eager
``model(x)`` re-runs Python per layer; a cached ``tf.function`` (``jit_compile=True`` by default:
XLA fuses the recurrent loop on CPU) costs about a millisecond. The inputs always have the same
shapes, (1, MAX_STEPS, 3) for an answer and (MAX_STEPS, MAX_STEPS, 3) for a replay, so each is
traced once per model.

TensorFlow models are not thread-safe (tensorflow#61298) and Streamlit serves every session from
threads of one process, so every call holds the reader's lock.

    python -m models.probes.pen pretrained/pen_lstm.keras   # latency: ours vs predict_on_batch
"""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np
import tensorflow as tf

from data import strokes

_READERS: dict[int, PenReader] = {}
_READERS_LOCK = threading.Lock()


class PenReader:
    """A pen model behind a lock and two compiled calls."""

    def __init__(self, model, jit_compile: bool = True):
        self.model = model
        self.max_steps = int(model.input.shape[1])
        self._lock = threading.Lock()
        self._call = tf.function(lambda x: model(x, training=False), jit_compile=jit_compile)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        with self._lock:
            return self._call(tf.constant(batch, tf.float32)).numpy()

    def probabilities(self, drawing) -> np.ndarray:
        """(10,) class probabilities for a :class:`data.strokes.PenSequence` or its (MAX_STEPS, 3) rows."""
        rows = drawing.rows if isinstance(drawing, strokes.PenSequence) else np.asarray(drawing, np.float32)
        return self._run(rows[None])[0]

    def replay(self, drawing) -> np.ndarray:
        """(length, 10): the probabilities after each point, in ONE batched call over all prefixes.

        Exact for a unidirectional model: with the padding masked, the answer for prefix k is the
        state after point k."""
        batch = strokes.prefixes(drawing)
        length = len(batch)
        padded = np.zeros((self.max_steps, *batch.shape[1:]), np.float32)  # one shape, one trace
        padded[:length] = batch
        return self._run(padded)[:length]


def first_sure_point(replay: np.ndarray) -> int | None:
    """The first point after which the final answer stays the model's top answer (1-based)."""
    final = int(np.argmax(replay[-1]))
    tops = replay.argmax(axis=1)
    wrong = np.flatnonzero(tops != final)
    first = int(wrong[-1]) + 2 if len(wrong) else 1
    return first if first <= len(replay) else None


def reader_for(model, jit_compile: bool = True) -> PenReader:
    """The cached :class:`PenReader` of ``model`` (one per model object, made once)."""
    with _READERS_LOCK:
        reader = _READERS.get(id(model))
        if reader is None or reader.model is not model:
            reader = _READERS[id(model)] = PenReader(model, jit_compile)
        return reader


def latency(model, drawing, calls: int = 200) -> dict:
    """Median and 95th percentile milliseconds, stroke -> pipeline -> probabilities, of our
    compiled reader (with and without XLA) and of raw ``predict_on_batch``."""
    def timed(fn) -> dict:
        fn()  # warm up: tracing and compiling are not per-stroke costs
        fn()
        seconds = []
        for _ in range(calls):
            start = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - start)
        ms = np.array(seconds) * 1000
        return {"median_ms": round(float(np.median(ms)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3)}

    xla, plain = PenReader(model, jit_compile=True), PenReader(model, jit_compile=False)
    pipeline = lambda: strokes.to_sequence(drawing)
    return {
        "pipeline_only": timed(pipeline),
        "tf_function_jit": timed(lambda: xla.probabilities(pipeline())),
        "tf_function": timed(lambda: plain.probabilities(pipeline())),
        "predict_on_batch": timed(lambda: model.predict_on_batch(pipeline().rows[None])),
        "replay_tf_function_jit": timed(lambda: xla.replay(pipeline())),
    }


def main(argv=None) -> int:
    import json
    from pathlib import Path

    from models import store

    parser = argparse.ArgumentParser(prog="python -m models.probes.pen", description="pen model latency")
    parser.add_argument("models", nargs="+", help=".keras files of pen models")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--strokes", default=str(Path(__file__).resolve().parents[1] / "tests" / "data" /
                                                 "canvas_stroke_four.json"), help="canvas json_data or stroke file")
    args = parser.parse_args(argv)
    data = json.loads(Path(args.strokes).read_text())
    drawing = data["strokes"] if "strokes" in data else strokes.strokes_from_canvas_json(data)
    for path in args.models:
        model = store.load_model(path)
        print(Path(path).stem, json.dumps(latency(model, drawing, args.calls)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
