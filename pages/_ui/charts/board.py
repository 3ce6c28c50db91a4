"""The class board's confusion matrix: what the class meant (down) vs what one model answered
(across), on a handful of submissions. Empty cells stay white, the class's right answers are
green, the mistakes orange; a click selects a cell (``compare.selected_cell`` reads it).
Data in, chart out: no Streamlit here.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pages._ui.charts.compare import CELL_SELECTION
from pages._ui.charts.style import FONT_SIZE, HIGHLIGHT, styled

SHADES = {"empty": "white", "right": "#7bc47f", "wrong": HIGHLIGHT}


def class_confusion(frame: pd.DataFrame, class_names: list[str], title: str, cell_size: int = 30) -> alt.Chart:
    """``frame``: one row per cell with ``true`` (meant), ``predicted``, ``count`` and ``correct``."""
    frame = frame.assign(shade=[("empty" if c == 0 else "right" if ok else "wrong")
                                for c, ok in zip(frame["count"], frame["correct"])])
    click = alt.selection_point(name=CELL_SELECTION, fields=["true", "predicted"], on="click",
                                clear="dblclick", empty=False)
    base = alt.Chart(frame).encode(
        x=alt.X("predicted:N", sort=class_names, title="answered", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:N", sort=class_names, title="meant"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("shade:N", scale=alt.Scale(domain=list(SHADES), range=list(SHADES.values())), legend=None),
        strokeWidth=alt.condition(click, alt.value(3), alt.value(1)),
        stroke=alt.condition(click, alt.value("#111"), alt.value("#d0d5db")),
        tooltip=[alt.Tooltip("true:N", title="meant"), alt.Tooltip("predicted:N", title="answered"),
                 alt.Tooltip("count:Q", title="submissions")],
    ).add_params(click)
    text = base.transform_filter(alt.datum.count > 0).mark_text(
        fontSize=min(18, max(10, round(cell_size * 0.45))), fontWeight="bold", color="#111").encode(
        text=alt.Text("count:Q", format="d"))
    chart = alt.layer(cells, text).properties(width=alt.Step(cell_size), height=alt.Step(cell_size),
                                              title=alt.TitleParams(title, fontSize=FONT_SIZE + 4))
    return styled(chart)
