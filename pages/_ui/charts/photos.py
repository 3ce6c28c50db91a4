"""Charts of the Photo page: each CIFAR-10 model's three likeliest classes. Data in, chart out."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from pages._ui.charts.style import HIGHLIGHT, MUTED, reusable, styled


def _top_classes(data: pd.DataFrame, order: tuple) -> alt.Chart:
    base = alt.Chart(data).encode(
        y=alt.Y("class:N", sort=alt.EncodingSortField("probability", order="descending"), title=None,
                axis=alt.Axis(labelFontSize=14, labelLimit=160)),
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", tickCount=5),
                title=None),
    )
    bars = base.mark_bar().encode(
        color=alt.condition(alt.datum.top, alt.value(HIGHLIGHT), alt.value(MUTED)),
        tooltip=["model", "class", alt.Tooltip("probability:Q", format=".1%")])
    labels = base.mark_text(align="left", dx=4, fontSize=13).encode(text=alt.Text("probability:Q", format=".0%"))
    chart = (bars + labels).properties(height=95, width="container").facet(
        row=alt.Row("model:N", sort=list(order), title=None, header=alt.Header(labelFontSize=14,
                                                                               labelAngle=0, labelAlign="left")))
    return styled(chart).resolve_scale(y="independent")


def top_classes(probabilities: dict[str, np.ndarray], titles: dict[str, str], class_names: list[str],
                k: int = 3) -> tuple[pd.DataFrame, dict]:
    """For each model, its ``k`` likeliest classes as horizontal bars (the top one in colour)."""
    rows = []
    for key, p in probabilities.items():
        for rank, i in enumerate(np.argsort(p)[::-1][:k]):
            rows.append({"model": titles[key], "class": class_names[int(i)], "probability": float(p[i]),
                         "top": rank == 0})
    return reusable(_top_classes, pd.DataFrame(rows), tuple(titles[k] for k in probabilities))
