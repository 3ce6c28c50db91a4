"""The Compare page's charts: confusion matrices (clickable cells), training curves, counts. Data
in, chart out: no Streamlit here.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from pages._ui.charts.style import FONT_SIZE, styled

CELL_SELECTION = "cell"  # the name of the confusion-matrix click selection (see selected_cell)

def confusion_heatmaps(frame: pd.DataFrame, class_names: list[str], normalise: bool, columns: int = 4,
                       cell_size: int | None = None) -> alt.Chart:
    """Every model's confusion matrix side by side (true class down, predicted across), one
    colour scale for all. Mistakes are coloured by how many (or what share) land in the cell;
    the diagonal (correct answers) stays grey so the mistakes stand out. Clicking a cell
    selects that (true, predicted) pair in every model at once."""
    n = len(class_names)
    cell_size = cell_size or (20 if n > 4 else 88)
    click = alt.selection_point(name=CELL_SELECTION, fields=["true", "predicted"], on="click",
                                clear="dblclick", empty=False)
    mistakes = frame[~frame["correct"]]
    top = float(mistakes["value"].max()) if len(mistakes) and mistakes["value"].max() > 0 else 1.0
    value_title = "share of the true class" if normalise else "test examples"
    value_format = ".1%" if normalise else ",d"
    base = alt.Chart().encode(
        x=alt.X("predicted:N", sort=class_names, title="predicted", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:N", sort=class_names, title="true"),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.condition(
            alt.datum.correct, alt.value("#e3e7eb"),
            alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="orangered", domain=[0, top], clamp=True),
                      legend=alt.Legend(format=value_format.replace(",d", "d"), orient="bottom"))),
        strokeWidth=alt.condition(click, alt.value(3), alt.value(1)),
        stroke=alt.condition(click, alt.value("#111"), alt.value("white")),
        tooltip=["model", "true", "predicted", alt.Tooltip("count:Q", title="test examples"),
                 alt.Tooltip("share:Q", format=".1%", title="share of the true class")],
    ).add_params(click)
    text = base.mark_text(fontSize=min(18, max(8, round(cell_size * 0.38)))).encode(
        text=alt.Text("value:Q", format=".0%" if normalise else "d"),
        color=alt.condition((alt.datum.value > top * 0.6) & ~alt.datum.correct, alt.value("white"), alt.value("#222")),
    )
    chart = alt.layer(cells, text, data=frame).properties(width=cell_size * n, height=cell_size * n).facet(
        facet=alt.Facet("model:N", title=None, sort=list(dict.fromkeys(frame["model"]))), columns=columns)
    return styled(chart)

def selected_cell(event) -> tuple[str, str] | None:
    """The (true, predicted) class names of a clicked confusion-matrix cell, from the value
    ``st.altair_chart(..., on_select="rerun")`` returns; None when nothing is selected."""
    try:
        points = event["selection"][CELL_SELECTION]
    except (KeyError, TypeError):
        return None
    if isinstance(points, dict):  # some versions give one point, not a list
        points = [points]
    for point in points or []:
        if isinstance(point, dict) and "true" in point and "predicted" in point:
            return str(point["true"]), str(point["predicted"])
    return None

def training_curves(frame: pd.DataFrame, metric: str, splits: list[str], height: int = 320) -> alt.Chart:
    """Every model's curve of ``metric`` per epoch on one chart; training solid, validation dashed."""
    data = frame[(frame["metric"] == metric) & frame["split"].isin(splits)]
    pick = alt.selection_point(fields=["model"], bind="legend")
    y_axis = alt.Axis(format="%") if metric == "accuracy" else alt.Axis()
    chart = alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("epoch:Q", axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False), axis=y_axis),
        color=alt.Color("model:N", title="model (click to pick)",
                        legend=alt.Legend(orient="bottom", columns=4, labelLimit=220)),  # 8 models fit
        strokeDash=alt.StrokeDash("split:N", title=None, scale=alt.Scale(domain=["train", "validation"],
                                                                          range=[[1, 0], [6, 4]])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)),
        tooltip=["model", "split", "epoch", alt.Tooltip("value:Q", format=".4f", title=metric)],
    ).add_params(pick).properties(height=height)
    return styled(chart)

def count_bars(frame: pd.DataFrame, value: str, title: str, percent: bool = False,
               height: int | None = None) -> alt.Chart:
    """One horizontal bar per model (a count or an accuracy), the value written at its end."""
    axis = alt.Axis(format="%") if percent else alt.Axis(format="d")
    # Accuracies sit close together near 100%: dots on a zoomed axis show the gaps (bars
    # would need a zero baseline and all look equal).
    mark = alt.Chart(frame).mark_circle(size=260, color="#1f77b4", opacity=1) if percent else \
        alt.Chart(frame).mark_bar(color="#1f77b4")
    if percent:
        low = float(frame[value].min()) if len(frame) else 0.0
        scale = alt.Scale(domain=[max(0.0, np.floor(low * 50 - 0.5) / 50), 1.0], nice=False)
    else:
        scale = alt.Scale(zero=True)
    bars = mark.encode(
        x=alt.X(f"{value}:Q", title=title, axis=axis, scale=scale),
        y=alt.Y("model:N", sort=None, title=None, axis=alt.Axis(labelLimit=300, labelOverlap=False)),
        tooltip=["model", alt.Tooltip(f"{value}:Q", format=".2%" if percent else "d")])
    text = bars.mark_text(align="left", dx=12 if percent else 4, fontSize=FONT_SIZE).encode(
        text=alt.Text(f"{value}:Q", format=".2%" if percent else "d"))
    return styled((bars + text).properties(height=height or max(120, 36 * len(frame))))
