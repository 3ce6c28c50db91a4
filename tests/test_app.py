"""AppTest: every page renders without an exception and its widgets work.

AppTest has no browser, so the canvas and charts come back as opaque elements; the drawing
itself is exercised in tests/browser/.
"""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, draw_page_tab

TIMEOUT = 120  # pages that predict import TensorFlow and compile the models on first use


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def test_home_lists_pages_and_model_accuracies():
    at = app().run()
    assert not at.exception
    assert "CNN · RNN · LSTM Explorer" in at.title[0].value
    metrics = [(m.label, m.value) for m in at.metric]
    assert metrics  # one card per trained model
    accuracies = [v for label, v in metrics if label == "test accuracy"]
    writers = [v for label, v in metrics if label == "bits per character"]
    assert all(v.endswith("%") for v in accuracies) and len(accuracies) + len(writers) == len(metrics)
    from models import registry

    trained = [s for s in registry.MODELS.values()
               if s.group == "main" and "test_accuracy" in (registry.load_metadata(s.key) or {})]
    assert len(accuracies) == len(trained) >= 10
    assert writers == [f"{registry.load_metadata('char_lstm')['test_bits_per_character']:.3f}"]


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

    # Only the open tab runs: the feature maps first, no recurrent view computed or sent.
    assert any("filters, each map" in md.value for md in at.markdown)
    assert not any("Hidden state" in md.value for md in at.markdown)
    assert not [r for r in at.radio if r.key == "rnn_view"]
    at.session_state["inside_view"] = draw_page_tab("RNN_TAB")
    at.run()
    assert not any("filters, each map" in md.value for md in at.markdown)
    recurrent = [s.key for s in registry.for_dataset("mnist") if s.key != "mnist_cnn"]
    for key in recurrent:
        at.radio(key="rnn_view").set_value(key).run()
        assert not at.exception
        assert at.radio(key="rnn_view").value == key
    assert any("Hidden state" in md.value for md in at.markdown)


def test_draw_page_reads_the_pen_only_in_its_tab(mnist_path):
    """The pen models' view is the third tab of "Inside the models": nothing of it is computed or
    sent while another tab is open; opened on a test digit (no strokes), it says to draw."""
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = "Random MNIST test digit"
    at.run()
    assert not any("pen models read strokes" in i.value for i in at.info)
    at.session_state["inside_view"] = draw_page_tab("PEN_TAB")
    at.run()
    assert not at.exception
    assert any("pen models read strokes" in i.value for i in at.info)
    assert not any("filters, each map" in md.value for md in at.markdown)  # the feature maps are not sent


def test_draw_page_sends_the_answer_first_and_the_views_a_moment_later(mnist_path, monkeypatch):
    """pages/_ui/answer_first.py: a new digit's answer leaves the server, the views are computed,
    and the first of them leaves no sooner than PAINT_GAP_S after the answer (time for the browser
    to paint the digit alone). Another tab on the same digit waits for nothing."""
    import time

    from streamlit.delta_generator import DeltaGenerator

    from pages._ui import answer_first

    sent, waits = [], []
    enqueue, let_it_paint = DeltaGenerator._enqueue, answer_first.let_it_paint

    def recorded(self, delta_type, element_proto, *args, **kwargs):
        text = element_proto.label if delta_type == "metric" else getattr(element_proto, "body", "")
        sent.append((time.perf_counter(), delta_type, text))
        return enqueue(self, delta_type, element_proto, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "_enqueue", recorded)
    monkeypatch.setattr(answer_first, "let_it_paint", lambda *a, **k: waits.append(let_it_paint(*a, **k)))
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = "Random MNIST test digit"
    sent.clear()
    at.run()
    assert not at.exception
    answer = next(t for t, kind, text in sent if kind == "metric" and text.startswith("The CNN says"))
    views = next(t for t, kind, text in sent if kind == "heading" and text == "Every model's probabilities")
    assert views - answer >= answer_first.PAINT_GAP_S, (views - answer)
    assert len(waits) == 1
    waits.clear()
    at.session_state["inside_view"] = draw_page_tab("RNN_TAB")
    at.run()
    assert not at.exception and any("Hidden state" in md.value for md in at.markdown)
    assert waits == []  # the same digit: its answer is already on screen


@pytest.mark.parametrize("source", ["Upload an image"])
def test_draw_page_other_inputs_render(source):
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = source
    at.run()
    assert not at.exception
    assert any("Choose an input" in i.value for i in at.info)


def test_shared_agreement_logic():
    from models.probes import compiled

    p = {"a": np.eye(10)[3], "b": np.eye(10)[3] * 0.5 + 0.05, "c": np.eye(10)[5]}
    v = compiled.agreement(p)
    assert v["picks"] == {"a": 3, "b": 3, "c": 5} and v["majority"] == 3 and not v["all_agree"]
    assert v["unsure"] == ["b"]


# -- Review page ---------------------------------------------------------------------------------


def review_page() -> AppTest:
    at = app().run()
    at.switch_page("pages/review.py").run()
    assert not at.exception
    return at


