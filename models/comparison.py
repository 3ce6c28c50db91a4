"""Everything the Compare page shows, computed from saved results: no TensorFlow, no Streamlit.

A :class:`ModelResult` is one trained model as the page sees it: its metadata (history, test
accuracy, confusion matrix, layers) and, when available, its per-example test predictions. The
shipped models' results come from ``pretrained/``; a student's run from the Train page
produces the same shape, so it sits next to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data import catalog
from models import metrics, registry

RECURRENT_TYPES = {"SimpleRNN", "LSTM", "GRU"}


def groups() -> dict[tuple[str, str], str]:
    """What the Compare page offers: (task, registry group) -> its title. Every classification
    task with registered models, its main models first, then the other groups (experiments)."""
    out = {}
    for group in ("main", *registry.GROUP_TITLES):
        for task in catalog.TASKS.values():
            compared = task.num_classes or task.task_type == "language_model"  # curves only, no matrix
            # A task that measures another task's models (SST-2 sentences for the IMDB review models)
            # is a group of those models, on its own test set.
            if compared and registry.for_dataset(task.measures_models_of or task.key, group):
                out[(task.key, group)] = task.title if group == "main" else registry.GROUP_TITLES[group]
    return out


@dataclass
class ModelResult:
    key: str
    title: str
    dataset: str
    metadata: dict
    predictions: dict | None = None  # {"predicted": int array, "confidence": float array}
    source: str = "shipped"  # or "your run"
    builder_args: dict | None = None

    @property
    def confusion(self) -> np.ndarray | None:
        matrix = self.metadata.get("confusion_matrix")
        return None if matrix is None else np.asarray(matrix)

    @property
    def label(self) -> str:
        """A unique name for charts (a student's run says so)."""
        return self.title if self.source == "shipped" else f"{self.title} · {self.source}"


def shipped_results(dataset: str, group: str = "main") -> list[ModelResult]:
    """The shipped models of one group that have metadata with a confusion matrix (a language
    model: with its bits per character)."""
    from models import store

    task = catalog.TASKS.get(dataset)
    if task is not None and task.measures_models_of:
        return _results_on(task, group)
    results = []
    for spec in registry.for_dataset(dataset, group):
        meta = registry.load_metadata(spec.key)
        measured = meta and ("confusion_matrix" in meta or "test_bits_per_character" in meta)
        if not measured or not spec.pretrained_path.is_file():
            continue
        predictions = store.read_predictions(spec.predictions_path)
        if predictions is not None and len(predictions.get("predicted", [])) != meta.get("test_n"):
            predictions = None  # written for another model version: better none than wrong
        results.append(ModelResult(spec.key, spec.title, dataset, meta, predictions,
                                   builder_args=meta.get("builder_args") or spec.builder_args))
    return results


# What a model's results on another task's test set replace in its metadata.
MEASURED_KEYS = ("test_n", "test_accuracy", "confusion_matrix", "class_names")


def _results_on(task: catalog.Task, group: str) -> list[ModelResult]:
    """Another task's models measured on ``task``'s test set (``python -m models evaluate KEY
    --on TASK --write-predictions``): their metadata with the test figures of that test set
    (history, size and layers stay the model's own)."""
    from models import store

    results = []
    for spec in registry.for_dataset(task.measures_models_of, group):
        meta = registry.load_metadata(spec.key)
        measured = registry.load_evaluation(spec.key, task.key)
        if not meta or not measured or "confusion_matrix" not in measured or not spec.pretrained_path.is_file():
            continue
        merged = {**meta, **{k: measured[k] for k in MEASURED_KEYS if k in measured}, "measured_on": task.key}
        predictions = store.read_predictions(spec.evaluation_predictions_path(task.key))
        if predictions is not None and len(predictions.get("predicted", [])) != merged.get("test_n"):
            predictions = None
        results.append(ModelResult(spec.key, spec.title, task.key, merged, predictions,
                                   builder_args=meta.get("builder_args") or spec.builder_args))
    return results


def unmeasured(dataset: str, group: str = "main") -> list[str]:
    """The models a task that measures another task's models has no saved results for (keys)."""
    task = catalog.get(dataset)
    if not task.measures_models_of:
        return []
    done = {r.key for r in _results_on(task, group)}
    return [s.key for s in registry.for_dataset(task.measures_models_of, group) if s.key not in done]


def summary_frame(results: list[ModelResult]) -> pd.DataFrame:
    """One row per model: accuracy, size, training cost."""
    rows = []
    for r in results:
        m = r.metadata
        seconds = m.get("seconds_per_epoch") or []
        rows.append({
            "model": r.label,
            "test accuracy": m.get("test_accuracy"),
            "parameters": m.get("params"),
            "epochs": m.get("epochs"),
            "training time (s)": round(float(sum(seconds)), 1) if seconds else None,
            "s / epoch": round(float(np.median(seconds)), 1) if seconds else None,
            "test examples": m.get("test_n"),
        })
    return pd.DataFrame(rows)


def confusion_frame(results: list[ModelResult], class_names: list[str], normalise: bool) -> pd.DataFrame:
    """Long format for the heatmaps: model, true, predicted, count, share (of the true class),
    and ``value`` (what the colour shows: the count or the share)."""
    rows = []
    for r in results:
        counts = r.confusion
        if counts is None:
            continue
        shares = metrics.row_normalised(counts)
        for t, true_name in enumerate(class_names):
            for p, predicted_name in enumerate(class_names):
                rows.append({"model": r.label, "true": true_name, "predicted": predicted_name,
                             "count": int(counts[t, p]), "share": float(shares[t, p]),
                             "value": float(shares[t, p] if normalise else counts[t, p]),
                             "correct": t == p})
    return pd.DataFrame(rows)


def curves_frame(results: list[ModelResult]) -> pd.DataFrame:
    """Every model's training history in long format: model, epoch, metric, split, value."""
    rows = []
    for r in results:
        for name, values in (r.metadata.get("history") or {}).items():
            split = "validation" if name.startswith("val_") else "train"
            metric = name.removeprefix("val_")
            if metric not in ("loss", "accuracy", "bits_per_character"):
                continue
            rows.extend({"model": r.label, "epoch": i + 1, "metric": metric, "split": split, "value": float(v)}
                        for i, v in enumerate(values))
    return pd.DataFrame(rows, columns=["model", "epoch", "metric", "split", "value"])


def architecture_row(result: ModelResult) -> dict:
    """A row of the architectures table, in the style of the course material: architecture,
    units, layers, dropout, train and test accuracy, epochs to converge."""
    m = result.metadata
    layers = m.get("layers") or []
    recurrent, units, kinds = [], [], []
    for layer in layers:
        kind = layer.get("type")
        shape = layer.get("output_shape") or []
        if kind in RECURRENT_TYPES or kind == "Bidirectional":
            recurrent.append(layer)
            units.append(shape[-1] if shape else None)
            kinds.append(kind)
        elif kind in ("Conv2D", "Dense"):
            units.append(shape[-1] if shape else None)
            kinds.append(kind)
    dropout_rates = _dropout_rates(result.builder_args or {})
    history = m.get("history") or {}
    converged = m.get("converged_epoch")
    epochs = m.get("epochs")
    threshold = m.get("convergence_threshold")
    if threshold is None and result.key in registry.MODELS:
        threshold = registry.MODELS[result.key].convergence_threshold
    if converged:
        convergence = str(converged)
    elif threshold:
        convergence = f"not within {epochs}"
    else:
        convergence = f"— (fixed {epochs})"
    return {
        "model": result.label,
        "architecture": " > ".join(_layer_word(layer) for layer in layers if _layer_word(layer)),
        "units": " / ".join(str(u) for u in units if u is not None),
        "recurrent layers": len(recurrent),
        "dropout": ", ".join(f"{d:g}" for d in dropout_rates) or "none",
        "parameters": m.get("params"),
        "train accuracy": (history.get("accuracy") or [None])[-1],
        "test accuracy": m.get("test_accuracy"),
        "epochs to converge": convergence,
    }


def _dropout_rates(args: dict) -> list[float]:
    rates = []
    for name in ("dropout", "embed_dropout", "input_dropout"):
        value = args.get(name)
        if isinstance(value, list | tuple):
            rates.extend(v for v in value if v)
        elif value:
            rates.append(value)
    return rates


def _layer_word(layer: dict) -> str | None:
    """A short name for a layer in the architecture column (input and shape-only layers left out)."""
    kind, shape = layer.get("type"), layer.get("output_shape") or []
    width = shape[-1] if shape else "?"
    if kind in RECURRENT_TYPES:
        return f"{kind}({width})"
    if kind == "Bidirectional":
        return f"BiLSTM({width // 2 if isinstance(width, int) else width})"
    if kind == "Conv2D":
        return f"Conv({width})"
    if kind == "Dense":
        return f"Dense({width})"
    if kind == "Embedding":
        return f"Embedding({width})"
    if kind in ("Dropout", "SpatialDropout1D"):
        return "Dropout"
    return None


def architecture_frame(results: list[ModelResult]) -> pd.DataFrame:
    return pd.DataFrame([architecture_row(r) for r in results])


def cell_counts(results: list[ModelResult], true_class: int, predicted_class: int) -> pd.DataFrame:
    """How many test examples each model puts in one cell."""
    return pd.DataFrame([{"model": r.label, "count": int(r.confusion[true_class, predicted_class])}
                         for r in results if r.confusion is not None])
