"""AppTest of the Photo and Write pages: they render, answer, and react to their widgets.
(Uploads, the camera and the streaming text are exercised in real Chromium, tests/browser/.)"""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, require

TIMEOUT = 180  # TensorFlow import, model loading and compilation on first use


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


@pytest.fixture(scope="module")
def cifar_path():
    return require("cifar10.npz")


def test_photo_page_reads_a_test_photo_with_every_model(cifar_path):
    at = app().run()
    at.switch_page("pages/photo.py").run()
    assert not at.exception, at.exception
    assert at.metric and at.metric[0].label == "The ResNet says"
    assert at.metric[0].value in ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                  "ship", "truck")
    assert any("True class" in md.value for md in at.markdown)
    assert any("agree" in s.value for s in [*at.success, *at.warning])
    assert any("Grad-CAM" in md.value for md in at.markdown)  # the heatmap's explanation
    first = at.session_state["cifar_index"]
    seen = {first}
    for _ in range(3):
        at.button(key="another_photo").click().run()
        assert not at.exception
        seen.add(at.session_state["cifar_index"])
    assert len(seen) > 1
    at.radio(key="photo_inside_model").set_value("cifar_cnn_lab").run()  # the lab CNN's heatmap
    assert not at.exception


def test_photo_page_waits_for_an_upload():
    at = app().run()
    at.switch_page("pages/photo.py").run()
    at.session_state["photo_source"] = "Upload a photo"
    at.run()
    assert not at.exception
    assert any("Choose a photo" in i.value for i in at.info)
    assert not at.metric


def test_write_page_writes_and_steps():
    at = app().run()
    at.switch_page("pages/write.py").run()
    assert not at.exception, at.exception
    at.slider(key="write_length").set_value(40)
    at.number_input(key="write_seed").set_value(3)
    at.button[0].click().run()  # Write
    assert not at.exception
    result = at.session_state["write_result"]
    assert len(result["text"]) == 40 and result["probabilities"].shape == (40, 64)
    again = result["text"]
    at.button[0].click().run()  # the same seed and settings write the same review
    assert at.session_state["write_result"]["text"] == again
    # Step by step: the model draws one character, then the student picks one.
    before = at.session_state["write_steps"]["text"]
    at.button(key="write_step_draw").click().run()
    assert len(at.session_state["write_steps"]["text"]) == len(before) + 1
    at.button(key="write_step_restart").click().run()
    assert at.session_state["write_steps"]["text"] == "this movie was"


def test_write_page_sends_its_review_to_the_review_page():
    at = app().run()
    at.switch_page("pages/write.py").run()
    at.slider(key="write_length").set_value(20)
    at.button[0].click().run()
    written = at.session_state["write_result"]
    judge = next(b for b in at.button if "judge" in b.label)
    judge.click().run()
    assert not at.exception
    assert at.session_state["review_text"] == written["prompt"] + written["text"]
    assert at.title[0].value.endswith("Type a review")


def test_compare_shows_the_photo_models_and_a_cell_of_photos(cifar_path):
    at = app().run()
    at.switch_page("pages/compare.py").run()
    at.session_state["compare_group"] = "cifar10/main"
    at.session_state["confusion_cifar10/main"] = {"selection": {"cell": [{"true": "cat", "predicted": "dog"}]}}
    at.run()
    assert not at.exception, at.exception
    texts = [m.value for m in at.markdown]
    assert any("True **cat**, predicted **dog**" in t for t in texts)
    cards = [t for t in texts if t.startswith("**#") and "true **cat**" in t]
    assert cards and all(name in cards[0] for name in ("ResNet", "Lab CNN"))
    assert len(at.dataframe[-1].value) == 2  # the architecture table: both photo models


def test_compare_shows_the_writing_model_curves():
    at = app().run()
    at.switch_page("pages/compare.py").run()
    at.session_state["compare_group"] = "imdb_characters/main"
    at.run()
    assert not at.exception, at.exception
    assert [m.label for m in at.metric] == ["Character LSTM"] and "bits / character" in at.metric[0].value
    at.radio(key="compare_lm_metric").set_value("loss").run()
    assert not at.exception
