"""Models loaded once per server process and shared by every session.

``st.cache_resource`` keeps one copy of each model for all sessions (never mutate it); the
compiled calls inside hold a lock, because TensorFlow models are not thread-safe.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import streamlit as st

from data import catalog
from models import registry
from pages._ui.tf_import import import_tensorflow


@dataclass
class Loaded:
    """A registry model ready to use, or why it is not. ``runner`` is what the pages call:
    a compiled ``compiled.Predictor`` for image models, a ``reviews.SentimentReader`` for
    review models."""

    spec: registry.ModelSpec
    runner: object | None
    error: str | None = None


def long_lived(value):
    """``value`` (a model just loaded, a probe just compiled) and everything alive now stay for the
    server's lifetime: take them out of the garbage collector's full collections. Python's full
    collection otherwise walks every TensorFlow and Keras object (~360,000 with the shipped
    models: ~150 ms holding the interpreter) now and then, and every student's answer waits
    behind it. Cycles made later are still collected."""
    gc.collect()
    gc.freeze()
    return value


@st.cache_resource(show_spinner="Loading the model…")
def pretrained_model(key: str):
    """The shipped Keras model, loaded once per server for every page and session (read-only).
    Raises ``store.ModelUnavailable``; Streamlit does not cache the failure, so it is retried."""
    import_tensorflow()
    from models import store

    return store.load_pretrained(key)


@st.cache_resource(show_spinner="Compiling the model…")
def _load(key: str) -> Loaded:
    from models import store
    from models.probes import compiled, reviews

    spec = registry.get(key)
    try:
        model = pretrained_model(key)
    except store.ModelUnavailable as error:
        return Loaded(spec, None, str(error))
    reads_text = catalog.get(spec.dataset).input_kind == "text"
    runner = reviews.SentimentReader(model) if reads_text else compiled.Predictor(model)
    return long_lived(Loaded(spec, runner.warm_up()))


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


def ready(models: dict[str, Loaded]) -> dict[str, Loaded]:
    """The models that loaded (nothing shown on the page)."""
    return {k: m for k, m in models.items() if m.runner is not None}


def usable(models: dict[str, Loaded]) -> dict[str, Loaded]:
    """The loaded models; a warning on the page for each one that is not."""
    for m in models.values():
        if m.error:
            st.warning(f"**{m.spec.title}** is unavailable: {m.error}")
    return ready(models)


@st.cache_resource(show_spinner="Compiling the models together…")
def _ensemble(keys: tuple[str, ...]):
    from models.probes import compiled

    return long_lived(compiled.Ensemble({key: _load(key).runner.model for key in keys}).warm_up())


def ensemble(ready: dict[str, Loaded]):
    """The ``ready`` models as one compiled, cross-session batched call (``compiled.Ensemble``):
    ``ensemble(ready)(x)`` is each model's probabilities for the one input ``x``."""
    return _ensemble(tuple(ready))


@st.cache_resource(show_spinner="Preparing the feature-map view…")
def feature_maps(key: str):
    from models.probes import features

    return long_lived(features.FeatureMaps(_load(key).runner.model))


@st.cache_resource(show_spinner="Preparing the hidden-state view…")
def hidden_states(key: str):
    from models.probes import recurrent

    return long_lived(recurrent.HiddenStates(_load(key).runner.model))


@st.cache_resource(show_spinner="Preparing the heatmap view…")
def gradcam(key: str):
    """Grad-CAM of a CNN (where it looked), compiled once per server."""
    from models.probes import gradcam as probe

    return long_lived(probe.GradCam(_load(key).runner.model))


@st.cache_resource(show_spinner="Loading the writing model…")
def char_writer(key: str):
    """The character LSTM as a step-by-step writer (compiled and warmed up), or None when its
    file is missing or damaged (the page says so)."""
    from models import store
    from models.probes import generation

    try:
        writer = generation.CharWriter(pretrained_model(key))
    except store.ModelUnavailable:
        return None
    list(writer.write("warm up", 1, 1.0, 2, seed=0))  # compile now, not on a student's first click
    return long_lived(writer)
