"""The Gates page's panels: the input and each gate, cell and hidden state over time. Data in,
chart out: no Streamlit here.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from pages._ui.charts.style import FONT_SIZE, HIGHLIGHT, MUTED, styled

GATE_SCHEME = "blues"  # gates i, f, o: 0 (closed, white) .. 1 (open, dark blue)

STATE_SCHEME = "redblue"  # c̃, c, h: red positive, blue negative (reversed redblue, as state_heatmap)

AXIS_EXTENT = 56  # pixels for every panel's y-axis labels

def _gate_domain(name: str, values: np.ndarray) -> list[float]:
    """Gates 0..1, c̃ and h -1..1; the cell state is unbounded: ±(98th percentile of |c|, at
    least 1), so a few large values do not wash the others out (beyond it colours saturate)."""
    if name in ("i", "f", "o"):
        return [0.0, 1.0]
    if name != "c":
        return [-1.0, 1.0]
    finite = np.abs(values[np.isfinite(values)])
    limit = max(1.0, float(np.percentile(finite, 98))) if finite.size else 1.0
    return [-round(limit, 1), round(limit, 1)]

def _time_scale(steps: int) -> alt.Scale:
    return alt.Scale(domain=[0.5, steps + 0.5], nice=False, zero=False)

def _time_axis(steps: int, title: str | None, labels: list[str] | None = None, max_labels: int = 40) -> alt.Axis:
    """Integer steps 1..T; words as labels when given and few enough to read."""
    every = max(1, int(np.ceil(steps / max_labels)))
    values = list(range(1, steps + 1, every))
    if labels is not None and len(labels) == steps and steps <= max_labels:
        import json

        # labelOverlap=False: Vega otherwise hides every other word when they touch
        return alt.Axis(values=values, title=title, labelAngle=-60, labelLimit=110, labelOverlap=False,
                        labelFontSize=10 if steps > 20 else 11,
                        labelExpr=f"{json.dumps(list(labels))}[datum.value - 1]")
    return alt.Axis(values=values, title=title, labelAngle=0, format="d")

def _y_axis(**kwargs) -> alt.Axis:
    return alt.Axis(minExtent=AXIS_EXTENT, maxExtent=AXIS_EXTENT, **kwargs)

def _step_frame(step: int, steps: int) -> alt.Chart:
    """The chosen time step, framed (the same on every panel)."""
    frame = pd.DataFrame({"start": [step - 0.5], "end": [step + 0.5]})
    return alt.Chart(frame).mark_rect(fill=None, stroke="#111", strokeWidth=3).encode(
        x=alt.X("start:Q", scale=_time_scale(steps)), x2="end:Q")

def _title_legend(**kwargs) -> alt.Legend:
    """A small horizontal colour legend in the title's line (it takes no room of its own)."""
    return alt.Legend(orient="none", legendX=170, legendY=-40, direction="horizontal", gradientLength=150,
                      gradientThickness=10, titleOrient="left", **kwargs)

def _panel(chart, title: str, height: int) -> alt.Chart:
    """``height`` is the plot's own; the width fits the container ("fit-x": titles, legends and
    axes add to the height instead of squeezing the plot)."""
    return styled(chart.properties(height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
                                   title=alt.TitleParams(title, anchor="start", fontSize=FONT_SIZE + 4, offset=16))
                  ).configure_view(stroke="#ccc")

