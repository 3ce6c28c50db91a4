"""What a confusion matrix says, class by class. NumPy only: no TensorFlow, no Streamlit.

A confusion matrix has the true class in rows and the predicted class in columns, so for
class k:

    precision_k = C[k, k] / sum_i C[i, k]   (of everything called k, how much really was k)
    recall_k    = C[k, k] / sum_j C[k, j]   (of every real k, how much was found)
    F1_k        = 2 · precision_k · recall_k / (precision_k + recall_k)
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def row_normalised(confusion: np.ndarray) -> np.ndarray:
    """Each row divided by its total: the share of each true class given each answer."""
    confusion = np.asarray(confusion, dtype=float)
    totals = confusion.sum(axis=1, keepdims=True)
    return np.divide(confusion, totals, out=np.zeros_like(confusion), where=totals > 0)


def per_class_report(confusion: np.ndarray, class_names: list[str]) -> pd.DataFrame:
    """Precision, recall, F1 and support of every class (a class never predicted has
    precision 0, not NaN)."""
    confusion = np.asarray(confusion, dtype=float)
    correct = np.diag(confusion)
    predicted = confusion.sum(axis=0)
    actual = confusion.sum(axis=1)
    precision = np.divide(correct, predicted, out=np.zeros_like(correct), where=predicted > 0)
    recall = np.divide(correct, actual, out=np.zeros_like(correct), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(correct), where=both > 0)
    return pd.DataFrame({"class": list(class_names), "precision": precision, "recall": recall, "F1": f1,
                         "support": actual.astype(int)})


def accuracy(confusion: np.ndarray) -> float:
    confusion = np.asarray(confusion)
    return float(np.trace(confusion) / confusion.sum()) if confusion.sum() else 0.0


def cell_examples(y_true: np.ndarray, predicted: np.ndarray, true_class: int, predicted_class: int) -> np.ndarray:
    """Indices of the test examples behind one confusion-matrix cell."""
    return np.flatnonzero((np.asarray(y_true) == true_class) & (np.asarray(predicted) == predicted_class))


def shared_mistakes(y_true: np.ndarray, predictions: dict[str, np.ndarray], true_class: int,
                    predicted_class: int) -> pd.DataFrame:
    """For one cell, which models put each example there: a row per example that at least one
    model puts in the cell, a True/False column per model, sorted so the examples most models
    share come first."""
    in_cell = {name: (np.asarray(y_true) == true_class) & (np.asarray(p) == predicted_class)
               for name, p in predictions.items()}
    if not in_cell:
        return pd.DataFrame()
    anyone = np.logical_or.reduce(list(in_cell.values()))
    index = np.flatnonzero(anyone)
    table = pd.DataFrame({name: mask[index] for name, mask in in_cell.items()}, index=index)
    table["models"] = table.sum(axis=1)
    return table.sort_values("models", ascending=False, kind="stable")