def test_review_page_reads_the_default_example():
    at = review_page()
    assert len(at.metric) == 4  # one verdict per IMDB model
    assert {m.value for m in at.metric} <= {"positive", "negative"}
    assert at.subheader[0].value == "What they think"


def test_review_page_says_what_the_models_were_trained_on():
    from data import catalog
    from models import registry

    at = review_page()
    trained = [c.value for c in at.caption if "trained on" in c.value]
    assert len(trained) == 1  # the four shipped models share one description, read from their metadata
    assert catalog.get(catalog.IMDB).train_description in trained[0]
    assert f"{registry.load_metadata('imdb_lstm')['train_size']:,} training examples" in trained[0]
    # Each verdict card names its saved accuracy on IMDB reviews and on SST-2 sentences.
    sst = registry.load_evaluation("imdb_lstm", catalog.SST)["test_accuracy"]
    assert any(f"Sentences: {sst:.1%}" in c.value and "Reviews: 88.4%" in c.value for c in at.caption)


def test_review_page_negation_pairs_and_the_word_that_flips():
    at = review_page()
    options = at.pills(key="review_negation").options
    assert "The food was good." in options and "The food wasn't good." in options
    at.pills(key="review_negation").set_value("The food wasn't good.").run()
    assert not at.exception
    assert at.text_area(key="review_text").value == "The food wasn't good."
    assert at.pills(key="review_example").value is None
    # A review the models turn round half way: the caption names the word that moved them most.
    at.text_area(key="review_text").input("It was great fun and I loved it but it was boring and awful").run()
    flips = [c.value for c in at.caption if "The verdict flips" in c.value]
    assert len(flips) == 1 and "moved P(positive) most" in flips[0]
    at.text_area(key="review_text").input("Wonderful!").run()  # one word: nothing before it to flip from
    assert not any("The verdict flips" in c.value for c in at.caption)


def test_review_page_sentence_by_sentence_only_for_several_sentences():
    at = review_page()
    at.text_area(key="review_text").input("A wonderful, moving film.").run()
    assert "Sentence by sentence" not in [s.value for s in at.subheader]
    at.text_area(key="review_text").input("The actors are wonderful and the music is great. "
                                          "But the plot is boring and the ending is awful.").run()
    assert not at.exception
    assert "Sentence by sentence" in [s.value for s in at.subheader]
    assert any("Each sentence read on its own" in c.value for c in at.caption)


def test_review_page_typed_review_and_examples():
    at = review_page()
    at.text_area(key="review_text").input("An absolute masterpiece. I loved every minute of it.").run()
    assert not at.exception
    assert all(m.value == "positive" for m in at.metric)
    assert any("agree" in s.value for s in at.success)
    at.text_area(key="review_text").input("Terrible, boring and far too long. Avoid.").run()
    assert all(m.value == "negative" for m in at.metric)


@pytest.mark.parametrize("bad, message", [
    ("", "Type a review"),
    ("   \n  ", "Type a review"),
    ("!!! ??? 🎬🍿🎬", "no words to read"),
])
def test_review_page_bad_inputs_get_a_message(bad, message):
    at = review_page()
    at.text_area(key="review_text").input(bad).run()
    assert not at.exception
    shown = " ".join(e.value for e in [*at.info, *at.warning])
    assert message in shown
    assert not at.metric


def test_review_page_long_and_foreign_text_is_handled():
    at = review_page()
    at.text_area(key="review_text").input("great " * 3000).run()
    assert not at.exception
    assert any("read only the last" in c.value for c in at.caption)
    at.text_area(key="review_text").input("dreadful " * 2_000 + "but the ending is wonderful, I loved it " * 500).run()
    assert not at.exception  # a 38,000-character paste: read from its end, and said so
    assert any("characters; the models read reviews from the end" in i.value for i in at.info)
    assert len(at.metric) >= 4
    at.text_area(key="review_text").input("Ceci est un film magnifique, vraiment très émouvant et bien joué.").run()
    assert not at.exception
    assert any("not among the 10,000" in c.value for c in at.caption)


def test_review_page_user_text_is_never_html():
    at = review_page()
    at.text_area(key="review_text").input("<script>alert(1)</script> <b>great</b> film").run()
    assert not at.exception
    assert all("<script>" not in md.value for md in at.markdown)


def test_review_page_random_real_review(imdb_path):
    at = review_page()
    at.button(key="random_review").click().run()
    assert not at.exception
    assert any("true label" in c.value for c in at.caption)
    assert len(at.metric) == 4


def test_streamlit_does_not_clear_the_keras_session_after_each_run(monkeypatch):
    """Streamlit would call keras.backend.clear_session() (a full gc.collect, ~220 ms) after
    every rerun of every session; app.py turns that off (pages._ui.streamlit_fixes.keep_keras_between_runs)."""
    import keras

    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: calls.append(1))
    at = app().run()
    at.switch_page("pages/gates.py").run()
    at.run()
    assert not at.exception
    assert calls == []


def test_server_skips_the_full_garbage_collection_after_each_run():
    """Streamlit's default gc.collect(2) after every script run takes ~0.25 s with TensorFlow
    loaded and holds the GIL: with thirty students it made each drawing wait seconds."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
