"""MNIST and Fashion-MNIST: 28x28 grey images, labels 0-9.

Both load from ``<data dir>/mnist.npz`` / ``fashion_mnist.npz`` (keys ``x_train``, ``y_train``,
``x_test``, ``y_test``; uint8) with ``np.load``. A missing MNIST file is fetched from the
official Keras copy; Fashion-MNIST from its four official IDX files, converted once.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from data import catalog, sources
from data.dataset import Dataset, split_validation

KERAS_DATASETS = catalog.KERAS_DATASETS

DIGIT_NAMES = list(catalog.get(catalog.MNIST).class_names)


def _read_idx(path: Path) -> np.ndarray:
    """Decode one gzip'd IDX file (the format MNIST is published in)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def build_fashion(tmp: Path, target: Path, progress) -> None:
    arrays = {}
    for key, name in [("x_train", "train-images-idx3-ubyte.gz"), ("y_train", "train-labels-idx1-ubyte.gz"),
                      ("x_test", "t10k-images-idx3-ubyte.gz"), ("y_test", "t10k-labels-idx1-ubyte.gz")]:
        arrays[key] = _read_idx(sources.download(KERAS_DATASETS + name, tmp / name, progress))
    part = tmp / "fashion_mnist.npz"
    np.savez_compressed(part, **arrays)
    part.replace(target)


MNIST = catalog.MNIST_FILE
FASHION_MNIST = catalog.FASHION_MNIST_FILE
DATASETS = {catalog.MNIST: MNIST, catalog.FASHION_MNIST: FASHION_MNIST}  # task key -> its file


def load(name: str = catalog.MNIST, progress=None, allow_download: bool = True):
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like ``keras.datasets``."""
    path = sources.ensure(DATASETS[name], progress, allow_download)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_test(name: str = catalog.MNIST, progress=None, allow_download: bool = True):
    """Only the test split (the Draw and Compare pages need no more)."""
    path = sources.ensure(DATASETS[name], progress, allow_download)
    with np.load(path, allow_pickle=False) as f:
        return f["x_test"], f["y_test"]


def is_available(name: str = catalog.MNIST) -> bool:
    return sources.find(DATASETS[name].name) is not None


def file_sha256(name: str = catalog.MNIST) -> str:
    return sources.sha256_of(sources.ensure(DATASETS[name], allow_download=False))


def dataset(name: str, progress=None, train_limit: int | None = None) -> Dataset:
    """Training, validation (the last 5,000 training images) and test images scaled to [0, 1]."""
    (x_train, y_train), (x_test, y_test) = load(name, progress)
    sha = sources.sha256_of(sources.ensure(DATASETS[name], allow_download=False))
    x_fit, y_fit, x_val, y_val = split_validation(x_train.astype("float32") / 255.0, y_train.astype("int32"),
                                                  train_limit)
    return Dataset(name, x_fit, y_fit, x_val, y_val, x_test.astype("float32") / 255.0, y_test.astype("int32"),
                   sha, list(catalog.get(name).class_names))
