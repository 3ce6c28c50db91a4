"""MNIST and Fashion-MNIST: 28x28 grey images, labels 0-9.

Both load from ``<data dir>/mnist.npz`` / ``fashion_mnist.npz`` (keys ``x_train``, ``y_train``,
``x_test``, ``y_test``; uint8) with ``np.load``. A missing MNIST file is fetched from the
official Keras copy; Fashion-MNIST from its four official IDX files, converted once.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from data import sources

KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

DIGIT_NAMES = [str(d) for d in range(10)]
FASHION_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path: Path) -> np.ndarray:
    """Decode one gzip'd IDX file (the format MNIST is published in)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _build_fashion(tmp: Path, target: Path, progress) -> None:
    arrays = {}
    for key, name in [("x_train", "train-images-idx3-ubyte.gz"), ("y_train", "train-labels-idx1-ubyte.gz"),
                      ("x_test", "t10k-images-idx3-ubyte.gz"), ("y_test", "t10k-labels-idx1-ubyte.gz")]:
        arrays[key] = _read_idx(sources.download(KERAS_DATASETS + name, tmp / name, progress))
    part = tmp / "fashion_mnist.npz"
    np.savez_compressed(part, **arrays)
    part.replace(target)


MNIST = sources.DatasetFile("mnist.npz", "MNIST", KERAS_DATASETS + "mnist.npz")
FASHION_MNIST = sources.DatasetFile("fashion_mnist.npz", "Fashion-MNIST", KERAS_DATASETS, build=_build_fashion)
DATASETS = {"mnist": MNIST, "fashion_mnist": FASHION_MNIST}


def load(name: str = "mnist", progress=None, allow_download: bool = True):
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like ``keras.datasets``."""
    path = sources.ensure(DATASETS[name], progress, allow_download)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_test(name: str = "mnist", progress=None, allow_download: bool = True):
    """Only the test split (the Draw and Compare pages need no more)."""
    path = sources.ensure(DATASETS[name], progress, allow_download)
    with np.load(path, allow_pickle=False) as f:
        return f["x_test"], f["y_test"]


def is_available(name: str = "mnist") -> bool:
    return sources.find(DATASETS[name].name) is not None


def file_sha256(name: str = "mnist") -> str:
    return sources.sha256_of(sources.ensure(DATASETS[name], allow_download=False))
