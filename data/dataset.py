"""The one shape every dataset takes on its way to training: train / validation / test arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Dataset:
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    sha256: str  # of the data file(s) used (or of a generated wave's settings), recorded in the metadata
    class_names: list[str] | None  # None for regression


VALIDATION_SIZE = 5000  # the last 5,000 training examples; the test set is never seen in training


def split_validation(x, y, train_limit: int | None = None):
    """The last VALIDATION_SIZE training examples become the validation set; ``train_limit``
    keeps only the first N of the rest (and a fifth as many, at least 100, for validation)."""
    x_fit, y_fit = x[:-VALIDATION_SIZE], y[:-VALIDATION_SIZE]
    x_val, y_val = x[-VALIDATION_SIZE:], y[-VALIDATION_SIZE:]
    if train_limit:
        x_fit, y_fit = x_fit[:train_limit], y_fit[:train_limit]
        x_val, y_val = x_val[: max(train_limit // 5, 100)], y_val[: max(train_limit // 5, 100)]
    return x_fit, y_fit, x_val, y_val


def subset(full: Dataset, train_limit: int | None) -> Dataset:
    """The first ``train_limit`` training examples of an already loaded data set (and a fifth
    as many, at least 100, for validation); the test set stays whole."""
    if not train_limit:
        return full
    n_val = max(train_limit // 5, 100)
    return Dataset(full.name, full.x_train[:train_limit], full.y_train[:train_limit], full.x_val[:n_val],
                   full.y_val[:n_val], full.x_test, full.y_test, full.sha256, full.class_names)
