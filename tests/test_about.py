"""What a model learned from and its saved test scores, in words, from its metadata."""

import pytest

from data import catalog
from models import about, registry


def test_trained_on_reads_the_task_and_size_from_the_metadata():
    meta = {"dataset": catalog.IMDB, "train_size": 29703, "epochs": 5}
    line = about.trained_on(meta)
    assert line.startswith(catalog.get(catalog.IMDB).train_description)
    assert line.endswith("(29,703 training examples)")
    # Another task, another description: nothing is written per model.
    assert about.trained_on({**meta, "dataset": catalog.SST}).startswith(catalog.get(catalog.SST).train_description)


def test_trained_on_prefers_the_models_own_list_of_training_data():
    meta = {"dataset": catalog.IMDB, "train_size": 70000, "epochs": 4,
            "training_data": {"IMDB reviews": 20000, "SST sentences": 6911, "SST phrases": 20000}}
    assert about.trained_on(meta) == "20,000 IMDB reviews + 6,911 SST sentences + 20,000 SST phrases"


def test_trained_on_without_details():
    assert about.trained_on({"dataset": "unknown_task"}) == "unknown_task"
    assert about.trained_on({"dataset": catalog.IMDB}) == catalog.get(catalog.IMDB).train_description


@pytest.mark.parametrize("spec", registry.for_dataset(catalog.IMDB), ids=lambda s: s.key)
def test_review_models_list_their_imdb_and_sst_scores(spec):
    scores = about.test_scores(spec.key)
    assert [s.task for s in scores] == [catalog.IMDB, catalog.SST]
    imdb, sst = scores
    assert imdb.accuracy == registry.load_metadata(spec.key)["test_accuracy"] and imdb.n == 25_000
    assert sst.accuracy == registry.load_evaluation(spec.key, catalog.SST)["test_accuracy"] and sst.n == 1821
    assert str(sst) == f"{sst.accuracy:.1%} on {catalog.get(catalog.SST).test_description}"


def test_other_models_have_only_their_own_test_score():
    assert [s.task for s in about.test_scores("mnist_cnn")] == [catalog.MNIST]
