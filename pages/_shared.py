"""What the pages share: cached models and data, loaded once per server process.

``st.cache_resource`` keeps one copy of each model for all sessions (never mutate it); the
compiled calls inside hold a lock, because TensorFlow models are not thread-safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import streamlit as st

from data import sources
from models import registry


def require_router() -> None:
    """Make sure this page runs inside app.py's navigation.

    Streamlit still honours its legacy ``pages/`` folder discovery until the first run of
    ``st.navigation``: on a freshly started server, a student who opens ``/draw`` directly
    would get this file run alone (no page config, every file of pages/ in the sidebar).
    Switching the legacy mode off and rerunning routes the same URL through app.py.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future Streamlit without the legacy mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def keep_keras_between_runs() -> None:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run.

    Streamlit does it for every session's every rerun once Keras is imported (a habit from
    TensorFlow 1's graphs). In Keras 3 it is a full ``gc.collect()``: ~220 ms per stroke per
    student, holding the interpreter, and it resets Keras's global state while other
    sessions' threads may be building models. Our models are built once and cached, and
    training runs in its own process, so there is nothing to clear. Matplotlib's clean-up
    (the other thing Streamlit does there) is kept.
    """
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:  # a Streamlit without this internal: nothing to change
        return
    original = getattr(script_runner, "_clean_problem_modules", None)
    if original is None or getattr(original, "keeps_keras", False):
        return

    def clean_problem_modules_but_keras() -> None:
        import sys

        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            try:
                pyplot.close("all")
            except Exception:  # as Streamlit's own: never crash a page over it
                pass

    clean_problem_modules_but_keras.keeps_keras = True
    script_runner._clean_problem_modules = clean_problem_modules_but_keras


_TENSORFLOW_IMPORT = threading.Lock()


def import_tensorflow() -> None:
    """Import TensorFlow and Keras one session at a time. Call it before a page imports any
    module that uses them.

    Streamlit runs each session's script in its own thread. When several students open pages
    of a freshly started server at once, their threads import Keras concurrently, and one of
    them can see the half-initialised module (seen: "module 'keras' has no attribute
    'callbacks'" with three students starting together). Behind this lock the first import
    finishes before anyone else uses it; afterwards it costs nothing.
    """
    with _TENSORFLOW_IMPORT:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401


@dataclass
class Loaded:
    """A registry model ready to use, or why it is not. ``runner`` is what the pages call:
    a compiled ``inference.Predictor`` for image models, a ``text.SentimentReader`` for
    review models."""

    spec: registry.ModelSpec
    runner: object | None
    error: str | None = None


@st.cache_resource(show_spinner="Loading the model…")
def pretrained_model(key: str):
    """The shipped Keras model, loaded once per server for every page and session (read-only).
    Raises ``store.ModelUnavailable``; Streamlit does not cache the failure, so it is retried."""
    import_tensorflow()
    from models import store

    return store.load_pretrained(key)


@st.cache_resource(show_spinner="Compiling the model…")
def _load(key: str) -> Loaded:
    from models import inference, store, text

    spec = registry.get(key)
    try:
        model = pretrained_model(key)
    except store.ModelUnavailable as error:
        return Loaded(spec, None, str(error))
    runner = text.SentimentReader(model) if spec.dataset == "imdb" else inference.Predictor(model)
    return Loaded(spec, runner.warm_up())


def loaded_models(dataset: str) -> dict[str, Loaded]:
    """Every registry model of ``dataset``, loaded (missing files reported, not raised).
    A model that failed to load is retried on the next rerun, not cached as broken."""
    result = {}
    for spec in registry.for_dataset(dataset):
        loaded = _load(spec.key)
        if loaded.error:
            _load.clear(spec.key)
        result[spec.key] = loaded
    return result


def usable(models: dict[str, Loaded]) -> dict[str, Loaded]:
    """The loaded models; a warning on the page for each one that is not."""
    for m in models.values():
        if m.error:
            st.warning(f"**{m.spec.title}** is unavailable: {m.error}")
    return {k: m for k, m in models.items() if m.runner is not None}


@st.cache_resource(show_spinner="Preparing the feature-map view…")
def feature_maps(key: str):
    from models import inspect

    return inspect.FeatureMaps(_load(key).runner.model)


@st.cache_resource(show_spinner="Preparing the hidden-state view…")
def hidden_states(key: str):
    from models import inspect

    return inspect.HiddenStates(_load(key).runner.model)


@st.cache_data(show_spinner="Loading the MNIST test digits…")
def mnist_test_set():
    """The 10,000 MNIST test digits, or None with a message when the data is not here.
    Never downloads from a page: a class should not wait on the network."""
    from data import mnist

    try:
        return mnist.load_test("mnist", allow_download=False), None
    except sources.DataUnavailable as error:
        return None, str(error)


@st.cache_data(show_spinner="Loading the IMDB test reviews…")
def imdb_test_set():
    """The 25,000 test reviews and labels, or None with a message when the data is not here."""
    from data import imdb

    try:
        return imdb.load(allow_download=False)[1], None
    except sources.DataUnavailable as error:
        return None, str(error)


def offer_download(dataset: sources.DatasetFile, message: str, size: str, on_done) -> None:
    """A dataset is not on this machine: say so, and offer to fetch it with a progress bar."""
    st.info(message)
    if st.button(f"Download {dataset.title} now ({size})", key=f"download_{dataset.name}"):
        bar = st.progress(0.0, text=f"Downloading {dataset.title}…")

        def show(done, total):
            bar.progress(min(done / total, 1.0) if total else 0.0,
                         text=f"Downloading {dataset.title}… {done / 1e6:.1f} MB")

        try:
            sources.ensure(dataset, progress=show)
        except sources.DataUnavailable as error:
            st.error(str(error))
            return
        on_done()
        st.rerun()


# -- Opening the LSTM gates page on another page's input ---------------------------------------

GATES_REQUEST = "gates_request"  # read (and removed) by pages/gates.py


def open_gate_view(model_key: str, **given) -> None:
    """Switch to the LSTM gates page showing ``model_key`` on this input: ``image=`` a 28×28
    float array in 0..1 (digit models) or ``text=`` a string (review models). Call it in a
    button's branch: ``if st.button(...): shared.open_gate_view("mnist_lstm", image=x)``."""
    st.session_state[GATES_REQUEST] = {"model": model_key, **given}
    st.switch_page("pages/gates.py")


def random_mnist_digit(state_key: str, button_key: str):
    """A random MNIST test digit, kept in ``st.session_state[state_key]`` until the "Another
    digit" button is pressed: ``(uint8 28x28 image, true label, index)``. Without the data, an
    offer to download it and None."""
    from data import mnist

    test_set, message = mnist_test_set()
    if test_set is None:
        offer_download(mnist.MNIST, message, "11 MB", mnist_test_set.clear)
        return None
    x_test, y_test = test_set
    another = st.button("Another digit", icon=":material/casino:", key=button_key)
    if another or state_key not in st.session_state:
        import numpy as np

        st.session_state[state_key] = int(np.random.default_rng().integers(len(x_test)))
    index = st.session_state[state_key]
    return x_test[index], int(y_test[index]), index


# -- Training in the background (Train page) and its results (Compare page) -------------------

TRAINING_JOBS = "training_jobs"  # this session's TrainingJobs, newest last
KEEP_RUNS = 3  # finished runs whose model stays in memory per session; older ones are let go


def session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def _session_alive(session: str) -> bool:
    """Whether a browser session is still connected (a closed tab is not)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():  # AppTest and scripts: no server, nobody to lose
        return True
    return Runtime.instance().is_active_session(session)


@st.cache_resource
def training_queue():
    """The server's one training queue: at most EXPLORER_MAX_TRAINING_RUNS runs at once
    (default 1: on 2 cores a second run would halve both and stall every drawing)."""
    import os

    from models import worker

    import_tensorflow()
    limit = int(os.environ.get("EXPLORER_MAX_TRAINING_RUNS", "1") or 1)
    return worker.TrainingQueue(max_running=limit, owner_alive=_session_alive)


def my_jobs() -> list:
    return st.session_state.setdefault(TRAINING_JOBS, [])


def start_training(settings, title: str | None = None):
    job = training_queue().submit(settings, owner=session_id(), title=title)
    jobs = my_jobs()
    jobs.append(job)
    # Keep the model files of the last KEEP_RUNS finished runs; older runs keep their results.
    finished = [j for j in jobs if j.result is not None]
    for old in finished[:-KEEP_RUNS]:
        old.result.model_bytes = None
    return job


def my_results(dataset: str) -> list:
    """This session's finished (or stopped) runs on ``dataset``, as Compare-page results."""
    from models import comparison

    results = []
    for job in my_jobs():
        result = job.result
        if result is None or job.settings.dataset != dataset:
            continue
        results.append(comparison.ModelResult(job.key, f"{job.settings.family} #{job.number}", dataset,
                                              result.metadata, result.predictions, source="your run",
                                              builder_args=result.metadata.get("builder_args")))
    return results


def test_labels(dataset: str):
    """The true labels of a dataset's test set, or None when the data is not here."""
    test_set, _ = mnist_test_set() if dataset == "mnist" else imdb_test_set()
    return None if test_set is None else test_set[1]