def gate_input_panel(x: np.ndarray, step: int, title: str, step_title: str = "time step t",
                     labels: list[str] | None = None, feature_title: str = "feature") -> alt.Chart:
    """What the LSTM reads: a line for one number per step (a wave), otherwise a heatmap of the
    features (MNIST: the 28 pixels of each row; text: each word's embedding; a stacked layer:
    the hidden state of the layer below)."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    steps, features = x.shape
    axis = _time_axis(steps, step_title, labels)
    if features == 1:
        t = np.arange(1, steps + 1)
        data = pd.DataFrame({"t": t, "x": x[:, 0].round(4), "now": t == step})
        base = alt.Chart(data).encode(x=alt.X("t:Q", scale=_time_scale(steps), axis=axis),
                                      y=alt.Y("x:Q", title="x_t", axis=_y_axis(tickCount=5)))
        chart = alt.layer(
            base.mark_line(color="#444", strokeWidth=2.5),
            base.mark_circle(opacity=1).encode(
                color=alt.condition(alt.datum.now, alt.value(HIGHLIGHT), alt.value("#444")),
                size=alt.condition(alt.datum.now, alt.value(260), alt.value(60)),
                tooltip=[alt.Tooltip("t:Q", title=step_title), alt.Tooltip("x:Q", format=".3f")]),
            _step_frame(step, steps))
        return _panel(chart, title, 150)
    t, f = np.meshgrid(np.arange(1, steps + 1), np.arange(features), indexing="ij")
    data = pd.DataFrame({"start": t.ravel() - 0.5, "end": t.ravel() + 0.5, "t": t.ravel(),
                         "feature": f.ravel(), "x": x.ravel().round(3)})
    limit = float(np.abs(x).max()) or 1.0
    color = (alt.Scale(scheme="greys", domain=[0, limit]) if x.min() >= 0
             else alt.Scale(scheme=STATE_SCHEME, domain=[-limit, limit], reverse=True))
    every = max(1, int(np.ceil(features / 4)))
    chart = alt.layer(
        alt.Chart(data).mark_rect().encode(
            x=alt.X("start:Q", scale=_time_scale(steps), axis=axis), x2="end:Q",
            y=alt.Y("feature:O", title=feature_title, axis=_y_axis(values=list(range(0, features, every)))),
            color=alt.Color("x:Q", scale=color, title=None, legend=_title_legend()),
            tooltip=[alt.Tooltip("t:Q", title=step_title), "feature", alt.Tooltip("x:Q", format=".3f")]),
        _step_frame(step, steps))
    return _panel(chart, title, int(np.clip(features * 5, 100, 170)))

def gate_panel(name: str, values: np.ndarray, step: int, unit: int, title: str, mode: str = "heatmap",
               step_title: str = "time step t", context_units: int = 64) -> alt.Chart:
    """One of i, f, c̃, o, c, h over time: ``mode="heatmap"`` shows every unit (units down, time
    across, the chosen unit framed); ``mode="lines"`` the chosen unit bold over the others, faint."""
    steps, units = values.shape
    domain = _gate_domain(name, values)
    axis = _time_axis(steps, None)  # the input panel above names the time axis
    if mode == "heatmap":
        t, u = np.meshgrid(np.arange(1, steps + 1), np.arange(units), indexing="ij")
        data = pd.DataFrame({"start": t.ravel() - 0.5, "end": t.ravel() + 0.5, "t": t.ravel(), "unit": u.ravel(),
                             "value": np.round(values.ravel(), 3)})
        color = (alt.Scale(scheme=GATE_SCHEME, domain=domain) if name in ("i", "f", "o")
                 else alt.Scale(scheme=STATE_SCHEME, domain=domain, reverse=True, clamp=True))
        every = max(1, int(np.ceil(units / 8)))
        y = alt.Y("unit:O", title="unit", axis=_y_axis(values=list(range(0, units, every))))
        chart = alt.layer(
            alt.Chart(data).mark_rect().encode(
                x=alt.X("start:Q", scale=_time_scale(steps), axis=axis), x2="end:Q", y=y,
                color=alt.Color("value:Q", scale=color, title=None, legend=_title_legend()),
                tooltip=[alt.Tooltip("t:Q", title=step_title), "unit", alt.Tooltip("value:Q", format=".3f")]),
            alt.Chart(pd.DataFrame({"start": [0.5], "end": [steps + 0.5], "unit": [unit]})).mark_rect(
                fill=None, stroke=HIGHLIGHT, strokeWidth=2.5).encode(x="start:Q", x2="end:Q", y=y),
            _step_frame(step, steps))
        return _panel(chart, title, int(np.clip(units * 10, 90, 190)))
    t = np.arange(1, steps + 1)
    if name == "c":  # a line may leave the colour range: show all of it
        domain = [min(domain[0], float(np.nanmin(values))), max(domain[1], float(np.nanmax(values)))]
    y_scale = alt.Scale(domain=domain, nice=False)
    mine = pd.DataFrame({"t": t, "value": np.round(values[:, unit], 4), "now": t == step})
    base = alt.Chart(mine).encode(x=alt.X("t:Q", scale=_time_scale(steps), axis=axis),
                                  y=alt.Y("value:Q", scale=y_scale, axis=_y_axis(tickCount=3), title=f"unit {unit}"))
    layers = []
    if 1 < units <= context_units:
        tt, uu = np.meshgrid(t, np.arange(units), indexing="ij")
        others = pd.DataFrame({"t": tt.ravel(), "unit": uu.ravel(), "value": np.round(values.ravel(), 3)})
        layers.append(alt.Chart(others).mark_line(color=MUTED, strokeWidth=1, opacity=0.35).encode(
            x=alt.X("t:Q", scale=_time_scale(steps)), y=alt.Y("value:Q", scale=y_scale), detail="unit:N"))
    layers += [
        base.mark_line(color=HIGHLIGHT, strokeWidth=3),
        base.mark_circle(color=HIGHLIGHT, opacity=1).encode(
            size=alt.condition(alt.datum.now, alt.value(260), alt.value(50)),
            tooltip=[alt.Tooltip("t:Q", title=step_title), alt.Tooltip("value:Q", format=".3f")]),
        _step_frame(step, steps),
    ]
    return _panel(alt.layer(*layers), title, 120)
