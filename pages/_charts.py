"""Altair charts the pages share. Data in, chart out: no Streamlit here."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

HIGHLIGHT = "#e4572e"
MUTED = "#9aa5b1"
FONT_SIZE = 14  # readable on a projector


def _style(chart: alt.Chart) -> alt.Chart:
    return chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE).configure_header(
        labelFontSize=FONT_SIZE + 2, titleFontSize=FONT_SIZE).configure_legend(
        labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)


def probability_bars(probabilities: dict[str, np.ndarray], titles: dict[str, str],
                     class_names: list[str]) -> alt.Chart:
    """One small bar chart per model (side by side), the top class of each in colour."""
    rows = []
    for key, p in probabilities.items():
        top = int(np.argmax(p))
        for i, value in enumerate(p):
            rows.append({"model": titles[key], "class": class_names[i], "probability": float(value),
                         "top": i == top})
    data = pd.DataFrame(rows)
    order = [titles[k] for k in probabilities]
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("class:N", sort=class_names, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title=None),
        color=alt.condition(alt.datum.top, alt.value(HIGHLIGHT), alt.value(MUTED)),
        tooltip=["model", "class", alt.Tooltip("probability:Q", format=".1%")],
    ).properties(width=190, height=170).facet(
        column=alt.Column("model:N", sort=order, title=None))
    return _style(chart)


def state_heatmap(values: np.ndarray, step_label: str = "row", value_label: str = "h") -> alt.Chart:
    """A (time steps, units) array as a heatmap: units down, time steps across, -1..1 colours."""
    steps, units = values.shape
    t, u = np.meshgrid(np.arange(1, steps + 1), np.arange(units), indexing="ij")
    data = pd.DataFrame({step_label: t.ravel(), "unit": u.ravel(), value_label: values.ravel()})
    limit = max(1.0, float(np.abs(values).max()))
    chart = alt.Chart(data).mark_rect().encode(
        x=alt.X(f"{step_label}:O", title=f"{step_label} (time step t)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("unit:O", title="unit", axis=alt.Axis(values=list(range(0, units, 8)))),
        color=alt.Color(f"{value_label}:Q", scale=alt.Scale(scheme="redblue", domain=[-limit, limit], reverse=True),
                        title=value_label),
        tooltip=[step_label, "unit", alt.Tooltip(f"{value_label}:Q", format=".3f")],
    ).properties(height=min(3 * units, 360))
    return _style(chart)


def readout_lines(probabilities: np.ndarray, class_names: list[str], step_label: str = "row") -> alt.Chart:
    """Probability of each class after each time step; the final winner drawn thick."""
    steps = probabilities.shape[0]
    winner = class_names[int(np.argmax(probabilities[-1]))]
    data = pd.DataFrame([
        {step_label: t + 1, "class": class_names[c], "probability": float(probabilities[t, c])}
        for t in range(steps) for c in range(len(class_names))])
    chart = alt.Chart(data).mark_line(point=False).encode(
        x=alt.X(f"{step_label}:Q", title=f"after reading {step_label} t", scale=alt.Scale(domain=[1, steps])),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("class:N", sort=class_names, scale=alt.Scale(scheme="category10")),
        strokeWidth=alt.condition(alt.datum["class"] == winner, alt.value(4), alt.value(1.5)),
        tooltip=[step_label, "class", alt.Tooltip("probability:Q", format=".1%")],
    ).properties(height=260)
    return _style(chart)
