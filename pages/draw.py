"""Draw a digit: every MNIST model's answer, what the models see, and what happens inside."""

import numpy as np
import streamlit as st

from pages._ui import classroom, datasets, model_cache, navigation, streamlit_fixes, tf_import, url_state
from pages._ui.charts import reading as charts

streamlit_fixes.require_router()
tf_import.import_tensorflow()  # before anything that imports TensorFlow
from data import catalog, digits  # noqa: E402
from models.probes import compiled  # noqa: E402
from pages._ui import answer_first, answers, equations, layout, pen_up, pen_view  # noqa: E402

TASK = catalog.get(catalog.MNIST)  # what this page reads: drawn digits

CANVAS_SIZE = 280  # 10x MNIST, so one canvas pixel of stroke ~ 0.1 MNIST pixel
ENLARGE = 8  # 28x28 shown at 224x224
CONV_TAB = ":material/grid_view: CNN feature maps"
RNN_TAB = ":material/replay: Recurrent memory, row by row"
PEN_TAB = ":material/gesture: Read the pen, not the picture"
NOT_DRAWN = "The pen models read strokes in the order they were drawn: choose **Draw** and draw a digit."

st.title(":material/draw: Draw a digit")
st.caption("Four networks read the same 28×28 picture. Draw with a mouse or a finger, upload a photo, "
           "or pick a real handwritten digit from the MNIST test set.")

SOURCES = ["Draw", "Upload an image", "Random MNIST test digit"]
url_state.restore("draw")  # a shared link's input and view, once per session
source = st.segmented_control("Input", SOURCES, default="Draw", key="draw_source",
                              label_visibility="collapsed") or "Draw"


def drawn_input():
    """The canvas; returns (grey image or None, note)."""
    from streamlit_drawable_canvas import st_canvas

    stroke = st.slider("Pen width", 8, 40, 22, key="pen_width",
                       help="Any width works: the stroke is normalised to MNIST's pen width.")
    with st.container(key=layout.CANVAS_BLOCK):  # the stylesheet keeps all 280 px of it on screen
        canvas = st_canvas(
            stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000",
            height=CANVAS_SIZE, width=CANVAS_SIZE, drawing_mode="freedraw",
            return_image_data=True, key=f"canvas_{st.session_state.get('canvas_generation', 0)}",
        )
        pen_up.send_on_pen_up()  # the stroke goes to the server at pen-up, not 200 ms later
    if st.button("Clear", icon=":material/ink_eraser:"):
        st.session_state["canvas_generation"] = st.session_state.get("canvas_generation", 0) + 1
        st.rerun(scope="fragment")
    image = canvas.image_data
    st.session_state["draw_canvas_json"] = getattr(canvas, "json_data", None)  # the strokes, for the pen models
    return (None if image is None else image[..., :3]), None


