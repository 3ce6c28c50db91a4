"""Builders, training, saving: each registry model learns on a small slice, and a saved
model predicts exactly what the trained one did."""

import json

import numpy as np
import pytest

from models import registry, store
from models.training import loop

MNIST_KEYS = [spec.key for spec in registry.for_dataset("mnist")]


def test_registry_names_every_model_once_with_a_builder():
    from models import architectures

    assert len(MNIST_KEYS) == len(set(MNIST_KEYS)) >= 4
    for spec in registry.MODELS.values():
        assert hasattr(architectures, spec.builder), spec.key
        assert spec.pretrained_path.name == f"{spec.key}.keras"
    with pytest.raises(KeyError, match="known models"):
        registry.get("no_such_model")


@pytest.fixture(scope="module")
def small_mnist(mnist_path):
    data = loop.load_dataset("mnist", train_limit=1024)
    data.x_test, data.y_test = data.x_test[:500], data.y_test[:500]
    return data


@pytest.mark.parametrize("key", MNIST_KEYS)
def test_each_builder_learns_on_a_slice(key, small_mnist):
    """Two epochs on 1,024 digits: the epoch loss drops and metadata is complete."""
    result = loop.train(key, epochs=2, batch_size=64, dataset=small_mnist)
    losses = result.metadata["history"]["loss"]
    assert losses[1] < losses[0]
    assert result.metadata["test_n"] == 500
    cm = np.array(result.metadata["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 500
    assert result.metadata["test_accuracy"] == pytest.approx(np.trace(cm) / 500)
    assert len(result.metadata["seconds_per_epoch"]) == 2


def test_save_load_round_trip_is_identical(tmp_path, small_mnist):
    result = loop.train("mnist_cnn", epochs=1, dataset=small_mnist)
    model_path, meta_path = loop.save(result, tmp_path)
    loaded = store.load_model(model_path)
    x = small_mnist.x_test[:64]
    np.testing.assert_array_equal(np.asarray(result.model.predict_on_batch(x)), np.asarray(loaded.predict_on_batch(x)))
    assert json.loads(meta_path.read_text())["model"] == "mnist_cnn"
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist_cnn.json", "mnist_cnn.keras",
                                                          "mnist_cnn.predictions.npz"]
    # The per-example test predictions (for the Compare page) are the model's own answers.
    saved = store.read_predictions(tmp_path / "mnist_cnn.predictions.npz")
    answers = np.asarray(loaded.predict_on_batch(small_mnist.x_test)).argmax(axis=1)
    np.testing.assert_array_equal(saved["predicted"], answers)
    assert len(saved["confidence"]) == len(small_mnist.x_test)


def test_saved_file_has_no_optimizer_state(tmp_path, small_mnist):
    import zipfile

    result = loop.train("mnist_lstm", epochs=1, dataset=small_mnist)
    path = store.save_model(result.model, tmp_path / "m.keras")
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
        weights = z.getinfo("model.weights.h5").file_size
    assert not config.get("compile_config")
    # Only the weights are stored: 4 bytes per parameter plus a little HDF5 bookkeeping.
    assert weights < 4 * result.model.count_params() * 1.2


def test_convergence_stop_fires_on_a_plateau():
    import keras

    stop = loop.ConvergenceStop(threshold=1e-4)
    stop.set_model(keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]))
    stop.model.stop_training = False  # fit() sets this; here we drive the callback by hand
    for epoch, loss in enumerate([0.9, 0.5, 0.30, 0.29995]):
        stop.on_epoch_end(epoch, {"loss": loss})
        assert stop.model.stop_training == (epoch == 3)
    assert stop.converged_epoch == 4


def test_damaged_model_file_is_reported_not_raised_as_a_crash(tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(store.ModelUnavailable, match="cannot be loaded"):
        store.load_model(bad)
    with pytest.raises(store.ModelUnavailable, match="missing"):
        store.load_model(tmp_path / "absent.keras")


def test_text_model_round_trip_keeps_its_vocabulary(tmp_path):
    """A saved review model reads raw text exactly as before saving (the vocabulary is state,
    not a weight, and must travel with the file)."""
    from models import architectures
    from models.probes import reviews

    texts = np.array(["a good film", "a bad film", "great acting", "boring plot"] * 3, dtype=object)
    model = architectures.imdb_recurrent(units=4, embed_dim=4, adapt_texts=texts, vocab_size=20, sequence_length=6)
    loaded = store.load_model(store.save_model(model, tmp_path / "r.keras"))
    assert loaded.get_layer("vectorize").get_vocabulary() == model.get_layer("vectorize").get_vocabulary()
    x = reviews.as_model_input(["a good film", "boring plot and bad acting", "zebra"])
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)


IMDB_KEYS = [spec.key for spec in registry.for_dataset("imdb")]


@pytest.fixture(scope="module")
def small_imdb(imdb_path):
    data = loop.load_dataset("imdb", train_limit=600)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(data.x_test), 300, replace=False)
    data.x_test, data.y_test = data.x_test[pick], data.y_test[pick]
    return data


@pytest.mark.parametrize("key", IMDB_KEYS)
def test_each_review_model_learns_on_a_slice(key, small_imdb):
    """Two epochs on 600 reviews (plus their snippets): the loss drops, the model reads raw text."""
    from models.probes import reviews

    result = loop.train(key, epochs=2, batch_size=32, dataset=small_imdb)
    losses = result.metadata["history"]["loss"]
    assert losses[1] < losses[0]
    assert np.array(result.metadata["confusion_matrix"]).sum() == 300
    assert result.metadata["embedding_warmup_epochs"] == registry.get(key).embedding_warmup_epochs
    p = np.asarray(result.model(reviews.as_model_input(["a wonderful film", "an awful film"])))
    assert p.shape == (2, 1) and np.all((0 <= p) & (p <= 1))
