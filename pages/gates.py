"""Watch an LSTM think: its gates, step by step, on sine waves, digits and reviews (any registry
model with an LSTM, on an input kind this page has a form for).

What you see, then why: the wave the LSTM reads, its predictions, then inside it the input
gate, forget gate, candidate, output gate, cell and hidden state at every time step, with the
six equations and the numbers of the chosen step and unit. The gates are recomputed in NumPy
from the layer's own weights (models.probes.gates); this file only draws.

Other pages open this one on their own input with ``pages._ui.navigation.open_gate_view``.
"""

import numpy as np
import streamlit as st

from pages._ui import datasets, model_cache, streamlit_fixes, tf_import, training_session, url_state
from pages._ui.charts import gates as gate_charts
from pages._ui.charts import waves as wave_charts

streamlit_fixes.require_router()
tf_import.import_tensorflow()  # before anything that imports TensorFlow
from data import catalog, digits, sequences  # noqa: E402
from models import registry  # noqa: E402
from models.probes import gates  # noqa: E402
from models.training import runs  # noqa: E402
from pages._ui import equations, examples, navigation  # noqa: E402

WAVES = "waves"  # the wave lab; every other option is the registry key of an LSTM model

st.title(":material/tune: Watch an LSTM think")
st.caption("An LSTM reads a sequence one step at a time. At every step three gates decide what to forget, "
           "what to write into its memory and what to show. Move through time and watch them open and close.")


# -- Loading -----------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the model…")
def _pretrained_view(key: str):
    """A registry model's gate view (one per server, shared by all sessions: read-only)."""
    from models import store

    try:
        model = model_cache.pretrained_model(key)  # the same copy the Draw and Review pages use
    except store.ModelUnavailable as error:
        return None, str(error)
    try:
        return model_cache.long_lived((gates.GateView(model), None))
    except Exception as error:  # no LSTM, an activation the recomputation does not know, an odd graph
        return None, f"{key} cannot be shown here ({type(error).__name__}: {error})"[:300]


def pretrained_view(key: str):
    view, error = _pretrained_view(key)
    if error:
        _pretrained_view.clear(key)  # retried on the next rerun, not cached as broken
    return view, error


def gate_models() -> list[registry.ModelSpec]:
    """Every shipped registry model with an LSTM layer, other than the wave models (read from
    the metadata, without loading anything)."""
    return [spec for spec in registry.MODELS.values()
            if not _is_wave(spec) and spec.pretrained_path.is_file()
            and gates.has_lstm((registry.load_metadata(spec.key) or {}).get("layers"))]


def _is_wave(spec: registry.ModelSpec) -> bool:
    task = catalog.TASKS.get(spec.dataset)
    return task is not None and task.input_kind == "wave"


def source_title(option: str) -> str:
    if option == WAVES:
        return "Sine & cosine waves"
    spec = registry.get(option)
    task = catalog.TASKS.get(spec.dataset)
    return f"{(task.reading_title or task.title) if task else spec.dataset} · {spec.title}"


# -- The gate view (any LSTM) ------------------------------------------------------------------


def _clamp_state(key: str, low: int, high: int, default: int) -> None:
    """Keep a slider's value in range. Write it only when it must change: every write from Python
    is sent back to the browser as the slider's value, and a write on every run overwrote the
    arrow-key presses a student made while the previous step was still being drawn."""
    value = st.session_state.get(key, default)
    clamped = int(min(max(value, low), high))
    if key not in st.session_state or clamped != value:
        st.session_state[key] = clamped


def _int_slider(where, label: str, low: int, high: int, key: str, **kwargs) -> int:
    """A slider, or just the value when there is only one (Streamlit refuses min == max)."""
    if high <= low:
        where.markdown(f"{label}: **{low}** (the only one)")
        return low
    return where.slider(label, low, high, key=key, **kwargs)


