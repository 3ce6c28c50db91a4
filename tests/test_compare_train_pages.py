"""AppTest of the Compare and Train pages: they render from saved results, react to a clicked
cell and to the controls, and a run started on the Train page joins the Compare page."""

import pytest
from streamlit.testing.v1 import AppTest

from data import catalog
from tests.conftest import ROOT

TIMEOUT = 120


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page(path).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("group", ["mnist/main", "imdb/main", "sst/main", "mnist/architectures"])
def test_compare_page_shows_every_group_from_saved_results(group):
    at = open_page("pages/compare.py")
    at.session_state["compare_group"] = group
    at.run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    for heading in ("Test accuracy", "Confusion matrices", "Class by class", "How they learned", "Architectures"):
        assert heading in headers
    architecture = at.dataframe[-1].value
    expected = {"mnist/main": 4, "imdb/main": 4, "sst/main": 4, "mnist/architectures": 8}[group]
    assert len(architecture) == expected
    assert {"architecture", "units", "dropout", "train accuracy", "test accuracy", "epochs to converge"} <= set(
        architecture.columns)
    assert any("Click a cell" in i.value for i in at.info)


def test_clicking_a_cell_shows_its_examples_for_every_model(mnist_path):
    at = open_page("pages/compare.py")
    at.session_state["confusion_mnist/main"] = {"selection": {"cell": [{"true": "4", "predicted": "9"}]}}
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any("True **4**, predicted **9**" in t for t in texts)
    found = next(t for t in texts if "examples land here" in t)
    assert "at least one model" in found
    cards = [t for t in texts if t.startswith("**#") and "true **4**" in t]
    assert cards and all(t.count("✗") >= 1 for t in cards)  # each shown example is in the cell for someone
    assert all(name in cards[0] for name in ("CNN", "LSTM", "GRU", "SimpleRNN"))


def test_a_review_cell_shows_review_text_without_markup(imdb_path):
    at = open_page("pages/compare.py")
    at.session_state["compare_group"] = "imdb/main"
    at.session_state["confusion_imdb/main"] = {"selection": {"cell": [{"true": "negative", "predicted": "positive"}]}}
    at.run()
    assert not at.exception
    reviews = [m.value for m in at.markdown if m.value.startswith("**Review #")]
    assert reviews and all("truly **negative**" in r for r in reviews)
    assert not any("<br" in m.value for m in at.markdown)


def test_the_sst_group_shows_the_review_models_on_sst_sentences():
    from data import catalog
    from models import registry

    at = open_page("pages/compare.py")
    at.session_state["compare_group"] = "sst/main"
    at.run()
    assert not at.exception
    assert any(catalog.get(catalog.SST).test_description in i.value for i in at.info)
    table = at.dataframe[-1].value
    saved = {registry.get(k).title: registry.load_evaluation(k, catalog.SST)["test_accuracy"]
             for k in ("imdb_rnn", "imdb_lstm", "imdb_gru", "imdb_bilstm")}
    assert dict(zip(table["model"], table["test accuracy"])) == saved  # SST figures, not the IMDB ones


def test_an_sst_cell_shows_its_sentences(imdb_path):
    from tests.conftest import require

    require("sst/sst.csv.gz")
    at = open_page("pages/compare.py")
    at.session_state["compare_group"] = "sst/main"
    at.session_state["confusion_sst/main"] = {"selection": {"cell": [{"true": "positive", "predicted": "negative"}]}}
    at.run()
    assert not at.exception
    sentences = [m.value for m in at.markdown if m.value.startswith("**Sentence #")]
    assert sentences and all("truly **positive**" in s for s in sentences)
    assert any("examples land here" in m.value for m in at.markdown)


def test_per_class_table_follows_the_picked_model():
    at = open_page("pages/compare.py")
    at.selectbox(key="compare_class_model").select("SimpleRNN").run()
    assert not at.exception
    table = at.dataframe[1].value
    assert list(table.columns) == ["class", "precision", "recall", "F1", "support"]
    assert table["support"].sum() == 10_000


def test_train_page_starts_a_run_that_joins_the_compare_page(mnist_path):
    at = open_page("pages/train.py")
    assert at.button(key="train_stop").disabled
    at.select_slider(key="train_train_size").set_value(1_000)
    at.slider(key="train_units").set_value(16)
    at.run()
    assert "1,000 training examples" in next(m.value for m in at.markdown if m.value.startswith("**Your run:**"))
    at.button(key="train_start").click().run()
    assert not at.exception
    job = at.session_state["training_jobs"][-1]
    assert job.settings.train_size == 1_000 and job.settings.units == 16
    assert at.button(key="train_start").disabled  # one run per student at a time
    assert job.wait(180), job.events[-1]
    at.run()
    assert not at.exception
    assert any("Test accuracy" in s.value for s in at.success)
    assert not at.button(key="train_start").disabled
    # The finished run now sits on the Compare page beside the shipped CNN.
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    models = at.dataframe[-1].value["model"].tolist()
    assert "CNN" in models and any(m.endswith("your run") for m in models)
    assert any("Including your 1 run(s)" in c.value for c in at.caption)
    # A CNN is no "architecture on MNIST rows": it does not join that experiment group.
    at.segmented_control(key="compare_group").set_value(f"{catalog.MNIST}/architectures").run()
    assert not at.exception
    assert not any("Including your" in c.value for c in at.caption)


def test_preset_sets_every_control():
    at = open_page("pages/train.py")
    name = "Architecture IV: LSTM 32 > dropout 0.2 > 16, until converged"
    at.pills(key="train_preset").set_value(name).run()
    assert not at.exception
    assert at.session_state["train_family"] == "LSTM" and at.session_state["train_units"] == 32
    line = next(m.value for m in at.markdown if m.value.startswith("**Your run:**"))
    assert "LSTM(32) > LSTM(16), dropout 0.2" in line and "30 epochs, batch 128" in line


def test_switching_to_reviews_offers_only_text_families():
    at = open_page("pages/train.py")
    at.session_state["train_dataset"] = "imdb"
    at.run()
    assert not at.exception
    assert at.selectbox(key="train_family").options == ["SimpleRNN", "LSTM", "GRU", "BiLSTM"]
    assert at.selectbox(key="train_family").value == "SimpleRNN"  # CNN is not offered for text
    assert at.select_slider(key="train_sequence_length")


def test_recompute_evaluates_in_the_worker_and_matches_the_saved_numbers(mnist_path):
    """"Recompute" goes through the worker process (the page keeps answering meanwhile) and
    finds the saved confusion matrices again."""
    import time

    at = open_page("pages/compare.py")
    at.session_state["compare_group"] = "mnist/architectures"
    at.run()
    at.button(key="recompute_mnist/architectures").click().run()
    assert not at.exception
    job = at.session_state["compare_recompute"]["mnist/architectures"]
    deadline = time.monotonic() + 300
    while not job.done and time.monotonic() < deadline:
        time.sleep(1)
    at.run()
    assert job.status == "finished", job.error
    table = at.dataframe[-1].value
    assert len(table) == 8 and table["same confusion matrix"].all()
    assert (table["accuracy now"] == table["saved accuracy"]).all()