def uploaded_input():
    upload = st.file_uploader("A picture of one digit (PNG, JPEG…): dark on light or light on dark",
                              type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"])
    if upload is None:
        return None, None
    try:
        image = digits.open_image(upload.getvalue())
    except digits.NotAnImage as error:
        st.error(f"Cannot read **{upload.name}**: {error}.")
        return None, None
    st.image(image, caption="your upload", width=CANVAS_SIZE)
    return image, None


def mnist_input():
    picked = datasets.random_test_example(TASK.key, "mnist_index", "another_digit")
    if picked is None:
        return None, None
    image, label, index = picked
    st.image(digits.enlarge(image / 255.0, ENLARGE), caption=f"test digit #{index}", width=CANVAS_SIZE, clamp=True)
    return image, f"True label: **{label}** (test digit #{index})"


@st.fragment
def digit_lab():
    """Input, prediction and inside views; a stroke reruns only this fragment."""
    models = model_cache.loaded_models(TASK.key)
    ready = model_cache.usable(models)
    if not ready:
        st.error("No digit model is available. Train one with `python -m models train mnist_cnn`.")
        return

    # Input, then the answer right beside it (on a phone: right below it), then what the models saw.
    left, right, middle = st.columns([1.15, 1.1, 1], gap="medium")
    with left:
        st.subheader("Your input")
        reader = {"Draw": drawn_input, "Upload an image": uploaded_input}.get(source, mnist_input)
        image, note = reader()
        url_state.remember("draw")  # the address reproduces this view
    try:
        prepared = digits.prepare(image) if image is not None else None
    except digits.NotAnImage as error:
        st.error(f"That input cannot be used: {error}.")
        return
    with right, st.container(key=layout.ANSWER_BLOCK):
        st.subheader("What they think")
        if prepared is None:
            if image is None:
                st.info("Draw a digit (0–9) on the black square." if source == "Draw"
                        else "Choose an input first.", icon=":material/arrow_back:")
            else:
                st.info("No ink found: the picture is blank (or has no contrast). Draw or upload a digit.")
        else:
            probabilities = model_cache.ensemble(ready)(prepared.image)
            answer(models, probabilities, note)
    if prepared is not None:
        # The rest is computed while the browser paints the answer, and sent once it has had time to.
        answered_at = answer_first.answer_sent()
        bars = charts.probability_bars(probabilities, {k: models[k].spec.title for k in probabilities},
                                       list(TASK.class_names), columns=2 if layout.on_a_phone() else 4)
        # The pen models read the strokes only while their tab is open (only the open tab runs).
        pen_reading = read_the_pen() if st.session_state.get("inside_view") == PEN_TAB else None
        if answer_first.is_new("draw", source, prepared.image):
            answer_first.let_it_paint(answered_at)
    with middle:
        st.subheader("What the models see")
        with st.container(key=layout.PIXELATED):  # sent as 28×28, enlarged by the browser
            st.image(np.zeros((28, 28), np.float32) if prepared is None else prepared.image,
                     width=28 * ENLARGE, clamp=True)
        if prepared is None:
            st.caption("28×28 pixels, ink bright on black, like MNIST.")
            return
        st.caption("Cropped to the ink, longer side scaled to 20 px, centre of mass at the centre "
                   "of 28×28 — exactly how MNIST was made."
                   + (" Your dark-on-light picture was inverted." if prepared.inverted else ""))
    with right:  # below the answer, so it stays next to the canvas
        classroom.send_drawing_to_board(prepared.image, classroom.digit_answers(probabilities))

    st.subheader("Every model's probabilities")
    st.vega_lite_chart(*bars)

    st.subheader("Inside the models")
    inside_views(ready, prepared.image, pen_reading)


def answer(models: dict, probabilities: dict, note: str | None) -> None:
    """The leading model's digit in large type, whether the others agree, and who is unsure."""
    verdict = answers.show_answer(probabilities, {k: models[k].spec.title for k in probabilities},
                                  list(TASK.class_names))
    if verdict["unsure"]:
        names = ", ".join(models[k].spec.title for k in verdict["unsure"])
        st.info(f"Not sure ({names}: top probability under {compiled.LOW_CONFIDENCE:.0%}). "
                "Is it a clear digit, drawn large?")
    if note:
        st.markdown(note)


def read_the_pen():
    """The pen models' reading of the canvas's strokes (pages/_ui/pen_view.py), or what to say."""
    return pen_view.read(st.session_state.get("draw_canvas_json")) if source == "Draw" else NOT_DRAWN


def inside_views(ready: dict, image28: np.ndarray, pen_reading=None):
    from models.probes import features, recurrent

    conv_keys = [k for k, m in ready.items() if features.conv_layers(m.runner.model)]
    rnn_keys = [k for k, m in ready.items() if recurrent.recurrent_layers(m.runner.model)]
    # Only the open tab runs (and is sent): a stroke computes and draws one view, not three.
    tab_conv, tab_rnn, tab_pen = st.tabs([CONV_TAB, RNN_TAB, PEN_TAB], key="inside_view", on_change="rerun")
    with tab_conv:
        if tab_conv.open is not False:  # None: AppTest without tab state runs them all
            feature_map_view(conv_keys, image28)
    with tab_rnn:
        if tab_rnn.open is not False:
            memory_view(ready, rnn_keys, image28)
    with tab_pen:
        if tab_pen.open is not False:
            pen_view.show(read_the_pen() if pen_reading is None else pen_reading)


def feature_map_view(conv_keys: list[str], image28: np.ndarray) -> None:
    from models.probes import features

    if not conv_keys:
        st.info("No convolutional model is loaded.")
    for key in conv_keys:
        maps = model_cache.feature_maps(key)(image28)
        st.markdown(" ".join(equations.CONV2D_TEXT.split("\n")))
        for eq in equations.CONV2D:
            st.latex(eq)
        for name, fmap in maps.items():
            h, w, c = fmap.shape
            st.markdown(f"**{name}** — {c} filters, each map {h}×{w} (bright = strong response)")
            tiles = features.mosaic(fmap, columns=16 if c > 32 else 8, scale=1)  # enlarged by the browser
            with st.container(key=f"{layout.PIXELATED}_{key}_{name}"):
                st.image(tiles, width=tiles.shape[1] * max(3, 96 // h))


def memory_view(ready: dict, rnn_keys: list[str], image28: np.ndarray) -> None:
    if not rnn_keys:
        st.info("No recurrent model is loaded.")
        return
    if "rnn_view" not in st.session_state and st.session_state.get("rnn_view_kept") in rnn_keys:
        st.session_state["rnn_view"] = st.session_state["rnn_view_kept"]  # kept while the tab was shut
    titles = {k: ready[k].spec.title for k in rnn_keys}
    key = st.radio("Model", rnn_keys, format_func=titles.get, horizontal=True, key="rnn_view")
    st.session_state["rnn_view_kept"] = key
    trace = model_cache.hidden_states(key)(image28)
    chart_col, eq_col = st.columns([1.6, 1], gap="large")
    with chart_col:
        st.markdown(f"**Hidden state $h_t$ of `{trace.layer_name}`** after each of the 28 rows "
                    f"({trace.hidden.shape[1]} units; red positive, blue negative)")
        st.vega_lite_chart(*charts.state_heatmap(trace.hidden, "row", "h"))
        if trace.probabilities is not None:
            st.markdown("**What the model would answer after reading only rows 1…t**")
            st.vega_lite_chart(*charts.readout_lines(trace.probabilities, list(TASK.class_names), "row"))
    with eq_col:
        st.markdown(f"**{trace.layer_type}**, one step per image row: $x_t$ is the 28 pixels of row $t$.")
        for eq in equations.RECURRENT.get(trace.layer_type, []):
            st.latex(eq)
        if trace.probabilities is not None:
            st.latex(equations.SOFTMAX_READOUT)
        st.markdown(equations.RECURRENT_TEXT.get(trace.layer_type, ""))
        if trace.layer_type == "LSTM" and st.button("Watch its gates on this digit, step by step",
                                                    icon=":material/tune:", key="open_gates"):
            navigation.open_gate_view(navigation.GateRequest(key, image=image28))  # the gates page, on this input


digit_lab()
