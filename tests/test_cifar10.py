"""CIFAR-10: the official archive's converter (on a tiny archive made here) and the real file."""

from __future__ import annotations

import io
import pickle
import tarfile

import numpy as np
import pytest

from data import catalog, cifar10
from tests.conftest import require


def _batch(n: int, seed: int) -> tuple[bytes, np.ndarray, np.ndarray]:
    """A batch in the official layout (a Python-2 style dict of bytes keys) and what it holds."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, n)
    rows = images.transpose(0, 3, 1, 2).reshape(n, 3072)  # 1,024 red, 1,024 green, 1,024 blue
    batch = {b"batch_label": b"test", b"labels": [int(v) for v in labels], b"data": rows,
             b"filenames": [b"x.png"] * n}
    return pickle.dumps(batch, protocol=2), images, labels


def _archive(path, names=(*cifar10.TRAIN_BATCHES, cifar10.TEST_BATCH)):
    expected = {}
    with tarfile.open(path, "w:gz") as tar:
        for i, name in enumerate(names):
            raw, images, labels = _batch(3, i)
            expected[name] = (images, labels)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return expected


def test_converter_reads_the_official_layout(tmp_path):
    expected = _archive(tmp_path / "cifar.tar.gz")
    cifar10.convert_archive(tmp_path / "cifar.tar.gz", tmp_path / "cifar10.npz")
    with np.load(tmp_path / "cifar10.npz", allow_pickle=False) as f:
        assert f["x_train"].shape == (15, 32, 32, 3) and f["x_test"].shape == (3, 32, 32, 3)
        np.testing.assert_array_equal(f["x_train"][:3], expected["data_batch_1"][0])
        np.testing.assert_array_equal(f["x_train"][12:], expected["data_batch_5"][0])
        np.testing.assert_array_equal(f["y_test"], expected["test_batch"][1])
        assert list(f["class_names"]) == list(catalog.get(catalog.CIFAR10).class_names)


def test_converter_refuses_an_incomplete_archive(tmp_path):
    _archive(tmp_path / "part.tar.gz", names=("data_batch_1",))
    with pytest.raises(ValueError, match="lacks"):
        cifar10.convert_archive(tmp_path / "part.tar.gz", tmp_path / "cifar10.npz")
    assert not (tmp_path / "cifar10.npz").exists()


def test_a_batch_that_would_run_code_is_refused():
    class Exploit:
        def __reduce__(self):
            import os

            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError, match="refused"):
        cifar10.read_batch(pickle.dumps({b"data": Exploit(), b"labels": []}, protocol=2))


@pytest.fixture(scope="module")
def cifar_path():
    return require("cifar10.npz")


def test_real_file_has_the_official_shape_and_counts(cifar_path):
    (x_train, y_train), (x_test, y_test) = cifar10.load(allow_download=False)
    assert x_train.shape == (50000, 32, 32, 3) and x_test.shape == (10000, 32, 32, 3)
    assert x_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [5000] * 10 and np.bincount(y_test).tolist() == [1000] * 10
    data = cifar10.dataset(train_limit=1000)
    assert data.x_train.shape == (1000, 32, 32, 3) and len(data.x_val) == 200 and len(data.x_test) == 10000
