"""The Train page's live curves. Data in, chart out: no Streamlit here."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pages._ui.charts.style import HIGHLIGHT, styled


def live_curves(batches: pd.DataFrame, epochs: pd.DataFrame, metric: str, height: int = 280) -> alt.Chart:
    """A run's curve as it trains: the running mean over the epoch so far every few batches
    (thin), and each finished epoch's training and validation value (points)."""
    x_scale = alt.Scale(domain=[0, max(1.0, float(batches["position"].max()) if len(batches) else 1.0)], nice=False)
    y_axis = alt.Axis(format="%") if metric == "accuracy" else alt.Axis()
    layers = [alt.Chart(batches).mark_line(strokeWidth=2, color="#1f77b4").encode(
        x=alt.X("position:Q", title="epochs done", scale=x_scale),
        y=alt.Y(f"{metric}:Q", title=metric, scale=alt.Scale(zero=False), axis=y_axis),
        tooltip=[alt.Tooltip("position:Q", format=".2f", title="epochs done"),
                 alt.Tooltip(f"{metric}:Q", format=".4f")])]
    if len(epochs):
        layers.append(alt.Chart(epochs).mark_point(size=120, filled=True).encode(
            x="epoch:Q", y=alt.Y("value:Q"),
            color=alt.Color("split:N", title=None, scale=alt.Scale(domain=["train", "validation"],
                                                                    range=["#1f77b4", HIGHLIGHT]),
                            legend=alt.Legend(orient="top")),
            tooltip=["split", "epoch", alt.Tooltip("value:Q", format=".4f")]))
    return styled(alt.layer(*layers).properties(height=height))
