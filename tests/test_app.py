"""AppTest: every page renders without an exception and its widgets work.

AppTest has no browser, so the canvas and charts come back as opaque elements; the drawing
itself is exercised in tests/browser/.
"""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

TIMEOUT = 120  # pages that predict import TensorFlow and compile the models on first use


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def test_home_lists_pages_and_model_accuracies():
    at = app().run()
    assert not at.exception
    assert "CNN · RNN · LSTM Explorer" in at.title[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics  # one card per trained model
    assert all(v.endswith("%") for v in metrics.values())
    assert len(at.metric) == 4


def test_draw_page_prompts_before_anything_is_drawn():
    at = app().run()
    at.switch_page("pages/draw.py").run()
    assert not at.exception
    assert any("Draw a digit" in i.value for i in at.info)
    assert not at.metric  # no prediction on a blank canvas


def test_draw_page_random_mnist_digit_shows_every_model(mnist_path):
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = "Random MNIST test digit"
    at.run()
    assert not at.exception
    assert at.metric and at.metric[0].label.startswith("The CNN says")
    assert any("True label" in md.value for md in at.markdown)
    # "Another digit" draws a new index and the page still renders.
    first = at.session_state["mnist_index"]
    seen = {first}
    for _ in range(3):
        at.button(key="another_digit").click().run()
        assert not at.exception
        seen.add(at.session_state["mnist_index"])
    assert len(seen) > 1 and all(0 <= i < 10_000 for i in seen)


def test_draw_page_switches_recurrent_model_view(mnist_path):
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = "Random MNIST test digit"
    at.run()
    from models import registry

    recurrent = [s.key for s in registry.for_dataset("mnist") if s.key != "mnist_cnn"]
    for key in recurrent:
        at.radio(key="rnn_view").set_value(key).run()
        assert not at.exception
        assert at.radio(key="rnn_view").value == key
    assert any("Hidden state" in md.value for md in at.markdown)


@pytest.mark.parametrize("source", ["Upload an image"])
def test_draw_page_other_inputs_render(source):
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = source
    at.run()
    assert not at.exception
    assert any("Choose an input" in i.value for i in at.info)


def test_shared_agreement_logic():
    from models import inference

    p = {"a": np.eye(10)[3], "b": np.eye(10)[3] * 0.5 + 0.05, "c": np.eye(10)[5]}
    v = inference.agreement(p)
    assert v["picks"] == {"a": 3, "b": 3, "c": 5} and v["majority"] == 3 and not v["all_agree"]
    assert v["unsure"] == ["b"]
