"""Two adjustments to Streamlit itself, made once per server: route every URL through app.py,
and keep Keras's state between script runs."""

from __future__ import annotations

import streamlit as st


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
