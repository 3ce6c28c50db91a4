"""Predict paths of the pages against raw Keras ``predict_on_batch`` of the same models.

Measured side by side, interleaved call by call (ours, then the baseline, then ours...) so
that a noisy neighbour slows both alike:

* **draw**: a 280×280 canvas -> preprocessing -> every MNIST model (what one stroke costs the
  server); baseline: the same preprocessing, then ``predict_on_batch`` of each model.
* **review**: what the Review page computes for a 203-word review of 11 sentences: every IMDB
  model's final answer and word-by-word trajectory, the word that moved it most, and each
  sentence's verdict (sentence by sentence); baseline: ``predict_on_batch`` computing the same
  outputs (the words to ids, then the same per-word sub-model or prefix batch and the sentences'
  batch, uncompiled; the answer is the last point).
* **review_sentence**: the same path for a one-sentence review (no sentence-by-sentence view).
* **gates**: the LSTM gate recomputation for one input (the MNIST LSTM on a digit, the sine
  LSTM on a window); baseline: ``predict_on_batch`` of the same model on that input.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.latency import REVIEW_200, REVIEW_SENTENCE, canvas_seven


def side_by_side(ours, baseline, calls: int, warmup: int = 5) -> dict:
    for _ in range(warmup):
        ours()
        baseline()
    a, b = np.empty(calls), np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        ours()
        a[i] = time.perf_counter() - start
        start = time.perf_counter()
        baseline()
        b[i] = time.perf_counter() - start
    return summarise(a * 1000, b * 1000, "ms")


def summarise(ours: np.ndarray, baseline: np.ndarray, unit: str) -> dict:
    med, base_med = float(np.median(ours)), float(np.median(baseline))
    return {"unit": unit, "n": int(len(ours)),
            "median": round(med, 3), "p95": round(float(np.percentile(ours, 95)), 3),
            "baseline_median": round(base_med, 3), "baseline_p95": round(float(np.percentile(baseline, 95)), 3),
            "ratio": round(med / base_med, 3) if base_med else None}


def draw(calls: int) -> dict:
    from data import catalog, digits
    from models import registry, store
    from models.probes import compiled

    canvas = canvas_seven()[..., :3]
    predictors = {s.key: compiled.Predictor(store.load_pretrained(s.key)).warm_up()
                  for s in registry.for_dataset(catalog.MNIST)}

    def ours():
        compiled.predict_each(predictors, digits.to_mnist(canvas))

    def baseline():
        batch = digits.to_mnist(canvas)[None].astype(np.float32)
        for p in predictors.values():
            p.model.predict_on_batch(batch)

    return side_by_side(ours, baseline, calls)


def review(calls: int, text: str = REVIEW_200) -> dict:
    from data import catalog, sentences
    from models import registry, store
    from models.probes import reviews

    readers = {s.key: reviews.SentimentReader(store.load_pretrained(s.key)).warm_up()
               for s in registry.for_dataset(catalog.IMDB)}
    batch = reviews.as_model_input([text])
    several = len(sentences.split_sentences(text)) > 1  # the page's sentence-by-sentence view

    def ours():  # as pages/review.py computes it
        readings = reviews.read_review(readers, text)
        for reading in readings.values():
            reviews.biggest_move(reading.trajectory, reading.tokens.read_words)
        if several:
            reviews.sentence_verdicts(readers, text)

    cut = sentences.split_sentences(text)
    sentence_batch = reviews.as_model_input(cut)

    def baseline():
        for reader in readers.values():
            # The final answer is the trajectory's last point, as in ours.
            ids = np.asarray(reader.words_to_ids(batch))[0]
            n = int((ids != 0).sum())
            padded = np.zeros(reader.sequence_length, np.int64)
            padded[:n] = ids[:n]
            if reader.steps_model is not None:  # the trajectory: the per-word model, uncompiled
                reader.steps_model.predict_on_batch(padded[None])
            else:
                prefixes = np.tril(np.ones((n, n), np.int64)) * padded[None, :n]
                reader.prefix_model.predict_on_batch(prefixes)
            if several:  # every sentence, the padding cut after the longest one as in ours
                ids = np.asarray(reader.words_to_ids(sentence_batch))
                reader.any_length_model.predict_on_batch(ids[:, :max(1, int((ids != 0).sum(axis=1).max()))])

    result = side_by_side(ours, baseline, calls)
    result.update(words=len(reviews.clean_words(text)), sentences=len(cut))
    return result


def gates(calls: int) -> dict:
    from data import sequences
    from models import store
    from models.probes import gates as gate_maths

    lstm = store.load_pretrained("mnist_lstm")
    sine = store.load_pretrained("sine_lstm")
    views = {"mnist_lstm": gate_maths.GateView(lstm), "sine_lstm": gate_maths.GateView(sine)}
    digit = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    wave = sequences.make_windows(sequences.DEFAULTS["sine"]).x_test[0].astype(np.float32)
    for view in views.values():
        view(digit if view.model is lstm else wave)

    def ours():
        views["mnist_lstm"](digit)
        views["sine_lstm"](wave)

    def baseline():
        lstm.predict_on_batch(digit[None])
        sine.predict_on_batch(wave[None])

    return side_by_side(ours, baseline, calls)


def run(calls: int = 200) -> dict:
    return {"draw": draw(calls), "review": review(calls), "review_sentence": review(calls, REVIEW_SENTENCE),
            "gates": gates(calls)}
