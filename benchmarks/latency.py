"""Latency of the Draw page's server-side path: preprocess a 280x280 canvas + all MNIST models.

    python -m benchmarks.latency [--calls 200]

Prints median and p95 in milliseconds for: preprocessing alone, each model's compiled call,
and the whole path (what one stroke costs the server).
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


def main() -> None:
    from data import digits
    from models import inference, registry, store

    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    canvas = canvas_seven()[..., :3]
    predictors = {s.key: inference.Predictor(store.load_pretrained(s.key)).warm_up()
                  for s in registry.for_dataset("mnist")}
    image = digits.to_mnist(canvas)
    rows = [("preprocess (280x280 canvas -> 28x28)", timed(lambda: digits.to_mnist(canvas), args.calls))]
    for key, p in predictors.items():
        rows.append((f"{key} compiled call", timed(lambda p=p: p(image[None]), args.calls)))
        model = p.model
        rows.append((f"{key} predict_on_batch (raw Keras)", timed(lambda m=model: m.predict_on_batch(image[None]),
                                                                  args.calls)))
    rows.append(("whole path: preprocess + all models",
                 timed(lambda: inference.predict_each(predictors, digits.to_mnist(canvas)), args.calls)))
    print(f"{'what':48s} {'median ms':>10s} {'p95 ms':>8s}   ({args.calls} calls each)")
    for name, t in rows:
        print(f"{name:48s} {np.median(t):10.2f} {np.percentile(t, 95):8.2f}")


if __name__ == "__main__":
    main()
