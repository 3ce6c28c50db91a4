"""What the Compare page computes: per-class scores, cells and their examples, the curves and
the architecture table; and the saved per-example predictions agree with the saved matrices."""

import numpy as np
import pandas as pd
import pytest

from data import catalog
from models import comparison, metrics, registry
from tests.conftest import require

CONFUSION = np.array([[5, 1, 0],
                      [2, 6, 2],
                      [0, 0, 0]])  # class 2 never occurs and is never predicted


def test_per_class_scores_follow_their_definitions():
    report = metrics.per_class_report(CONFUSION, ["a", "b", "c"]).set_index("class")
    assert report.loc["a", "precision"] == pytest.approx(5 / 7)  # 5 right of 7 called "a"
    assert report.loc["a", "recall"] == pytest.approx(5 / 6)
    assert report.loc["b", "precision"] == pytest.approx(6 / 7)
    assert report.loc["b", "recall"] == pytest.approx(6 / 10)
    p, r = 6 / 7, 6 / 10
    assert report.loc["b", "F1"] == pytest.approx(2 * p * r / (p + r))
    assert report.loc["c"].tolist()[:3] == [0.0, 0.0, 0.0]  # no NaN for an empty class
    assert report["support"].tolist() == [6, 10, 0]
    assert metrics.accuracy(CONFUSION) == pytest.approx(11 / 16)


def test_row_normalised_rows_sum_to_one_or_stay_empty():
    shares = metrics.row_normalised(CONFUSION)
    assert shares.sum(axis=1).tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert shares[1, 2] == pytest.approx(0.2)


def test_shared_mistakes_lists_who_puts_each_example_in_the_cell():
    y = np.array([4, 4, 4, 4, 7])
    predictions = {"CNN": np.array([9, 4, 9, 4, 7]), "LSTM": np.array([9, 9, 4, 4, 9])}
    table = metrics.shared_mistakes(y, predictions, 4, 9)
    assert table.index.tolist() == [0, 1, 2]  # example 0 is shared, so it comes first
    assert table.loc[0, "models"] == 2
    assert bool(table.loc[1, "LSTM"]) and not bool(table.loc[1, "CNN"])
    assert 4 not in table.index and 3 not in table.index
    assert metrics.cell_examples(y, predictions["CNN"], 4, 9).tolist() == [0, 2]


def result(label, history, confusion=CONFUSION, **meta):
    return comparison.ModelResult(label, label, "mnist", {"history": history, "confusion_matrix": confusion.tolist(),
                                                          **meta})


def test_curves_frame_has_every_model_metric_and_split():
    a = result("A", {"loss": [1.0, 0.5], "accuracy": [0.5, 0.7], "val_loss": [1.1, 0.6], "val_accuracy": [0.4, 0.6]})
    b = result("B", {"loss": [2.0], "accuracy": [0.3]})
    frame = comparison.curves_frame([a, b])
    assert set(frame["model"]) == {"A", "B"}
    assert len(frame) == 8 + 2
    row = frame[(frame.model == "A") & (frame.metric == "loss") & (frame.split == "validation") & (frame.epoch == 2)]
    assert row["value"].item() == 0.6


def test_confusion_frame_marks_the_diagonal_and_normalises_per_row():
    frame = comparison.confusion_frame([result("A", {})], ["a", "b", "c"], normalise=True)
    assert len(frame) == 9 and frame["correct"].sum() == 3
    cell = frame[(frame["true"] == "b") & (frame["predicted"] == "c")].iloc[0]
    assert cell["count"] == 2 and cell["value"] == pytest.approx(0.2)


def test_architecture_row_reads_the_layers_and_convergence():
    layers = [{"type": "InputLayer", "output_shape": [None, 28, 28]},
              {"type": "LSTM", "output_shape": [None, 28, 32]},
              {"type": "Dropout", "output_shape": [None, 28, 32]},
              {"type": "LSTM", "output_shape": [None, 16]},
              {"type": "Dense", "output_shape": [None, 10]}]
    r = result("LSTM IV", {"accuracy": [0.8, 0.9]}, layers=layers, converged_epoch=14, epochs=14, params=999,
               test_accuracy=0.91, convergence_threshold=1e-4)
    r.builder_args = {"layer_units": [32, 16], "dropout": 0.2}
    row = comparison.architecture_row(r)
    assert row["architecture"] == "LSTM(32) > Dropout > LSTM(16) > Dense(10)"
    assert row["units"] == "32 / 16 / 10" and row["recurrent layers"] == 2 and row["dropout"] == "0.2"
    assert row["train accuracy"] == 0.9 and row["test accuracy"] == 0.91 and row["epochs to converge"] == "14"
    r.metadata["converged_epoch"] = None
    assert comparison.architecture_row(r)["epochs to converge"] == "not within 14"


GROUPS = list(comparison.groups())
# The groups whose models have classes to confuse (a language model is compared by its curves).
CLASSIFIER_GROUPS = [(d, g) for d, g in GROUPS if catalog.get(d).num_classes]


