"""Type a review: four recurrent networks read it word by word and say how positive it is."""

import numpy as np
import streamlit as st

from pages._ui import classroom, datasets, model_cache, navigation, streamlit_fixes, tf_import, url_state
from pages._ui.charts import reading as charts

streamlit_fixes.require_router()
tf_import.import_tensorflow()  # before anything that imports TensorFlow
from data import catalog, sentences  # noqa: E402
from models import about, registry  # noqa: E402
from models.probes import reviews  # noqa: E402
from pages._ui import equations, examples, layout  # noqa: E402

TASK = catalog.get(catalog.IMDB)  # what this page reads: typed reviews

st.title(":material/rate_review: Type a review")

ready = model_cache.usable(model_cache.loaded_models(TASK.key))
if not ready:
    st.error("No review model is available. Train one with `python -m models train imdb_lstm`.")
    st.stop()

st.caption(f"{len(ready)} recurrent networks read your text one word at a time. Watch how sure each one is "
           "that the review is positive after every word.")
trained_on: dict[str, list[str]] = {}  # what they learned from (their metadata) -> which models
for key, loaded in ready.items():
    trained_on.setdefault(about.trained_on(registry.load_metadata(key) or {}), []).append(loaded.spec.title)
for line, titles in trained_on.items():
    st.caption(f":material/school: **{', '.join(titles)}**: trained on {line}.")

# -- Input ---------------------------------------------------------------------------------------

url_state.restore("review")  # a shared link's text, once per session
if "review_text" not in st.session_state:
    st.session_state["review_text"] = examples.REVIEWS["Negation"]
if sent := navigation.take_review_request():  # e.g. a review the writing LSTM wrote
    st.session_state["review_text"] = sent.text
    st.session_state.pop("review_truth", None)


def use_example():
    choice = st.session_state.get("review_example")
    if choice:
        st.session_state["review_text"] = examples.REVIEWS[choice]
        st.session_state.pop("review_truth", None)
        st.session_state["review_negation"] = None


def use_negation_example():
    choice = st.session_state.get("review_negation")
    if choice:
        st.session_state["review_text"] = choice
        st.session_state.pop("review_truth", None)
        st.session_state["review_example"] = None


def use_random_review():
    test_set, message = datasets.test_set_of(TASK.key)
    if test_set is None:
        st.session_state["review_data_message"] = message
        return
    st.session_state.pop("review_data_message", None)
    texts, labels = test_set
    i = int(np.random.default_rng().integers(len(texts)))
    st.session_state["review_text"] = texts[i]
    st.session_state["review_truth"] = (i, int(labels[i]))
    st.session_state["review_example"] = None
    st.session_state["review_negation"] = None


with st.container(key=layout.REVIEW_INPUT):  # while its text is not yet read, the results below fade
    review = st.text_area("Your review", key="review_text", height=130, placeholder="Type a movie review in English…",
                          help="The models read it when you press Ctrl+Enter (⌘+Enter on a Mac), tap "
                               "**Read it**, or click anywhere else.")
truth = st.session_state.get("review_truth")
if truth and truth[0] is not None:
    st.caption(f"Real test review #{truth[0]} — its true label: **{'positive' if truth[1] else 'negative'}**")
read_col, random_col = st.columns([1, 2.5], vertical_alignment="bottom")
with read_col:  # a click commits the text box (the browser only sends it on Ctrl+Enter or leaving it)
    st.button("Read it", icon=":material/play_arrow:", type="primary", key="read_review")
with random_col:
    st.button("A random real test review", icon=":material/casino:", on_click=use_random_review,
              key="random_review")
# The pills span the page's width (in a column a phone cut the last one off).
st.pills("Or try an example", list(examples.REVIEWS), key="review_example", on_change=use_example)
st.pills("Negation pairs: the same sentence both ways round", [s for pair in examples.NEGATION_PAIRS for s in pair],
         key="review_negation", on_change=use_negation_example,
         help="Try both sentences of a pair: a model reads negation only when it gets both right.")
if message := st.session_state.get("review_data_message"):
    datasets.offer_download(TASK, message)
url_state.remember("review")

if len(review) > reviews.MAX_CHARACTERS:
    st.info(f"Your text has {len(review):,} characters; the models read reviews from the end, so they "
            f"get its last {reviews.MAX_CHARACTERS:,} (and of those, the last words, below).",
            icon=":material/content_cut:")
if not review.strip():
    st.info("Type a review (or pick an example) to see what the models think.", icon=":material/edit:")
    st.stop()

readings = reviews.read_review({k: m.runner for k, m in ready.items()}, review)
first = next(iter(readings.values())).tokens
if first.read == 0:
    st.warning("There are no words to read here — only punctuation, symbols or emoji. Type a few words "
               "in English.")
    st.stop()

# -- Verdicts ------------------------------------------------------------------------------------

