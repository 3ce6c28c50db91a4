"""Watch an LSTM write: a character-level language model, asked for a positive or a negative review."""

import numpy as np
import streamlit as st

from pages._ui import model_cache, navigation, streamlit_fixes, tf_import, url_state
from pages._ui.charts import writing as charts

streamlit_fixes.require_router()
tf_import.import_tensorflow()  # before anything that imports TensorFlow
from data import catalog, characters  # noqa: E402
from models import registry  # noqa: E402
from models.probes import generation  # noqa: E402
from pages._ui import equations  # noqa: E402

TASK = catalog.get(catalog.IMDB_CHARACTERS)  # what this page does: write reviews, one character at a time
MODEL_KEY = next(spec.key for spec in registry.for_dataset(TASK.key))

MARKDOWN_SPECIAL = set("\\`*_[]<>#~$|")  # written characters shown as themselves, not as formatting


def as_markdown(text: str) -> str:
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in text)


st.title(":material/edit_note: Watch an LSTM write")
st.caption("A language model made of two LSTM layers has read 25,000 IMDB reviews, one character at a "
           "time, always guessing the next one. Give it a start and ask for a positive or a negative "
           "review; it writes one character after another, each drawn from its guess.")

writer = model_cache.char_writer(MODEL_KEY)
if writer is None:
    st.error(f"The writing model is unavailable. Train it with `python -m models train {MODEL_KEY}`.")
    st.stop()

url_state.restore("write")  # a shared link's settings, once per session
controls, output = st.columns([1, 1.6], gap="large")
with controls:
    prompt_text = st.text_input("Start of the review", value="This movie was", max_chars=generation.MAX_PROMPT,
                                key="write_prompt", help="Lower case is how the model reads (it was trained "
                                                         "that way); capitals are lowered for you.")
    sentiment = st.segmented_control("Ask for", ["positive", "negative"], default="positive",
                                     key="write_sentiment") or "positive"
    temperature = st.slider("Temperature T", 0.1, 2.0, 0.8, 0.1, key="write_temperature",
                            help="p = softmax(z / T): low T plays safe, high T takes risks.")
    length = st.slider("Characters to write", 20, 600, 300, 20, key="write_length")
    strength = st.slider("Sentiment strength g", 0.0, 3.0, generation.DEFAULT_STRENGTH, 0.5, key="write_strength",
                         help="z = z_asked + g (z_asked − z_other): how hard the asked sentiment is pushed.")
    seed = st.number_input("Random seed", 0, 10_000, 0, key="write_seed",
                           help="The same seed and settings write the same review.")
    go = st.button("Write", type="primary", icon=":material/edit:", width="stretch")
url_state.remember("write")

prompt = generation.prepare_prompt(prompt_text)
sentiment_id = characters.SENTIMENTS.index(sentiment)
with controls:
    if prompt.unknown:
        st.info(f"The model cannot spell {' '.join(prompt.unknown)}; it reads them as an unknown character.")
    if prompt.cut:
        st.info(f"Only the last {generation.MAX_PROMPT:,} characters of the start are read.")

with output:
    st.subheader("What it writes")
    if go:
        steps: list = []

        def stream():
            yield f"**{as_markdown(prompt.text)}**" if prompt.text else ""
            for step in writer.write(prompt.text, sentiment_id, temperature, length, seed=int(seed),
                                     strength=strength):
                steps.append(step)
                yield as_markdown(step.char)

        st.write_stream(stream())
        st.session_state["write_result"] = {"prompt": prompt.text, "text": "".join(s.char for s in steps),
                                            "probabilities": np.array([s.probabilities for s in steps])}
        # Open the view below on the character the model was least sure about (highest entropy).
        st.session_state["write_step"] = generation.least_certain_step(
            st.session_state["write_result"]["probabilities"]) + 1
    result = st.session_state.get("write_result")
    if result is None:
        st.info("Press **Write**.", icon=":material/arrow_back:")
    elif not go:
        st.markdown(f"**{as_markdown(result['prompt'])}**{as_markdown(result['text'])}")
    if result is not None:
        review = result["prompt"] + result["text"]
        judge, gates = st.columns(2)
        if judge.button("Let the sentiment models judge it", icon=":material/rate_review:", width="stretch"):
            navigation.open_review(review)
        if gates.button("Watch an LSTM's gates read it", icon=":material/tune:", width="stretch"):
            navigation.open_gate_view(navigation.GateRequest("imdb_lstm", text=review))

if result := st.session_state.get("write_result"):
    st.subheader("The guess behind each character")
    n = len(result["probabilities"])
    if not 1 <= st.session_state.get("write_step", 1) <= n:
        st.session_state["write_step"] = 1
    t = st.slider("Character number (it opens on the one the model was least sure about)", 1, n,
                  key="write_step") if n > 1 else 1
    written = result["text"]
    chosen = written[t - 1]
    left, right = st.columns([1.4, 1], gap="large")
    with left:
        before = (result["prompt"] + written[:t - 1])[-60:]
        st.markdown(f"…`{before}`**`{charts.shown(chosen)}`** ← character {t}, drawn from this guess:")
        st.vega_lite_chart(*charts.next_character_bars(result["probabilities"][t - 1], chosen), width="stretch")
    with right:
        st.markdown(equations.TEMPERATURE_TEXT)
        st.latex(equations.TEMPERATURE)
        st.latex(equations.GUIDANCE)

    st.subheader("Temperature changes the same guess")
    # Back from the probabilities to the scores z (up to a constant): log p = z / T - log(sum).
    scores = np.log(np.clip(result["probabilities"][t - 1], 1e-12, 1)) * temperature
    st.vega_lite_chart(*charts.temperature_panels(scores, (0.2, 0.8, 1.5)), width="stretch")


@st.fragment
def step_by_step():
    """The student (or the teacher) picks every next character from the model's top ten."""
    st.subheader("Write it yourself, one character at a time")
    st.caption("The model shows its ten best guesses for the next character; click one (or let it draw one "
               "at the temperature above). Its memory — the LSTM states h and c — is carried from click to click.")
    state = st.session_state.get("write_steps")
    restart = st.button("Start from the prompt above", icon=":material/restart_alt:", key="write_step_restart")
    if state is None or restart:
        logits, states = writer.read(prompt.text, sentiment_id)
        state = {"text": prompt.text, "logits": logits, "states": states, "sentiment": sentiment_id}
        st.session_state["write_steps"] = state
    probabilities = generation.softmax_with_temperature(state["logits"][0], temperature)
    top = [characters.VOCABULARY[i] for i in np.argsort(probabilities)[::-1][:10]]
    st.markdown(f"> {state['text'] or '(empty)'}▌")
    picked = st.pills("Next character", top, format_func=charts.shown, key=f"write_pick_{len(state['text'])}")
    draw = st.button("Let the model draw one", icon=":material/casino:", key="write_step_draw")
    if draw:
        picked = characters.VOCABULARY[int(np.random.default_rng().choice(len(probabilities), p=probabilities))]
    if picked:
        logits, states = writer.step(np.array([characters.VOCABULARY.index(picked)]),
                                     np.array([state["sentiment"]]), state["states"])
        st.session_state["write_steps"] = {**state, "text": state["text"] + picked, "logits": logits,
                                           "states": states}
        st.rerun(scope="fragment")
    st.vega_lite_chart(*charts.next_character_bars(probabilities), width="stretch")


step_by_step()
