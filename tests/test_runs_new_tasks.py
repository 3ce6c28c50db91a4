"""Train-page runs on the new tasks: the photo lab CNN's settings, and a quick writing run that
trains, reports a sample after every epoch and ends with bits per character."""

import numpy as np

from data import catalog, characters
from data.dataset import Dataset
from models.training import loop, portable, runs


def test_photo_presets_build_the_lab_cnn():
    lab = runs.PRESETS["Keras CIFAR-10 lab: CNN 32 > 64, dropout 0.5, 20 epochs, batch 128"].validate()
    spec = lab.to_spec("run")
    assert spec.builder == "cifar_cnn_lab" and spec.builder_args == {"filters": (32, 64), "dropout": 0.5}
    assert "Conv(32)+Pool > Conv(64)+Pool" in lab.describe() and "45,000 training examples" in lab.describe()
    model = spec.build()
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 10)
    quick = runs.PRESETS["Quick photo run: lab CNN, 2 epochs, 5,000 photos"].validate()
    assert quick.train_limit == 5_000


def test_quick_writing_run_trains_and_samples():
    settings = runs.with_changes(runs.PRESETS["Quick writing run: LSTM(128), 4 short epochs, a sample after each"],
                                 epochs=1, units=16).validate()
    spec = settings.to_spec("run")
    assert spec.trainer == "portable" and spec.portable_recipe == "writer" and spec.builder_args["units"] == (16,)
    text = "this film was good. the acting was bad but the story was great. " * 200
    chars, sentiment = characters.corpus([text, text.upper()], [1, 0])
    data = Dataset(catalog.IMDB_CHARACTERS, chars, sentiment, chars[:5000], sentiment[:5000],
                   np.array(["a good film.", "a bad film."], dtype=object), np.array([1, 0]), "test", None)
    samples = []
    result = loop.train(spec, dataset=data,
                        callbacks=[portable.SampleEachEpoch(lambda *s: samples.append(s), length=20)])
    meta = result.metadata
    assert meta["epochs"] == 1 and meta["test_n"] == 2 and 0 < meta["test_bits_per_character"] < 8
    assert "bits_per_character" in meta["history"] and meta["command"] is None  # a page run has no CLI command
    assert [(epoch, sentiment) for epoch, sentiment, _ in samples] == [(1, "positive"), (1, "negative")]
    assert all(text.startswith("this movie") and len(text) == len("this movie") + 20 for _, _, text in samples)
