"""What a shipped model learned from, and how well it reads each test set, in words for the pages.

Read from its metadata (``pretrained/KEY.json``) and the catalog, never written per model: a
retrained model says what it was trained on as soon as its metadata does. No TensorFlow.

A model's metadata may list its training data itself, as ``"training_data": {"IMDB reviews":
20000, "SST sentences": 6911}`` (what each part is, and how many examples of it); otherwise the
catalog's description of its task is used, with its ``train_size``.
"""

from __future__ import annotations

from dataclasses import dataclass

from data import catalog
from models import registry


@dataclass(frozen=True)
class TestScore:
    task: str  # the catalog task whose test set it is
    accuracy: float
    n: int
    description: str  # "all 25,000 IMDB test reviews"

    def __str__(self) -> str:
        return f"{self.accuracy:.1%} on {self.description}"


def trained_on(metadata: dict) -> str:
    """"IMDB movie reviews: long reviews ..., one label for the whole review (29,703 training
    examples)", from a model's metadata."""
    parts = metadata.get("training_data")
    if isinstance(parts, dict) and parts:
        return " + ".join(f"{int(n):,} {what}" for what, n in parts.items())
    task = catalog.TASKS.get(metadata.get("dataset"))
    what = (task.train_description or task.title) if task else str(metadata.get("dataset") or "unknown data")
    size = metadata.get("train_size")
    return f"{what} ({int(size):,} training examples)" if size else what


def test_scores(key: str) -> list[TestScore]:
    """The model's accuracy on its own test set, then on every other test set it was measured
    on (catalog tasks that measure its task's models), as saved: nothing is recomputed."""
    spec = registry.get(key)
    meta = registry.load_metadata(key) or {}
    scores = []
    own = catalog.TASKS.get(spec.dataset)
    if "test_accuracy" in meta and own:
        scores.append(TestScore(own.key, float(meta["test_accuracy"]), int(meta.get("test_n") or 0),
                                own.test_description))
    for task in catalog.TASKS.values():
        if task.measures_models_of != spec.dataset:
            continue
        saved = registry.load_evaluation(key, task.key)
        if saved and "test_accuracy" in saved:
            scores.append(TestScore(task.key, float(saved["test_accuracy"]), int(saved.get("test_n") or 0),
                                    task.test_description))
    return scores