# This heading's block and everything after it fade while the box holds text not yet read.
st.container(key=layout.REVIEW_RESULTS).subheader("What they think")
verdicts = {k: r.probability > 0.5 for k, r in readings.items()}
for column, (key, reading) in zip(st.container(key=layout.VERDICTS).columns(len(readings)), readings.items()):
    with column, st.container(border=True):
        p = reading.probability
        st.metric(ready[key].spec.title, "positive" if p > 0.5 else "negative", f"P(positive) = {p:.0%}",
                  delta_color="green" if p > 0.5 else "red", delta_arrow="off")
        scores = about.test_scores(key)
        if scores:
            st.caption(" · ".join(f"{catalog.get(s.task).short_title}: {s.accuracy:.1%}" for s in scores),
                       help="Test accuracy, as saved: " + "; ".join(str(s) for s in scores) + ".")
if len(set(verdicts.values())) == 1:
    st.success(f"All {len(verdicts)} models agree: **{'positive' if next(iter(verdicts.values())) else 'negative'}**.")
else:
    pos = [ready[k].spec.title for k, v in verdicts.items() if v]
    neg = [ready[k].spec.title for k, v in verdicts.items() if not v]
    st.warning(f"The models disagree: positive for {', '.join(pos)}; negative for {', '.join(neg)}.")
unsure = [ready[k].spec.title for k, r in readings.items() if abs(r.probability - 0.5) < 0.15]
if unsure:
    st.info(f"Not sure ({', '.join(unsure)}: between 35% and 65%). Mixed or unusual reviews are hard.")
classroom.send_review_to_board(review, classroom.sentiment_answers({k: r.probability for k, r in readings.items()}))

# -- Word by word --------------------------------------------------------------------------------

st.subheader("Word by word")
chart_col, eq_col = st.columns([2.2, 1], gap="large")
with chart_col:
    curves = {ready[k].spec.title: r.trajectory for k, r in readings.items()}
    st.vega_lite_chart(*charts.sentiment_trajectory(curves, first.seen()))
    moved = reviews.moves_caption({ready[k].spec.title: reviews.biggest_move(r.trajectory, r.tokens.read_words)
                                   for k, r in readings.items()})
    if moved:
        st.caption(f":material/swap_vert: {moved}")
    notes = []
    if first.truncated:
        notes.append(f"The review has {len(first.words)} words; the models read only the last "
                     f"{first.read} (where reviews usually give their verdict; they were trained that "
                     "way), so the beginning is ignored.")
    unknown = first.unknown
    if unknown:
        notes.append(f"{len(unknown)} of {first.read} words are not among the 10,000 the models know; they "
                     "read them as `[UNK]`.")
        if len(unknown) > 0.5 * first.read:
            notes.append("Most words are unknown: is the review in English?")
    for note in notes:
        st.caption(note)
with eq_col, st.container(key=layout.EQUATIONS):
    st.markdown("Each model's state is updated once per word $x_t$ (its embedding vector); the "
                "probability is the sigmoid head applied to the state after word $t$.")
    st.markdown("**SimpleRNN**")
    st.latex(equations.RECURRENT["SimpleRNN"][0])
    st.markdown("**LSTM**")
    for eq in equations.RECURRENT["LSTM"]:
        st.latex(eq)
    st.latex(r"P_t(\text{positive}) = \sigma(v^\top h_t + d)")
    st.caption("The BiLSTM also reads backwards, so its curve is its answer for each prefix of the review. "
               "These small models learn what single words mean well, and negation only partly: "
               "try \"not good\" on its own.")
    if "imdb_lstm" in ready and st.button("Watch the LSTM's gates on this review", icon=":material/tune:",
                                          key="open_gates"):
        navigation.open_gate_view(navigation.GateRequest("imdb_lstm", text=review))

# -- Sentence by sentence ------------------------------------------------------------------------

read_text = reviews.review_text(review)  # what the models read: a long paste's last part
if len(sentences.split_sentences(read_text)) > 1:
    by_sentence = reviews.sentence_verdicts({k: m.runner for k, m in ready.items()}, read_text)
    st.subheader("Sentence by sentence")
    st.vega_lite_chart(*charts.sentence_verdicts(
        by_sentence.sentences, {ready[k].spec.title: p for k, p in by_sentence.probabilities.items()}))
    disputed = by_sentence.disputed()
    st.caption("Each sentence read on its own, as if it were the whole review. A long review is often mixed; "
               "the answer above comes from reading all of it in order"
               + (f"; the models disagree on sentence {', '.join(str(i + 1) for i in disputed)}" if disputed else "")
               + ".")
    if by_sentence.cut:
        st.caption(f"The first {len(by_sentence.sentences)} of {by_sentence.total} sentences.")

with st.expander("The words the models actually see", icon=":material/text_fields:"):
    shown = [w if i != reviews.OOV else f"[UNK:{word}]"
             for w, i, word in zip(first.seen(), first.ids, first.read_words)]
    st.code(("[…beginning not read] " if first.truncated else "") + " ".join(shown), language=None, wrap_lines=True)
    st.caption("Lower-cased, `<br />` and punctuation removed, apostrophes kept; `[UNK:…]` marks words "
               "outside the 10,000-word vocabulary.")
