"""CIFAR-10: 60,000 small RGB photos (32x32) of ten kinds of object, 50,000 for training.

Read from ``<data dir>/cifar10.npz`` (keys ``x_train``, ``y_train``, ``x_test``, ``y_test`` as
uint8, ``class_names``) with ``np.load``. When it is missing, the official
``cifar-10-python.tar.gz`` (163 MB) is downloaded with a progress bar and converted once into
the same layout. The official batches are Python pickles; they are read with an unpickler
that refuses everything except the three NumPy functions that rebuild an array, so a
tampered download cannot run code.
"""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from data import catalog, sources
from data.dataset import Dataset, split_validation

OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_BATCH = "test_batch"


class _ArraysOnly(pickle.Unpickler):
    """Unpickles dicts, lists, bytes, numbers and NumPy arrays; refuses any other global.
    (``_codecs.encode`` is how a Python 3 pickle of protocol 2 spells a bytes object.)"""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refused to load {module}.{name} from a CIFAR-10 batch")
        if name == "_reconstruct":
            from numpy._core.multiarray import _reconstruct

            return _reconstruct
        if module == "_codecs":
            import codecs

            return codecs.encode
        return getattr(np, name)


def read_batch(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """One official batch -> (N, 32, 32, 3) uint8 images and (N,) labels. Each row of the
    batch is 1,024 red, then 1,024 green, then 1,024 blue values, row by row."""
    batch = _ArraysOnly(io.BytesIO(raw), encoding="bytes").load()
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(f"unexpected CIFAR-10 batch layout: data {data.shape}, {len(labels)} labels")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def convert_archive(archive: Path, target: Path) -> None:
    """The official tarball -> our ``cifar10.npz`` (written beside, then moved in place)."""
    parts: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            name = Path(member.name).name
            if member.isfile() and name in (*TRAIN_BATCHES, TEST_BATCH):
                parts[name] = tar.extractfile(member).read()
    missing = [n for n in (*TRAIN_BATCHES, TEST_BATCH) if n not in parts]
    if missing:
        raise ValueError(f"the CIFAR-10 archive lacks {', '.join(missing)}")
    train = [read_batch(parts[n]) for n in TRAIN_BATCHES]
    x_test, y_test = read_batch(parts[TEST_BATCH])
    part = target.with_name(target.name + ".part.npz")
    np.savez_compressed(part, x_train=np.concatenate([x for x, _ in train]),
                        y_train=np.concatenate([y for _, y in train]), x_test=x_test, y_test=y_test,
                        class_names=np.array(catalog.get(catalog.CIFAR10).class_names))
    part.replace(target)


def build_npz(tmp: Path, target: Path, progress) -> None:
    archive = sources.download(OFFICIAL_URL, tmp / "cifar-10-python.tar.gz", progress)
    convert_archive(archive, target)


def load(progress=None, allow_download: bool = True):
    """``(x_train, y_train), (x_test, y_test)``: uint8 photos (N, 32, 32, 3) and labels."""
    path = sources.ensure(catalog.CIFAR10_FILE, progress, allow_download)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_test(progress=None, allow_download: bool = True):
    """Only the test photos and labels (the Photo and Compare pages need no more)."""
    path = sources.ensure(catalog.CIFAR10_FILE, progress, allow_download)
    with np.load(path, allow_pickle=False) as f:
        return f["x_test"], f["y_test"]


def dataset(progress=None, train_limit: int | None = None) -> Dataset:
    """Training, validation (the last 5,000 training photos) and test photos, uint8 0-255:
    the models scale the pixels themselves."""
    (x_train, y_train), (x_test, y_test) = load(progress)
    x_fit, y_fit, x_val, y_val = split_validation(x_train, y_train.astype("int32"), train_limit)
    return Dataset(catalog.CIFAR10, x_fit, y_fit, x_val, y_val, x_test, y_test.astype("int32"),
                   sources.sha256_of(sources.ensure(catalog.CIFAR10_FILE, allow_download=False)),
                   list(catalog.get(catalog.CIFAR10).class_names))
