"""Shared look of every chart (fonts readable on a projector, colours) and the reuse of built
specs. Data in, chart out: no Streamlit here.
"""

from __future__ import annotations

import copy

import altair as alt
import pandas as pd

HIGHLIGHT = "#e4572e"

MUTED = "#9aa5b1"

FONT_SIZE = 14  # readable on a projector

def styled(chart: alt.Chart) -> alt.Chart:
    return chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE).configure_header(
        labelFontSize=FONT_SIZE + 2, titleFontSize=FONT_SIZE).configure_legend(
        labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)

def reusable(build, data: pd.DataFrame, *structure) -> tuple[pd.DataFrame, dict]:
    """``(data, Vega-Lite spec)`` for ``st.vega_lite_chart``. Altair builds and validates the
    spec of ``build(data, *structure)`` once per structure; later calls reuse it with new data.
    (Building and validating costs Altair ~10 ms a chart, on every stroke of every student,
    while only the data changes.) ``build`` must keep everything data-dependent in ``data``
    (the chart's top-level data); a layer may bring constant data of its own (a 50% rule), and
    such a spec goes to Streamlit through :func:`with_its_data`."""
    key = (build.__qualname__, structure)
    spec = _SPECS.get(key)
    if spec is None:
        spec = build(data, *structure).to_dict()
        main = spec.pop("data", None) or {}  # st.vega_lite_chart supplies it
        constant = {name: rows for name, rows in spec.pop("datasets", {}).items() if name != main.get("name")}
        if constant:
            spec["datasets"] = constant
        _SPECS[key] = spec
    return data, copy.deepcopy(spec)

_SPECS: dict = {}


def with_its_data(data: pd.DataFrame, spec: dict, name: str = "main") -> dict:
    """``spec`` carrying ``data`` as a named dataset, as Altair's own specs carry theirs; for
    ``st.vega_lite_chart(spec=...)``. A layered chart needs this: given as
    ``st.vega_lite_chart(data, spec)``, Streamlit drew its layers without the data (empty axes)."""
    return {**spec, "datasets": {**spec.get("datasets", {}), name: data}, "data": {"name": name}}
