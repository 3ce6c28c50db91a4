"""Altair charts the pages share. Data in, chart out: no Streamlit here."""

from __future__ import annotations

import copy

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


def reusable(build, data: pd.DataFrame, *structure) -> tuple[pd.DataFrame, dict]:
    """``(data, Vega-Lite spec)`` for ``st.vega_lite_chart``. Altair builds and validates the
    spec of ``build(data, *structure)`` once per structure; later calls reuse it with new data.
    (Building and validating costs Altair ~10 ms a chart, on every stroke of every student,
    while only the data changes.) ``build`` must keep everything data-dependent in ``data``."""
    key = (build.__qualname__, structure)
    spec = _SPECS.get(key)
    if spec is None:
        spec = build(data, *structure).to_dict()
        spec.pop("datasets", None)
        spec.pop("data", None)  # st.vega_lite_chart supplies the data
        _SPECS[key] = spec
    return data, copy.deepcopy(spec)


_SPECS: dict = {}


def _probability_bars(data: pd.DataFrame, order: tuple, class_names: tuple) -> alt.Chart:
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("class:N", sort=list(class_names), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title=None),
        color=alt.condition(alt.datum.top, alt.value(HIGHLIGHT), alt.value(MUTED)),
        tooltip=["model", "class", alt.Tooltip("probability:Q", format=".1%")],
    ).properties(width=165, height=170).facet(
        column=alt.Column("model:N", sort=list(order), title=None))
    return _style(chart)


def probability_bars(probabilities: dict[str, np.ndarray], titles: dict[str, str],
                     class_names: list[str]) -> tuple[pd.DataFrame, dict]:
    """One small bar chart per model (side by side), the top class of each in colour."""
    rows = []
    for key, p in probabilities.items():
        top = int(np.argmax(p))
        for i, value in enumerate(p):
            rows.append({"model": titles[key], "class": class_names[i], "probability": float(value),
                         "top": i == top})
    order = tuple(titles[k] for k in probabilities)
    return reusable(_probability_bars, pd.DataFrame(rows), order, tuple(class_names))


def _state_heatmap(data: pd.DataFrame, step_label: str, value_label: str, units: int, limit: float) -> alt.Chart:
    chart = alt.Chart(data).mark_rect().encode(
        x=alt.X(f"{step_label}:O", title=f"{step_label} (time step t)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("unit:O", title="unit", axis=alt.Axis(values=list(range(0, units, 8)))),
        color=alt.Color(f"{value_label}:Q", scale=alt.Scale(scheme="redblue", domain=[-limit, limit], reverse=True),
                        title=value_label),
        tooltip=[step_label, "unit", alt.Tooltip(f"{value_label}:Q", format=".3f")],
    ).properties(height=min(3 * units, 360))
    return _style(chart)


def state_heatmap(values: np.ndarray, step_label: str = "row", value_label: str = "h") -> tuple[pd.DataFrame, dict]:
    """A (time steps, units) array as a heatmap: units down, time steps across, -1..1 colours
    (wider, in steps of 0.5, if a state goes beyond)."""
    steps, units = values.shape
    t, u = np.meshgrid(np.arange(1, steps + 1), np.arange(units), indexing="ij")
    data = pd.DataFrame({step_label: t.ravel(), "unit": u.ravel(), value_label: values.ravel()})
    biggest = float(np.nan_to_num(np.abs(values)).max()) if values.size else 0.0
    limit = max(1.0, float(np.ceil(biggest * 2) / 2))
    return reusable(_state_heatmap, data, step_label, value_label, units, limit)


def _readout_lines(data: pd.DataFrame, class_names: tuple, step_label: str, steps: int) -> alt.Chart:
    chart = alt.Chart(data).mark_line(point=False).encode(
        x=alt.X(f"{step_label}:Q", title=f"after reading {step_label} t", scale=alt.Scale(domain=[1, steps])),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("class:N", sort=list(class_names), scale=alt.Scale(scheme="category10")),
        strokeWidth=alt.condition(alt.datum.winner, alt.value(4), alt.value(1.5)),
        tooltip=[step_label, "class", alt.Tooltip("probability:Q", format=".1%")],
    ).properties(height=260)
    return _style(chart)


def readout_lines(probabilities: np.ndarray, class_names: list[str],
                  step_label: str = "row") -> tuple[pd.DataFrame, dict]:
    """Probability of each class after each time step; the final winner drawn thick."""
    steps = probabilities.shape[0]
    winner = int(np.argmax(probabilities[-1]))
    data = pd.DataFrame([
        {step_label: t + 1, "class": class_names[c], "probability": float(probabilities[t, c]), "winner": c == winner}
        for t in range(steps) for c in range(len(class_names))])
    return reusable(_readout_lines, data, tuple(class_names), step_label, steps)


def sentiment_trajectory(curves: dict[str, np.ndarray], words: list[str], max_word_labels: int = 40) -> alt.Chart:
    """P(positive) after each word, one line per model; the words along the axis when few."""
    rows = []
    labels = [f"{i + 1}·{w}" for i, w in enumerate(words)]
    for model, values in curves.items():
        for i, value in enumerate(values):
            rows.append({"model": model, "step": i + 1, "word": words[i] if i < len(words) else "",
                         "label": labels[i] if i < len(labels) else str(i + 1), "P(positive)": float(value)})
    data = pd.DataFrame(rows)
    few = len(words) <= max_word_labels
    word_axis = alt.Axis(labelAngle=-50, labelLimit=120, labelOverlap=False)
    x = (alt.X("label:N", sort=labels, title="word read", axis=word_axis)
         if few else alt.X("step:Q", title="words read", scale=alt.Scale(domain=[1, max(2, len(words))])))
    base = alt.Chart(data).encode(
        x=x,
        y=alt.Y("P(positive):Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"),
                title="P(positive)"),
        color=alt.Color("model:N", title="model", scale=alt.Scale(scheme="category10")),
        tooltip=["model", "step", "word", alt.Tooltip("P(positive):Q", format=".1%")],
    )
    lines = base.mark_line(point=few, strokeWidth=2.5)
    middle = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[6, 4], color="#555").encode(y="y:Q")
    return _style((middle + lines).properties(height=340))


# -- LSTM gates page -----------------------------------------------------------------------------
# Each panel is its own chart at the container's width; every y-axis has the same width and
# every legend sits on top, so the plots of all panels span exactly the same x pixels and the
# time steps line up under the input.

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

        return alt.Axis(values=values, title=title, labelAngle=-45, labelLimit=110,
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
    return _style(chart.properties(height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
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
    return _style(chart.properties(height=height))


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
    return _style((shade + lines).properties(height=height).resolve_scale(color="independent"))


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
    return _style(chart.properties(height=height))


# -- Compare and Train pages --------------------------------------------------------------------

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
    return _style(chart)


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
        color=alt.Color("model:N", title="model (click to pick)", legend=alt.Legend(orient="right", labelLimit=300)),
        strokeDash=alt.StrokeDash("split:N", title=None, scale=alt.Scale(domain=["train", "validation"],
                                                                          range=[[1, 0], [6, 4]])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)),
        tooltip=["model", "split", "epoch", alt.Tooltip("value:Q", format=".4f", title=metric)],
    ).add_params(pick).properties(height=height)
    return _style(chart)


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
    return _style((bars + text).properties(height=height or max(120, 36 * len(frame))))


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
    return _style(alt.layer(*layers).properties(height=height))
