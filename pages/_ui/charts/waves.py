"""The wave lab's charts: the wave, the loss while training, the forecasts (Gates page). Data in,
chart out: no Streamlit here.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from pages._ui.charts.style import FONT_SIZE, HIGHLIGHT, styled


def loss_curves(history: dict, converged_epoch: int | None = None, threshold: float | None = None,
                epochs: int | None = None, height: int = 260) -> alt.Chart:
    """Training and validation loss per epoch (log scale); the convergence epoch marked."""
    rows = []
    for key, label in (("loss", "training"), ("val_loss", "validation")):
        for epoch, value in enumerate(history.get(key, []), start=1):
            if value is not None and np.isfinite(value) and value > 0:
                rows.append({"epoch": epoch, "loss": float(value), "set": label})
    data = pd.DataFrame(rows, columns=["epoch", "loss", "set"])
    last = max([len(history.get("loss", [])), epochs or 0, 2])
    lines = alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("epoch:Q", scale=alt.Scale(domain=[1, last], nice=False), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title="mean squared error (log)"),
        color=alt.Color("set:N", title=None, scale=alt.Scale(domain=["training", "validation"],
                                                             range=["#1f77b4", HIGHLIGHT]),
                        legend=alt.Legend(orient="top")),
        tooltip=["set", "epoch", alt.Tooltip("loss:Q", format=".2e")])
    chart = lines
    if converged_epoch:
        label = f"converged at epoch {converged_epoch}" + (f": |Δ loss| < {threshold:g}" if threshold else "")
        mark = pd.DataFrame({"epoch": [converged_epoch], "label": [label]})
        rule = alt.Chart(mark).mark_rule(strokeDash=[6, 4], color="#2ca02c", strokeWidth=2.5).encode(x="epoch:Q")
        text = alt.Chart(mark).mark_text(align="right", dx=-8, fontSize=FONT_SIZE, color="#2ca02c",
                                         fontWeight="bold").encode(x="epoch:Q", y=alt.value(14), text="label:N")
        chart = lines + rule + text
    return styled(chart.properties(height=height))

def wave_chart(t: np.ndarray, inputs: np.ndarray, targets: np.ndarray, bounds: tuple, input_name: str,
               target_name: str, height: int = 220) -> alt.Chart:
    """The whole generated wave: noisy input and clean target, the three stretches shaded."""
    names = ["training", "validation", "test"]
    bands = pd.DataFrame({"start": bounds[:3], "end": bounds[1:], "stretch": names})
    shade = alt.Chart(bands).mark_rect(opacity=0.13).encode(
        x="start:Q", x2="end:Q",
        color=alt.Color("stretch:N", scale=alt.Scale(domain=names, range=["#1f77b4", "#ff7f0e", "#2ca02c"]),
                        title=None, legend=alt.Legend(orient="top")))
    series = [f"input: {input_name}", f"target: {target_name}"]
    data = pd.concat([pd.DataFrame({"t": t, "value": np.round(inputs, 4), "series": series[0]}),
                      pd.DataFrame({"t": t, "value": np.round(targets, 4), "series": series[1]})])
    lines = alt.Chart(data).mark_line().encode(
        x=alt.X("t:Q", title="time step", scale=alt.Scale(domain=[0, int(t[-1]) + 1], nice=False)),
        y=alt.Y("value:Q", title=None),
        stroke=alt.Stroke("series:N", title=None, scale=alt.Scale(domain=series, range=["#888", "#222"]),
                          legend=alt.Legend(orient="top", labelLimit=400)),
        strokeWidth=alt.condition(alt.datum.series == series[1], alt.value(2), alt.value(1.2)))
    return styled((shade + lines).properties(height=height).resolve_scale(color="independent"))

def forecast_chart(t_truth: np.ndarray, truth: np.ndarray, predictions: dict[str, tuple[np.ndarray, np.ndarray]],
                   height: int = 240) -> alt.Chart:
    """The truth (black) and one or more predictions of it over the test stretch."""
    frames = [pd.DataFrame({"t": t_truth, "value": np.round(truth, 4), "series": "truth"})]
    for name, (t, values) in predictions.items():
        frames.append(pd.DataFrame({"t": t, "value": np.round(values, 4), "series": name}))
    data = pd.concat(frames)
    order = ["truth", *predictions]
    colours = ["#222", HIGHLIGHT, "#1f77b4", "#2ca02c"][:len(order)]
    chart = alt.Chart(data).mark_line(strokeWidth=2.5).encode(
        x=alt.X("t:Q", title="time step", scale=alt.Scale(nice=False, zero=False)),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(domain=order, range=colours), title=None,
                        legend=alt.Legend(orient="top", labelLimit=400)),
        strokeDash=alt.condition(alt.datum.series == "truth", alt.value([1, 0]), alt.value([7, 3])),
        tooltip=["series", "t", alt.Tooltip("value:Q", format=".3f")])
    return styled(chart.properties(height=height))
