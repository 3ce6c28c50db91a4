"""AppTest of the LSTM gates page: it renders, its sliders and switches work, it trains.

AppTest has no browser (charts are opaque), so these check what the page computes and says:
the equations' LaTeX with the numbers of the chosen step and unit, the metrics, the messages.
"""

import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from models import registry
from pages._ui import navigation
from tests.conftest import ROOT, draw_page_tab

TIMEOUT = 120


def gates_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/gates.py").run()
    assert not at.exception
    return at


def equations_shown(at) -> list[str]:
    return [e.value for e in at.latex if r"\begin{aligned}" in e.value]


def test_wave_page_shows_predictions_and_the_six_equations():
    at = gates_page()
    assert "Watch an LSTM think" in at.title[0].value
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["MSE one step ahead"]) < 2e-3
    assert float(metrics["MSE free-running"]) > float(metrics["MSE one step ahead"])
    shown = equations_shown(at)
    assert len(shown) == 6
    step = at.slider(key="gates_step").value
    assert f"i_{{{step}}}" in shown[0] and f"h_{{{step}}}" in shown[5]


def test_time_step_and_unit_sliders_change_the_numbers():
    at = gates_page()
    at.slider(key="gates_step").set_value(3).run()
    assert not at.exception
    first = equations_shown(at)
    assert r"i_{3}" in first[0] and r"h_{2}" in first[0]
    at.slider(key="gates_step").set_value(17).run()
    later = equations_shown(at)
    assert r"i_{17}" in later[0] and later != first
    at.slider(key="gates_unit").set_value(0).run()
    unit0 = equations_shown(at)
    at.slider(key="gates_unit").set_value(15).run()
    assert not at.exception and equations_shown(at) != unit0
    at.radio(key="gates_mode").set_value("lines").run()
    assert not at.exception and equations_shown(at)
    # Another window of the test stretch: other inputs, other numbers.
    at.slider(key="gates_start").set_value(at.slider(key="gates_start").value + 13).run()
    assert not at.exception and equations_shown(at) != unit0


def test_switching_task_model_and_layer():
    at = gates_page()
    at.radio(key="gates_task").set_value("cosine").run()
    assert not at.exception
    assert at.radio(key="gates_layer").options == ["lstm1 (12 units)", "lstm2 (8 units)"]
    layer0 = equations_shown(at)
    at.radio(key="gates_layer").set_value(1).run()
    assert not at.exception and at.slider(key="gates_unit").max == 7
    assert equations_shown(at) != layer0
    at.radio(key="gates_task").set_value("sine_to_cosine").run()
    assert not at.exception
    assert any("no pretrained network" in i.value for i in at.info)
    assert not equations_shown(at)


def test_the_digit_lstm_reads_rows(mnist_path):
    at = gates_page()
    at.radio(key="gates_source").set_value("mnist_lstm").run()
    assert not at.exception
    assert at.slider(key="gates_step").max == 28 and at.slider(key="gates_unit").max == 127
    assert at.metric[0].label == "The LSTM says"
    index = at.session_state["gates_mnist_index"]
    at.button(key="gates_another").click().run()
    assert not at.exception
    at.slider(key="gates_step").set_value(28).run()
    assert r"i_{28}" in equations_shown(at)[0]
    assert 0 <= index < 10_000


def test_a_drawing_sent_by_the_draw_page_is_shown():
    one = np.zeros((28, 28), np.float32)
    one[4:24, 13:15] = 1.0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.session_state[navigation.GATE_REQUEST] = navigation.GateRequest("mnist_lstm", image=one)
    at.switch_page("pages/gates.py").run()
    assert not at.exception
    assert at.radio(key="gates_source").value == "mnist_lstm"
    assert at.radio(key="gates_digit_source").value == "drawing"
    assert at.metric[0].value == "1"
    # A request for a model with no LSTM is refused politely.
    at.session_state[navigation.GATE_REQUEST] = navigation.GateRequest("mnist_cnn")
    at.run()
    assert not at.exception and any("no LSTM" in w.value for w in at.warning)


