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
