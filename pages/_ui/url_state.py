"""Every page's state in its address: restore the widgets from ``st.query_params`` once per session,
and write their values back after each run, so copying the address reproduces the view.

``BINDINGS`` below names which widget holds each field of a page's schema
(``data/url_state.SCHEMAS``); a page calls

    url_state.restore("review")      # at the top, before the widgets
    ...widgets...
    url_state.remember("review")     # after them

``values`` translates the short word in the address to what the widget holds (and back). A value
in the address that is invalid, hostile or unknown is ignored: the widget keeps the page's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import streamlit as st

from data import url_state

RESTORED = "url_state_restored_{}"  # session-state key: this page's address was read


@dataclass(frozen=True)
class Bind:
    key: str  # the widget's key
    values: Mapping = field(default_factory=dict)  # address value -> widget value, when they differ

    def to_widget(self, value):
        return self.values.get(value, value)

    def to_address(self, value):
        for address, widget in self.values.items():
            if widget == value:
                return address
        return value


DRAW_SOURCES = {"draw": "Draw", "upload": "Upload an image", "test": "Random MNIST test digit"}
PHOTO_SOURCES = {"test": "CIFAR-10 test photo", "upload": "Upload a photo", "camera": "Camera"}

# Which widget holds each field of each page's schema (data/url_state.SCHEMAS).
BINDINGS: dict[str, dict[str, Bind]] = {
    "draw": {"source": Bind("draw_source", DRAW_SOURCES), "example": Bind("mnist_index"),
             "model": Bind("rnn_view")},
    "review": {"text": Bind("review_text")},
    "photo": {"source": Bind("photo_source", PHOTO_SOURCES), "example": Bind("cifar_index"),
              "model": Bind("photo_inside_model")},
    "write": {"prompt": Bind("write_prompt"), "sentiment": Bind("write_sentiment"),
              "temperature": Bind("write_temperature"), "length": Bind("write_length"),
              "strength": Bind("write_strength"), "seed": Bind("write_seed")},
    "gates": {"model": Bind("gates_source"), "source": Bind("gates_task"), "t": Bind("gates_step"),
              "text": Bind("gates_text")},
    "compare": {"group": Bind("compare_group"), "metric": Bind("compare_metric"),
                "normalise": Bind("compare_normalise")},
    "train": {"preset": Bind("train_preset")},
    "board": {"kind": Bind("board_kind")},
}


def _schema(page: str, choices: Mapping) -> url_state.Schema:
    schema = url_state.SCHEMAS[page]
    return url_state.narrow(schema, **choices) if choices else schema


def restore(page: str, **choices) -> set[str]:
    """Put the address's values into the page's widget keys, once per session and page, before
    the widgets are created. Only fields the address really holds (and validly) are set; their
    names are returned. ``choices`` narrows text fields to what the page offers (e.g. model keys)."""
    flag = RESTORED.format(page)
    restored: set[str] = set()
    if st.session_state.get(flag):
        return restored
    st.session_state[flag] = True
    schema = _schema(page, choices)
    query = st.query_params.to_dict()
    for name, bind in BINDINGS[page].items():
        field_ = schema.get(name)
        raw = query.get(name)
        if field_ is None or not isinstance(raw, str):
            continue
        try:
            value = field_.parse(raw)
        except (ValueError, OverflowError):
            continue  # hostile or stale: the page's default stays
        st.session_state[bind.key] = bind.to_widget(value)
        restored.add(name)
    return restored


def remember(page: str, **choices) -> None:
    """Write the widgets' current values into the address: only the fields that differ from the
    schema's defaults (short links, short QR codes); a value the schema cannot hold is left out.
    Call it where the widgets' values are final (after the widgets, or at the top of a fragment:
    a widget's new value is in the session state from the start of the run it causes)."""
    schema = _schema(page, choices)
    state = {}
    for name, bind in BINDINGS[page].items():
        if name in schema and bind.key in st.session_state:
            state[name] = bind.to_address(st.session_state[bind.key])
    wanted = {}
    for name, value in state.items():
        if name not in schema:
            continue
        if isinstance(schema[name], url_state.Float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(schema[name], url_state.Int) and isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            wanted.update(url_state.encode({name: value}, schema))
        except ValueError:
            continue  # e.g. a review longer than an address should carry
    for name in state:  # fields whose widget is not drawn yet keep what the address says
        if name not in schema:
            continue
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]