def test_draw_page_opens_the_gates_on_its_digit(mnist_path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = "Random MNIST test digit"
    at.run()
    at.session_state["inside_view"] = draw_page_tab("RNN_TAB")  # open the recurrent tab (only the open one runs)
    at.run()
    at.radio(key="rnn_view").set_value("mnist_lstm").run()
    at.button(key="open_gates").click().run()
    assert not at.exception
    assert "Watch an LSTM think" in at.title[0].value
    assert at.radio(key="gates_source").value == "mnist_lstm"
    assert at.radio(key="gates_digit_source").value == "drawing"


def test_training_here_with_a_live_chart():
    at = gates_page()
    at.radio(key="gates_task").set_value("sine_to_cosine").run()
    at.radio(key="gates_network").set_value("here").run()
    assert any("press **Train**" in i.value for i in at.info)
    at.select_slider(key="gates_units").set_value(8).run()
    at.button(key="gates_train").click().run()
    assert not at.exception
    # It trains in the worker process, as a Train-page run does: the page shows progress meanwhile.
    deadline = time.monotonic() + TIMEOUT
    while "gates_trained" not in at.session_state and time.monotonic() < deadline:
        job = at.session_state["gates_job"]
        assert not at.exception and job.status != "failed", job.error
        time.sleep(0.5)
        at.run()
    trained = at.session_state["gates_trained"]
    meta = trained["meta"]
    assert meta["history"]["loss"][-1] < meta["history"]["loss"][0]
    assert meta["converged_epoch"] is not None  # stopped by the criterion, default on
    assert trained["layer_units"] == (8,)
    assert float(next(m.value for m in at.metric if m.label == "MSE one step ahead")) < 0.01
    assert any("does not apply" in i.value for i in at.info)  # no free-running for sine -> cosine
    assert len(equations_shown(at)) == 6
    # The trained network stays while the wave changes; the page says it is another wave now.
    at.slider(key="gates_amplitude").set_value(2.0).run()
    assert not at.exception and any("differs from the one" in i.value for i in at.info)


def shipped_text_lstms() -> list[str]:
    """Registry text models whose shipped file has a plain (one-directional) LSTM layer."""
    keys = []
    for spec in registry.for_dataset("imdb"):
        meta = registry.load_metadata(spec.key)
        if any(r["type"] == "LSTM" for r in meta["layers"]):  # every shipped model has its file and metadata
            keys.append(spec.key)
    return keys


def test_the_shipped_imdb_lstm_is_a_text_lstm():
    assert shipped_text_lstms() == ["imdb_lstm"]


@pytest.mark.parametrize("key", shipped_text_lstms())
def test_text_lstms_get_the_same_view_once_trained(key):
    """Any registry LSTM with a text front appears as soon as its file exists."""
    at = gates_page()
    at.radio(key="gates_source").set_value(key).run()
    assert not at.exception
    at.text_area(key="gates_text").input("not good at all").run()
    assert not at.exception
    assert at.slider(key="gates_step").max == 4  # one step per word, no padding shown
    at.slider(key="gates_step").set_value(1).run()
    assert any(m.value.startswith("#### Step t = 1 — **not**") for m in at.markdown)


def test_a_text_lstm_reads_word_by_word(tmp_path, monkeypatch):
    """A registry LSTM with a TextVectorization + Embedding front (the IMDB recipe) gets the
    gate view with words on the time axis, with no change to the page."""
    import dataclasses

    import keras

    from models import store
    from models.training import loop

    texts = ["a good film", "not good at all", "great actors", "a bad plot", "bad"]
    vectorizer = keras.layers.TextVectorization(max_tokens=30, output_sequence_length=10)
    vectorizer.adapt(texts)
    inputs = keras.Input((1,), dtype="string", name="review")
    x = keras.layers.Embedding(30, 4, mask_zero=True)(vectorizer(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(keras.layers.LSTM(3)(x)))
    spec = dataclasses.replace(registry.get("mnist_lstm"), key="tiny_text_lstm", dataset="imdb", title="Tiny LSTM")
    monkeypatch.setattr(registry, "PRETRAINED_DIR", tmp_path)
    monkeypatch.setitem(registry.MODELS, spec.key, spec)
    store.save_model(model, spec.pretrained_path)
    store.write_json({"layers": loop.describe_layers(model), "class_names": ["negative", "positive"]},
                     spec.metadata_path)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.session_state[navigation.GATE_REQUEST] = navigation.GateRequest("tiny_text_lstm", text="Not good at all!")
    at.switch_page("pages/gates.py").run()
    assert not at.exception
    assert at.radio(key="gates_source").value == "tiny_text_lstm"
    assert at.slider(key="gates_step").max == 4  # the four words; the padding is not shown
    at.slider(key="gates_step").set_value(2).run()
    assert any(m.value.startswith("#### Step t = 2 — **good**") for m in at.markdown)
    assert r"i_{2}" in equations_shown(at)[0]
    assert at.metric[0].label == "The Tiny LSTM says" and at.metric[0].value in ("negative", "positive")
    at.text_area(key="gates_text").input("great").run()  # one word: one step, no slider to move
    assert not at.exception and len(equations_shown(at)) == 6
    assert any("Time step t (word): **1**" in m.value for m in at.markdown)
    at.text_area(key="gates_text").input("   ").run()
    assert not at.exception and any("Type a few words" in i.value for i in at.info)
