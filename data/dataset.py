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
