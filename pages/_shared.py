"""What the pages share: cached models and data, loaded once per server process.

``st.cache_resource`` keeps one copy of each model for all sessions (never mutate it); the
compiled calls inside hold a lock, because TensorFlow models are not thread-safe.
"""

from __future__ import annotations

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


@dataclass
class Loaded:
    """A registry model ready to predict, or why it is not."""

    spec: registry.ModelSpec
    predictor: object | None
    error: str | None = None


@st.cache_resource(show_spinner="Loading the model…")
def _load(key: str) -> Loaded:
    from models import inference, store

    spec = registry.get(key)
    try:
        model = store.load_pretrained(key)
    except store.ModelUnavailable as error:
        return Loaded(spec, None, str(error))
    return Loaded(spec, inference.Predictor(model).warm_up())


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


@st.cache_resource(show_spinner="Preparing the feature-map view…")
def feature_maps(key: str):
    from models import inspect

    return inspect.FeatureMaps(_load(key).predictor.model)


@st.cache_resource(show_spinner="Preparing the hidden-state view…")
def hidden_states(key: str):
    from models import inspect

    return inspect.HiddenStates(_load(key).predictor.model)


@st.cache_data(show_spinner="Loading the MNIST test digits…")
def mnist_test_set():
    """The 10,000 MNIST test digits, or None with a message when the data is not here.
    Never downloads from a page: a class should not wait on the network."""
    from data import mnist

    try:
        return mnist.load_test("mnist", allow_download=False), None
    except sources.DataUnavailable as error:
        return None, str(error)
