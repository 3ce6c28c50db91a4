"""How well do the models read digits drawn on a canvas rather than scanned?

MNIST's test digits come from writers who are not in the training set. Each one is redrawn
the way a student's mouse drawing arrives: enlarged onto a 280x280 black canvas, turned into
a solid white pen stroke, drawn at a random size and position with a random pen width, and
saved as an 8-bit PNG. The files then go through ``python -m models predict`` exactly as the
hidden check does.

    python -m benchmarks.drawn_digits --n 1000 [--model mnist_cnn] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
CANVAS = 280


def canvas_drawing(image28: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """One MNIST digit redrawn as a canvas stroke: white on black, random size, place, pen."""
    height = int(rng.integers(110, 260))  # how tall the student draws it
    big = Image.fromarray(image28).resize((height, height), Image.Resampling.BICUBIC)
    stroke = big.point(lambda v: 255 if v > 100 else 0)  # a solid pen, no grey pencil edges
    pen = int(rng.choice([1, 3, 5, 7, 9]))  # thinner or thicker than the scanned ink
    stroke = stroke.filter(ImageFilter.MaxFilter(pen) if rng.random() < 0.6 else ImageFilter.MinFilter(min(pen, 5)))
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    x = int(rng.integers(0, CANVAS - height + 1))
    y = int(rng.integers(0, CANVAS - height + 1))
    canvas.paste(stroke, (x, y))
    return canvas.convert("RGB")


def write_drawings(x: np.ndarray, folder: Path, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    files = []
    for i, image in enumerate(x):
        path = folder / f"drawn_{i:05d}.png"
        canvas_drawing(image, rng).save(path)
        files.append(str(path))
    return files


def accuracy_via_cli(model: str, files: list[str], labels: np.ndarray) -> float:
    proc = subprocess.run([sys.executable, "-m", "models", "predict", model, *files, "--json"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr)
    predicted = {r["file"]: r["label"] for r in json.loads(proc.stdout)}
    return float(np.mean([predicted.get(f, -1) == y for f, y in zip(files, labels)]))


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from data import mnist, sources

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--model", action="append")
    parser.add_argument("--keep", help="keep the PNGs in this folder")
    parser.add_argument("--save", action="store_true",
                        help="write benchmarks/results/drawn_digits.json (the README's figures come from it)")
    args = parser.parse_args()
    try:
        x_test, y_test = mnist.load_test()
    except sources.DataUnavailable as error:
        sys.exit(f"error: {error}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = write_drawings(x_test[: args.n], folder)
        accuracies = {}
        for model in args.model or ["mnist_cnn", "mnist_lstm", "mnist_gru", "mnist_rnn"]:
            accuracies[model] = acc = accuracy_via_cli(model, files, y_test[: args.n])
            print(f"{model}: {acc:.2%} of {args.n} canvas-style drawings")
    if args.save:
        from benchmarks import provenance

        provenance.save("drawn_digits", {"n": args.n, "accuracy": accuracies})


if __name__ == "__main__":
    main()
