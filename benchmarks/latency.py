"""Latency of the pages' server-side predict paths.

    python -m benchmarks.latency [--calls 200] [--page draw|review|all]

Draw: preprocess a 280x280 canvas + all MNIST models (each model's compiled call, raw Keras
predict_on_batch, and the whole path: what one stroke costs the server).
Review: a 200-word review through all IMDB models, final answers plus word-by-word
trajectories (what one submitted review costs the server).
Prints median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def timed(fn, calls: int) -> np.ndarray:
    for _ in range(5):  # warm-up
        fn()
    out = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        fn()
        out[i] = (time.perf_counter() - start) * 1000
    return out


def canvas_seven() -> np.ndarray:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(img).line([(60, 50), (220, 50), (110, 230)], fill=(255, 255, 255, 255), width=22, joint="curve")
    return np.asarray(img)


REVIEW_200 = (
    "I went in expecting very little, and for the first half hour the film seemed to prove me right. The "
    "opening is slow, the dialogue is stiff and the lead actor looks lost. But then something changes. The "
    "story finds its heart when the two brothers meet again after twenty years, and from that scene on I "
    "was completely hooked. The photography is beautiful, the music never pushes too hard, and the supporting "
    "cast is excellent, especially the mother, who steals every scene she is in. It is not a perfect movie: "
    "the ending is rushed and one subplot about a stolen painting goes nowhere. Still, it is honest, warm and "
    "often very funny, and it left me thinking about my own family for days. I would not call it a "
    "masterpiece, but it is a small, good film that deserves a bigger audience than it got. Watch it with "
    "someone you love, ignore the first thirty minutes, and let it surprise you the way it surprised me. I "
    "have already recommended it to three friends, and two of them have told me they cried at the same scene "
    "I did, which says a lot about how well this quiet little story works."
)

# What students type in class: one short sentence (the Review page's other common case).
REVIEW_SENTENCE = "The acting was not good at all."


def review_rows(calls: int) -> list:
    from data import catalog
    from models import registry, store
    from models.probes import reviews

    readers = {s.key: reviews.SentimentReader(store.load_pretrained(s.key)).warm_up()
               for s in registry.for_dataset(catalog.IMDB)}
    words = len(reviews.clean_words(REVIEW_200))
    batch = reviews.as_model_input([REVIEW_200])
    rows = []
    for key, reader in readers.items():
        rows.append((f"{key} answer + trajectory",
                     timed(lambda k=key, r=reader: reviews.read_review({k: r}, REVIEW_200), calls)))
        rows.append((f"{key} predict_on_batch (raw Keras, answer only)",
                     timed(lambda m=reader.model: m.predict_on_batch(batch), calls)))
    rows.append((f"whole path: {words}-word review, all models + trajectories",
                 timed(lambda: reviews.read_review(readers, REVIEW_200), calls)))
    return rows


def draw_rows(calls: int) -> list:
    from data import catalog, digits
    from models import registry, store
    from models.probes import compiled

    canvas = canvas_seven()[..., :3]
    predictors = {s.key: compiled.Predictor(store.load_pretrained(s.key)).warm_up()
                  for s in registry.for_dataset(catalog.MNIST)}
    image = digits.to_mnist(canvas)
    rows = [("preprocess (280x280 canvas -> 28x28)", timed(lambda: digits.to_mnist(canvas), calls))]
    for key, p in predictors.items():
        rows.append((f"{key} compiled call", timed(lambda p=p: p(image[None]), calls)))
        model = p.model
        rows.append((f"{key} predict_on_batch (raw Keras)", timed(lambda m=model: m.predict_on_batch(image[None]),
                                                                  calls)))
    rows.append(("whole path: preprocess + all models",
                 timed(lambda: compiled.predict_each(predictors, digits.to_mnist(canvas)), calls)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--page", choices=["draw", "review", "all"], default="all")
    args = parser.parse_args()
    rows = []
    if args.page in ("draw", "all"):
        rows += draw_rows(args.calls)
    if args.page in ("review", "all"):
        rows += review_rows(args.calls)
    print(f"{'what':48s} {'median ms':>10s} {'p95 ms':>8s}   ({args.calls} calls each)")
    for name, t in rows:
        print(f"{name:48s} {np.median(t):10.2f} {np.percentile(t, 95):8.2f}")


if __name__ == "__main__":
    main()
