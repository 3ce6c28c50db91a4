"""The data directory: where files are looked for, and what a user is told when one is missing."""

import pytest

from data import mnist, sources


@pytest.fixture
def empty_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "data").mkdir()
    return tmp_path


def test_the_variable_comes_before_the_user_cache(empty_dirs):
    assert sources.data_dirs() == [empty_dirs / "data", empty_dirs / "cache" / "cnn-rnn-lstm-explorer"]
    (empty_dirs / "data" / "mnist.npz").write_bytes(b"x")
    assert sources.find("mnist.npz") == empty_dirs / "data" / "mnist.npz"


def test_missing_file_without_download_names_the_variable_and_file(empty_dirs):
    with pytest.raises(sources.DataUnavailable) as error:
        sources.ensure(mnist.MNIST, allow_download=False)
    message = str(error.value)
    assert "mnist.npz" in message and sources.DATA_DIR_VARIABLE in message
    assert "could not be downloaded" not in message  # nothing was tried


def test_failed_download_says_why_and_leaves_no_partial_file(empty_dirs):
    dataset = sources.DatasetFile("mnist.npz", "MNIST", "http://127.0.0.1:9/mnist.npz")  # nothing listens there
    with pytest.raises(sources.DataUnavailable, match="could not be downloaded"):
        sources.ensure(dataset)
    cache = empty_dirs / "cache" / "cnn-rnn-lstm-explorer"
    assert not cache.exists() or list(cache.iterdir()) == []
