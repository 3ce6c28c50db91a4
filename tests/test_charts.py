"""The Draw page's charts reuse one Vega-Lite spec per structure with new data: the reused spec
must be exactly what Altair would build for the new data (so nothing data-dependent is baked in)."""

import numpy as np
import pytest

from pages._ui.charts import reading as charts
from pages._ui.charts import style


def fresh(build, data, *structure) -> dict:
    spec = build(data, *structure).to_dict()
    spec.pop("datasets", None)
    spec.pop("data", None)
    return spec


def two_draws(seed: int):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(10) * 0.3, size=28), rng.uniform(-1, 1, size=(28, 64))


@pytest.fixture(autouse=True)
def empty_cache():
    style._SPECS.clear()
    yield
    style._SPECS.clear()


def test_reused_specs_equal_a_fresh_altair_build_for_new_data():
    names = [str(d) for d in range(10)]
    titles = {"mnist_cnn": "CNN", "mnist_lstm": "LSTM"}
    for seed in (0, 1):  # the first call builds the spec, the second reuses it
        readout, hidden = two_draws(seed)
        probabilities = {"mnist_cnn": readout[-1], "mnist_lstm": readout[5]}
        data, spec = charts.probability_bars(probabilities, titles, names)
        assert spec == fresh(charts._probability_bars, data, ("CNN", "LSTM"), tuple(names), 4)
        assert data.groupby("model")["top"].sum().tolist() == [1, 1]
        data, spec = charts.readout_lines(readout, names)
        assert spec == fresh(charts._readout_lines, data, tuple(names), "row", 28)
        assert data.loc[data["winner"], "class"].unique().tolist() == [str(int(np.argmax(readout[-1])))]
        data, spec = charts.state_heatmap(hidden)
        assert spec == fresh(charts._state_heatmap, data, "row", "h", 64, 1.0)
    assert len(style._SPECS) == 3


def test_each_caller_gets_its_own_copy_of_the_spec():
    data, spec = charts.state_heatmap(np.zeros((28, 16)))
    spec["mark"] = "changed by a caller"
    assert charts.state_heatmap(np.zeros((28, 16)))[1]["mark"] != "changed by a caller"


def test_states_beyond_one_widen_the_colour_scale():
    _, spec = charts.state_heatmap(np.full((28, 16), -1.7))
    assert spec["encoding"]["color"]["scale"]["domain"] == [-2.0, 2.0]
    _, spec = charts.state_heatmap(np.full((28, 16), 0.3))
    assert spec["encoding"]["color"]["scale"]["domain"] == [-1.0, 1.0]


def test_sentence_verdicts_chart_has_a_row_per_sentence_in_reading_order():
    sentences = ["Great acting.", "But the plot is " + "very " * 20 + "boring."]
    data, spec = charts.sentence_verdicts(sentences, {"LSTM": np.array([0.9, 0.1]), "GRU": np.array([0.8, 0.3])})
    assert spec["layer"][1]["encoding"]["y"]["sort"] == {"field": "order"}  # rows in reading order
    labels = data.sort_values("order")["sentence"].unique()
    assert labels[0] == "1. Great acting." and labels[1].startswith("2. But the plot") and labels[1].endswith("…")
    assert spec["height"] == 36 * 2 + 50
    assert {(r.model, r.sentence[:2], r.verdict) for r in data.itertuples()} == {
        ("LSTM", "1.", "positive"), ("LSTM", "2.", "negative"), ("GRU", "1.", "positive"), ("GRU", "2.", "negative")}
    rule = spec["layer"][0]
    assert rule["encoding"]["x"] == {"datum": 0.5} and "datasets" not in spec  # the 50% line, from no data of its own


def test_review_charts_reuse_a_spec_equal_to_a_fresh_build():
    words = ["not", "good", "at", "all"]
    for seed in (0, 1):  # built, then reused with new numbers
        rng = np.random.default_rng(seed)
        curves = {"LSTM": rng.uniform(size=4), "GRU": rng.uniform(size=4)}
        data, spec = charts.sentiment_trajectory(curves, words)
        assert spec == fresh(charts._sentiment_trajectory, data, True)
        assert data.loc[data["model"] == "GRU", "P(positive)"].tolist() == pytest.approx(curves["GRU"].tolist())
        assert spec["layer"][1]["encoding"]["x"]["sort"] == {"field": "step"}  # words in reading order
    _, long_spec = charts.sentiment_trajectory({"LSTM": np.full(60, 0.5)}, ["w"] * 60)
    assert long_spec["layer"][1]["encoding"]["x"]["field"] == "step"  # too many words to label
    assert len(style._SPECS) == 2