@pytest.mark.parametrize("dataset, group", CLASSIFIER_GROUPS)
def test_saved_predictions_agree_with_the_saved_confusion_matrix(dataset, group, mnist_path, imdb_path):
    """Every shipped model's per-example predictions rebuild its confusion matrix exactly, so
    the examples the Compare page shows behind a cell are the ones it counts."""
    from models.training import loop
    from pages._ui import datasets, model_cache, training_session  # noqa: F401  (import fine without a server)

    for file in catalog.get(dataset).files:  # e.g. SST's sentences, beside MNIST and IMDB
        require(file.name)
    results = comparison.shipped_results(dataset, group)
    assert results, f"no shipped results for {dataset}/{group}"
    data = loop.load_dataset(dataset)
    for r in results:
        assert r.predictions is not None, f"{r.key}: run python -m models evaluate {r.key} --write-predictions"
        rebuilt = loop.confusion_matrix(data.y_test, r.predictions["predicted"], len(data.class_names))
        assert (rebuilt == r.confusion).all(), r.key


def test_the_architecture_experiments_are_all_shipped():
    specs = registry.for_dataset("mnist", group="architectures")
    assert [s.title for s in specs] == ["RNN I", "RNN II", "RNN III", "RNN IV", "LSTM I", "LSTM II", "LSTM III",
                                        "LSTM IV"]
    table = comparison.architecture_frame(comparison.shipped_results("mnist", "architectures"))
    assert isinstance(table, pd.DataFrame) and len(table) == 8
    assert table["recurrent layers"].tolist() == [1, 2, 2, 2] * 2
    assert (table["dropout"] == "0.2").sum() == 2
    for spec in specs:
        meta = registry.load_metadata(spec.key)
        assert spec.convergence_threshold == 1e-4 and meta.get("convergence_threshold") in (None, 1e-4)
        # Either it converged (and stopped at that epoch) or it ran the full 60 epochs.
        assert meta["converged_epoch"] == meta["epochs"] or (meta["converged_epoch"] is None and meta["epochs"] == 60)
        assert spec.pretrained_path.stat().st_size < 1024 * 1024


# -- A task that measures another task's models: the review models on SST-2 sentences --------------


def test_the_sst_group_sits_beside_the_imdb_group():
    keys = list(comparison.groups())
    assert keys.index((catalog.SST, "main")) == keys.index((catalog.IMDB, "main")) + 1
    assert comparison.groups()[(catalog.SST, "main")] == catalog.get(catalog.SST).title


def test_sst_results_are_the_review_models_with_their_sst_figures():
    results = comparison.shipped_results(catalog.SST)
    assert [r.key for r in results] == [s.key for s in registry.for_dataset(catalog.IMDB)]
    for r in results:
        saved = registry.load_evaluation(r.key, catalog.SST)
        own = registry.load_metadata(r.key)
        assert r.metadata["test_n"] == 1821 == r.confusion.sum() and r.dataset == catalog.SST
        assert r.metadata["test_accuracy"] == saved["test_accuracy"] != own["test_accuracy"]
        assert r.confusion.trace() / 1821 == pytest.approx(saved["test_accuracy"])
        assert r.metadata["history"] == own["history"] and r.metadata["params"] == own["params"]
        assert len(r.predictions["predicted"]) == 1821
        assert registry.get(r.key).evaluation_predictions_path(catalog.SST).stat().st_size < 10_000
    assert comparison.unmeasured(catalog.SST) == []
    assert comparison.unmeasured(catalog.IMDB) == []


def test_a_model_not_measured_on_sst_is_left_out_and_named(tmp_path, monkeypatch):
    import shutil

    for spec in registry.for_dataset(catalog.IMDB):
        for path in (spec.metadata_path, spec.evaluation_path(catalog.SST),
                     spec.evaluation_predictions_path(catalog.SST)):
            shutil.copy(path, tmp_path / path.name)
        (tmp_path / spec.pretrained_path.name).write_bytes(b"")  # present; never loaded here
    monkeypatch.setattr(registry, "PRETRAINED_DIR", tmp_path)
    first, second, *_ = registry.for_dataset(catalog.IMDB)
    first.evaluation_path(catalog.SST).unlink()
    store_predictions = second.evaluation_predictions_path(catalog.SST)
    np.savez_compressed(store_predictions, predicted=np.zeros(5, np.int8), confidence=np.zeros(5, np.float16))
    results = {r.key: r for r in comparison.shipped_results(catalog.SST)}
    assert first.key not in results and comparison.unmeasured(catalog.SST) == [first.key]
    assert results[second.key].predictions is None  # written for another test set: better none than wrong
    assert results[second.key].confusion.sum() == 1821


def test_recomputing_the_sst_group_measures_on_sst_sentences(imdb_path):
    """The Compare page's "recompute" of the SST group (runs.Evaluation with ``on``) finds the
    saved SST confusion matrix again, not the IMDB one."""
    from models.training import runs

    require("sst/sst.csv.gz")

    class Job:
        stop_requested = False

        def _event(self, *args, **kwargs):
            pass

    work = runs.Evaluation(("imdb_rnn",), on=catalog.SST).validate()
    assert work.as_dict() == {"keys": ["imdb_rnn"], "on": catalog.SST}
    metadata, _, _ = work.run("evaluation", None, Job())
    now = metadata["evaluations"]["imdb_rnn"]
    assert now["n"] == 1821
    assert now["confusion_matrix"] == registry.load_evaluation("imdb_rnn", catalog.SST)["confusion_matrix"]
