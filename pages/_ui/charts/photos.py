"""Charts of the Photo page: each CIFAR-10 model's three likeliest classes. Data in, chart out."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from pages._ui.charts.style import HIGHLIGHT, MUTED, reusable, styled


def _top_classes(data: pd.DataFrame) -> alt.Chart:
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None,
                axis=alt.Axis(labelFontSize=14, labelLimit=220)),
        # Room to the right of a 100% bar for its label.
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1.25]), axis=alt.Axis(format="%", values=[0, 0.5, 1]),
                title=None),
    )
    bars = base.mark_bar().encode(
        color=alt.condition(alt.datum.top, alt.value(HIGHLIGHT), alt.value(MUTED)),
        tooltip=["model", "class", alt.Tooltip("probability:Q", format=".1%")])
    labels = base.mark_text(align="left", dx=4, fontSize=13).encode(text=alt.Text("probability:Q", format=".0%"))
    return styled((bars + labels).properties(height=alt.Step(24), width="container"))


def top_classes(probabilities: dict[str, np.ndarray], titles: dict[str, str], class_names: list[str],
                k: int = 3) -> tuple[pd.DataFrame, dict]:
    """Each model's ``k`` likeliest classes as horizontal bars, "model · class", the top one in colour."""
    rows = []
    for m, (key, p) in enumerate(probabilities.items()):
        for rank, i in enumerate(np.argsort(p)[::-1][:k]):
            rows.append({"model": titles[key], "class": class_names[int(i)], "probability": float(p[i]),
                         "top": rank == 0, "label": f"{titles[key]} · {class_names[int(i)]}",
                         "order": m * k + rank})
    return reusable(_top_classes, pd.DataFrame(rows))