# The control bar stays in view while the panels scroll under it.
# (The sticky element is the wrapper Streamlit puts around the keyed container: sticky only
# works inside a parent taller than the element.)
STICKY_BAR = """<style>
div:has(> .st-key-gates_bar) {position: sticky; top: 3.75rem; z-index: 90; background: white;
                              padding: 0.4rem 0 0.3rem 0; border-bottom: 2px solid #e6e6e6;}
header[data-testid="stHeader"] {background: white;}
</style>"""
EQUATION_KEYS = {"i": "i", "f": "f", "c~": "g", "o": "o", "c": "c", "h": "h"}  # CSS-safe container keys


@st.fragment
def gate_explorer(view: gates.GateView, x, step_title: str = "time step", labels: list[str] | None = None,
                  input_title: str = "Input x_t", input_text: str | None = None, feature_title: str = "feature"):
    """Under the input, one row per quantity (i, f, c̃, o, c, h): its chart over time on the left,
    its equation with this step's numbers and two sentences on the right. A fragment: moving a
    slider reruns only this."""
    reading = view(x)
    with st.container(key="gates_explorer"):
        st.html(STICKY_BAR)
        with st.container(key="gates_bar"):
            stacked = len(view.layers) > 1
            columns = st.columns([2.4, 1.8, 1.3, 1.5] if stacked else [2.4, 1.8, 1.3], gap="medium")
            layer = 0
            if stacked:
                layer = columns[3].radio("LSTM layer", range(len(view.layers)), key="gates_layer",
                                         format_func=lambda i: f"{view.layers[i].name} ({view.weights[i].units} units)")
            trace = reading.shown(layer)
            steps, units = len(trace), trace.units
            if steps == 0:
                st.info("There is nothing to read: the input has no step the model looks at.")
                return
            _clamp_state("gates_step", 1, steps, (steps + 1) // 2)
            _clamp_state("gates_unit", 0, units - 1, trace.most_active_unit())
            step = _int_slider(columns[0], "Time step t" if step_title == "t" else f"Time step t ({step_title})",
                               1, steps, key="gates_step")
            url_state.remember("gates")
            unit = _int_slider(columns[1], "Unit", 0, units - 1, key="gates_unit",
                               help="Each unit is one number of the layer's memory. The first one shown is the "
                                    "unit whose cell state moves most.")
            mode = columns[2].radio("Show", ["heatmap", "lines"], key="gates_mode",
                                    format_func={"heatmap": "every unit", "lines": "the chosen unit"}.get)
        step_labels = [labels[s] for s in trace.steps] if labels is not None else None
        values = trace.step(step - 1, unit)
        tex = equations.lstm_step(values, step)
        if stacked and layer:  # a stacked layer reads the hidden states of the one below
            input_title = f"Input x_t = h_t of {view.layers[layer - 1].name}"
            input_text = "This layer reads the hidden state of the layer below, one step at a time."
            feature_title = "unit below"

        chart_col, text_col = st.columns([3, 2], gap="medium", vertical_alignment="center")
        chart_col.altair_chart(gate_charts.gate_input_panel(trace.x, step, input_title, step_title, step_labels,
                                                       feature_title))
        with text_col:
            read = f" — **{step_labels[step - 1]}**" if step_labels else ""
            st.markdown(f"#### Step t = {step}{read}, unit {unit}")
            if trace.x.shape[1] == 1:
                st.latex(rf"x_{{{step}}} = {trace.x[step - 1, 0]:.3f}")
            if input_text:
                st.caption(input_text)
        for q in gates.QUANTITIES:
            title, sentences = equations.LSTM_GATE_TEXT[q]
            chart_col, text_col = st.columns([3, 2], gap="medium", vertical_alignment="center")
            chart_col.altair_chart(gate_charts.gate_panel(q, trace.values(q), step, unit, title, mode, step_title))
            with text_col:
                with st.container(key=f"gates_eq_{EQUATION_KEYS[q]}"):
                    st.latex(tex[q])
                st.caption(sentences)


# -- Sine and cosine waves ---------------------------------------------------------------------


def signal_controls() -> sequences.Signal | None:
    d = sequences.DEFAULTS["sine"]
    task_col, a_col, f_col, n_col, w_col = st.columns([1.3, 1, 1, 1, 1], gap="medium")
    task = task_col.radio("Task", list(sequences.TASKS), format_func=sequences.TASKS.get, key="gates_task")
    amplitude = a_col.slider("Amplitude", 0.25, 2.0, d.amplitude, 0.25, key="gates_amplitude")
    frequency = f_col.slider("Frequency (cycles per 100 steps)", 0.5, 10.0, d.frequency, 0.5, key="gates_frequency")
    noise = n_col.slider("Noise on the input (std)", 0.0, 0.3, d.noise, 0.01, key="gates_noise")
    window = w_col.slider("Window (steps read)", 5, 60, d.window, 1, key="gates_window")
    try:
        return sequences.Signal(task, amplitude, frequency, noise, window)
    except ValueError as error:
        st.error(f"These settings do not make a data set: {error}.")
        return None


def describe(signal: sequences.Signal) -> str:
    return (f"{sequences.TASKS[signal.task].lower()}, amplitude {signal.amplitude:g}, {signal.frequency:g} cycles per "
            f"100 steps, noise {signal.noise:g}, window {signal.window}")


def train_here(signal: sequences.Signal):
    """Controls and the Train button. The network trains in the worker process (like a Train-page
    run: a click neither kills it nor blocks the page), with a live progress bar and loss chart."""
    units_col, layers_col, epochs_col, stop_col = st.columns(4, gap="medium")
    units = units_col.select_slider("Units per layer", [8, 12, 16], value=12, key="gates_units")
    layers = layers_col.radio("LSTM layers", [1, 2], horizontal=True, key="gates_layers")
    epochs = epochs_col.slider("At most (epochs)", 5, 100, 40, 5, key="gates_epochs")
    converge = stop_col.toggle("Stop at convergence", value=True, key="gates_converge",
                               help="Stop when the mean training loss of an epoch differs from the previous "
                                    "epoch's by less than the threshold.")
    threshold = stop_col.select_slider("Threshold |Δ loss|", [1e-3, 3e-4, 1e-4, 3e-5, 1e-5], value=1e-4,
                                       format_func="{:g}".format, key="gates_threshold", disabled=not converge)
    job = st.session_state.get("gates_job")
    busy = job is not None and not job.done
    if st.button("Train", type="primary", icon=":material/model_training:", key="gates_train", disabled=busy):
        work = runs.WaveRun(signal, units, layers, epochs, threshold if converge else 0.0)
        job = training_session.training_queue().submit(work, owner=training_session.session_id(),
                                                       title="Gates page LSTM")
        st.session_state["gates_job"] = job
    if job is None:
        return
    if not job.done:
        @st.fragment(run_every=0.5)
        def live() -> None:
            show_progress(job)
            if job.done:
                st.rerun()  # the whole page: the trained network appears below

        live()
        return
    trained = st.session_state.get("gates_trained")
    if job.result is not None and (trained is None or trained.get("job") is not job):
        from models import store

        model = store.load_model_bytes(job.result.model_bytes)
        meta, work = job.result.metadata, job.settings
        st.session_state["gates_trained"] = {
            "job": job, "view": gates.GateView(model), "meta": meta, "signal": work.signal,
            "threshold": work.convergence_threshold or None, "seconds": sum(meta.get("seconds_per_epoch") or []),
            "layer_units": work.layer_units}
    elif job.status == "failed":
        st.error(f"Training failed: {job.error}")


def show_progress(job) -> None:
    """A queued or running wave network: its place in line, or its progress and loss so far."""
    if job.status == "queued":
        st.info(f"Queued: number {training_session.training_queue().position(job)} in line (one training at a "
                "time on this server). It starts by itself.", icon=":material/hourglass_top:")
        return
    epochs = [e for e in job.events_since(0) if e["kind"] == "epoch"]
    planned = job.settings.epochs
    if not epochs:
        st.progress(0.0, text="Preparing the data and the network…")
        return
    last = epochs[-1]
    st.progress(min(last["epoch"] / planned, 1.0), text=f"Epoch {last['epoch']}/{planned}: training loss "
                                                         f"{last['loss']:.2e}")
    history = {"loss": [e["loss"] for e in epochs], "val_loss": [e.get("val_loss", np.nan) for e in epochs]}
    st.altair_chart(wave_charts.loss_curves(history, epochs=min(planned, max(10, last["epoch"] + 2))))


def network_section(signal: sequences.Signal):
    """Pretrained or trained here; returns (gate view, the signal it learned) or (None, None)."""
    pretrained = [s for s in registry.MODELS.values() if s.dataset == signal.task]
    choice = st.radio("Network", ["pretrained", "here"], horizontal=True, key="gates_network",
                      format_func={"pretrained": "Pretrained", "here": "Train one here (seconds)"}.get)
    if choice == "pretrained":
        if not pretrained:
            st.info(f"There is no pretrained network for **{sequences.TASKS[signal.task]}**: train one here, it "
                    "takes a few seconds.", icon=":material/model_training:")
            return None, None
        spec = pretrained[0]
        view, error = pretrained_view(spec.key)
        if view is None:
            st.error(f"The pretrained **{spec.title}** is unavailable: {error}")
            return None, None
        meta = registry.load_metadata(spec.key) or {}
        learned = sequences.DEFAULTS[spec.dataset]
        layers = " > ".join(f"LSTM({w.units})" for w in view.weights)  # from the loaded model itself
        summary = f"**{spec.key}**: {layers} > Dense(1), trained on the default wave ({describe(learned)})."
        show_training(meta, spec.convergence_threshold, summary)
        return view, learned
    train_here(signal)
    trained = st.session_state.get("gates_trained")
    if trained is None:
        st.info("Choose the size of the network and press **Train**: the loss curve grows epoch by epoch.",
                icon=":material/model_training:")
        return None, None
    units = " > ".join(f"LSTM({n})" for n in trained["layer_units"])
    show_training(trained["meta"], trained["threshold"],
                  f"**Your network**: {units} > Dense(1), trained in {trained['seconds']:.1f} s on "
                  f"{describe(trained['signal'])}.")
    return trained["view"], trained["signal"]


def show_training(meta: dict, threshold: float | None, summary: str) -> None:
    chart_col, facts_col = st.columns([2, 1], gap="large")
    with chart_col:
        st.markdown(summary)
        if meta.get("history"):
            st.altair_chart(wave_charts.loss_curves(meta["history"], meta.get("converged_epoch"), threshold))
    with facts_col:
        if "test_mse" in meta:
            st.metric("test MSE (on its own wave)", f"{meta['test_mse']:.2e}")
        epochs = meta.get("epochs")
        if epochs:
            stopped = (f"stopped at convergence after epoch {meta['converged_epoch']}" if meta.get("converged_epoch")
                       else f"ran all {epochs} epochs")
            per_epoch = meta.get("seconds_per_epoch") or []
            st.caption(f"{meta.get('params', 0):,} parameters · {stopped} · "
                       f"{sum(per_epoch):.1f} s for the epochs")


def predictions_section(view: gates.GateView, wave: sequences.Wave, learned: sequences.Signal) -> None:
    signal = wave.signal
    if learned.task != signal.task:
        st.warning(f"This network learned **{sequences.TASKS[learned.task]}**; the wave above asks for "
                   f"**{sequences.TASKS[signal.task]}**, so its answers are not meant to fit.")
    elif learned.with_(seed=signal.seed, length=signal.length) != signal:
        st.info("The wave above differs from the one this network learned: see how well it carries over, "
                "or train one here on this wave.", icon=":material/info:")
    t_test, _, truth = sequences.test_inputs(wave)
    t_one, one = sequences.one_step_ahead(view.predict, wave)
    one_err = sequences.errors(one, wave.targets[t_one])
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**One step ahead** — each value predicted from the true previous {signal.window}")
        st.altair_chart(wave_charts.forecast_chart(t_test, truth, {"one step ahead": (t_one, one)}))
        st.metric("MSE one step ahead", f"{one_err['mse']:.2e}")
    with right:
        if not signal.free_running:
            st.markdown("**Free-running**")
            st.info("Free-running feeds each prediction back in as the next input; here the output (cosine) is "
                    "not the input (sine), so it does not apply.")
            return
        t_free, free = sequences.free_running(view.predict, wave)
        free_err = sequences.errors(free, wave.targets[t_free])
        st.markdown("**Free-running** — only the first window is real; each prediction is fed back in")
        st.altair_chart(wave_charts.forecast_chart(t_test, truth, {"free-running": (t_free, free)}))
        st.metric("MSE free-running", f"{free_err['mse']:.2e}",
                  f"{free_err['mse'] / max(one_err['mse'], 1e-12):.0f}× one step ahead", delta_color="off")


def wave_lab() -> None:
    st.subheader("1 · The wave")
    signal = signal_controls()
    if signal is None:
        return
    wave = sequences.wave(signal)
    input_name = "cosine" if signal.task == "cosine" else "sine"
    target_name = "sine" if signal.task == "sine" else "cosine"
    st.altair_chart(wave_charts.wave_chart(np.arange(signal.length), wave.inputs, wave.targets, wave.bounds,
                                      f"noisy {input_name}", f"clean {target_name}, one step later"))
    st.caption(f"The network reads {signal.window} steps of the input and predicts the target's next value. The "
               "wave is cut in time: it learns on the training stretch, is checked on validation while it learns, "
               "and is tested on the last stretch, which it never saw.")

    st.subheader("2 · The network")
    view, learned = network_section(signal)
    if view is None:
        return

    st.subheader("3 · Predictions on the test stretch")
    predictions_section(view, wave, learned)

    st.subheader("4 · Inside the LSTM: one window, step by step")
    test = wave.stretch("test")
    last_start = test.stop - signal.window - 1
    _clamp_state("gates_start", test.start, last_start, test.start)
    start = st.slider("The window starts at time step", test.start, last_start, key="gates_start",
                      help="Any window of the test stretch.")
    window = wave.inputs[start:start + signal.window]
    predicted = float(np.asarray(view.predict(window[None, :, None].astype(np.float32))).reshape(-1)[0])
    truth = float(wave.targets[start + signal.window])
    st.markdown(f"The LSTM reads these {signal.window} values and predicts **{predicted:.3f}** for the next "
                f"{target_name} value (truth **{truth:.3f}**).")
    gate_explorer(view, window[:, None], step_title="t", input_title="Input x_t: the window it reads",
                  input_text=f"{signal.window} values of the noisy {input_name}; the network's answer comes after "
                             "the last one.")


# -- Registry models (digits, reviews) ---------------------------------------------------------


def image_input(task: catalog.Task):
    """The Draw page's drawing, or a real test image of the task; returns (image in 0..1, caption)."""
    drawn = st.session_state.get("gates_image")
    options = (["drawing"] if drawn is not None else []) + ["test"]
    example_title = task.example_title or f"A test example of {task.title}"
    choice = st.radio("Digit", options, horizontal=True, key="gates_digit_source",
                      format_func={"drawing": "Your drawing (from the Draw page)", "test": example_title}.get)
    if choice == "drawing":
        return np.asarray(drawn, np.float32), "your drawing, as the models see it"
    picked = datasets.random_test_example(task.key, "gates_mnist_index", "gates_another")
    if picked is None:
        st.caption("Or draw a digit on the Draw page and open it here from there.")
        return None, None
    image, label, index = picked
    return image.astype(np.float32) / 255.0, f"{example_title.split(' ', 1)[1]} #{index} (a {label})"


def registry_lab(key: str) -> None:
    spec = registry.get(key)
    view, error = pretrained_view(key)
    if view is None:
        st.error(f"**{spec.title}** is unavailable: {error}")
        return
    meta = registry.load_metadata(key) or {}
    class_names = meta.get("class_names")
    task = catalog.TASKS.get(spec.dataset)
    step_title = task.step_title if task else "time step"
    input_col, answer_col = st.columns([1, 2], gap="large")
    labels, input_text = None, None
    if view.text_input:
        with input_col:
            st.session_state.setdefault("gates_text", examples.GATES_REVIEW)
            x = st.text_area("A review", key="gates_text", height=140)
            if not x.strip():
                st.info("Type a few words.")
                return
        feature_title, input_title = "embedding", "Input x_t: each word's embedding"
        input_text = "The Embedding layer turns each word into a vector of numbers; the LSTM reads one per step."
    elif task is not None and task.input_kind == "image" and view.input_shape == tuple(task.input_shape):
        with input_col:
            x, caption = image_input(task)
            if x is None:
                return
            st.image(digits.enlarge(x, 6), caption=caption, width=168, clamp=True)
        feature_title, input_title = "pixel", "Input x_t: the 28 pixels of row t"
        input_text = "Each column is one row of the picture, top row first: the LSTM never sees the image whole."
    else:
        st.info(f"**{spec.title}** reads inputs of shape {view.input_shape}; this page has no input form for "
                "them yet.")
        return
    reading = view(x)
    with answer_col:
        out = np.asarray(reading.output).reshape(-1)
        if out.size == 1 and class_names and len(class_names) == 2:
            p = float(out[0])
            st.metric(f"The {spec.title} says", class_names[int(p > 0.5)], f"P({class_names[1]}) = {p:.0%}",
                      delta_color="off")
        elif out.size > 1:
            top = int(out.argmax())
            name = class_names[top] if class_names else str(top)
            st.metric(f"The {spec.title} says", name, f"{out[top]:.0%} sure", delta_color="off")
        unit_count = " > ".join(f"LSTM({w.units})" for w in view.weights)
        st.markdown(f"**{spec.key}**: {unit_count}. It reads one {step_title} per time step and answers after "
                    "the last one, from its final hidden state h_t.")
        if reading.words is not None:
            shown = int(reading.visible.sum())
            st.caption(f"{shown} words read" + (" (the rest of the review is cut off)" if
                                                 view.text_input and len(x.split()) > shown else ""))
    if reading.words is not None:
        labels = reading.words
    gate_explorer(view, x, step_title=step_title, labels=labels, input_title=input_title, input_text=input_text,
                  feature_title=feature_title)


# -- The page ----------------------------------------------------------------------------------

request = navigation.take_gate_request()
options = [WAVES] + [spec.key for spec in gate_models()]
url_state.restore("gates", model=options, source=list(sequences.TASKS))  # a shared link, once per session
if request:
    if request.model in options:
        st.session_state["gates_source"] = request.model
        if request.image is not None:
            st.session_state["gates_image"] = np.asarray(request.image, np.float32)
            st.session_state["gates_digit_source"] = "drawing"
        if request.text is not None:
            st.session_state["gates_text"] = str(request.text)
    else:
        st.warning(f"The model {request.model!r} has no LSTM to show here (or is not trained yet).")
if st.session_state.get("gates_source", WAVES) not in options:
    st.session_state["gates_source"] = WAVES

source = st.radio("What the LSTM reads", options, format_func=source_title, horizontal=True, key="gates_source")
if source == WAVES:
    wave_lab()
else:
    registry_lab(source)
