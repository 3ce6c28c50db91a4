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
    (the chart's top-level data), the only data of the chart."""
    key = (build.__qualname__, structure)
    spec = _SPECS.get(key)
    if spec is None:
        spec = build(data, *structure).to_dict()
        spec.pop("datasets", None)
        spec.pop("data", None)  # st.vega_lite_chart supplies the data
        _SPECS[key] = spec
    return data, copy.deepcopy(spec)

_SPECS: dict = {}
