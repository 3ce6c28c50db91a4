"""The negation suite: minimal pairs of everyday sentences ("good" / "not good") that a review
model must read both ways round.

``tests/data/negation.tsv`` has the columns ``pair_id``, ``text``, ``label`` (1 positive,
0 negative); each pair is two lines with the same ``pair_id`` and opposite labels. A model gets
a pair right only when it gets both of its sentences right, so a model that calls everything
positive scores 0, not 50%.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "tests" / "data" / "negation.tsv"


def load_pairs(path: str | Path = DEFAULT_PATH) -> dict[str, list[tuple[str, int]]]:
    """``pair_id -> [(text, label), (text, label)]`` in file order; checks the file's shape."""
    pairs: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        if reader.fieldnames != ["pair_id", "text", "label"]:
            raise ValueError(f"{path}: columns must be pair_id, text, label (got {reader.fieldnames})")
        for row in reader:
            if row["label"] not in ("0", "1") or not row["text"].strip():
                raise ValueError(f"{path}: bad row {row}")
            pairs[row["pair_id"]].append((row["text"], int(row["label"])))
    for pair_id, rows in pairs.items():
        if len(rows) != 2 or {label for _, label in rows} != {0, 1}:
            raise ValueError(f"{path}: pair {pair_id} must be two sentences with opposite labels")
    return dict(pairs)


def score_pairs(predict_fn: Callable[[Sequence[str]], Sequence[float]], path: str | Path = DEFAULT_PATH,
                return_wrong: bool = False):
    """``(pairs with both sentences right, pairs)``; ``predict_fn`` maps texts to P(positive).
    With ``return_wrong``, also the ids of the pairs missed."""
    pairs = load_pairs(path)
    texts = [text for rows in pairs.values() for text, _ in rows]
    labels = [label for rows in pairs.values() for _, label in rows]
    correct = [(float(p) > 0.5) == bool(y) for p, y in zip(predict_fn(texts), labels, strict=True)]
    right, wrong = 0, []
    for i, pair_id in enumerate(pairs):
        if correct[2 * i] and correct[2 * i + 1]:
            right += 1
        else:
            wrong.append(pair_id)
    return (right, len(pairs), wrong) if return_wrong else (right, len(pairs))
