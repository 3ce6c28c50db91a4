"""Charts of a model reading one input: probabilities, hidden states row by row, the answer after
each step (Draw and Review pages). Data in, chart out: no Streamlit here.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from pages._ui.charts.style import HIGHLIGHT, MUTED, reusable, styled


def _probability_bars(data: pd.DataFrame, order: tuple, class_names: tuple, columns: int) -> alt.Chart:
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("class:N", sort=list(class_names), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title=None),
        color=alt.condition(alt.datum.top, alt.value(HIGHLIGHT), alt.value(MUTED)),
        tooltip=["model", "class", alt.Tooltip("probability:Q", format=".1%")],
    ).properties(width=112, height=150).facet(  # 4 across fit a 1024 px projector with the sidebar (564 px)
        facet=alt.Facet("model:N", sort=list(order), title=None), columns=columns)
    return styled(chart)

def probability_bars(probabilities: dict[str, np.ndarray], titles: dict[str, str],
                     class_names: list[str], columns: int = 4) -> tuple[pd.DataFrame, dict]:
    """One small bar chart per model (``columns`` side by side), the top class of each in colour."""
    rows = []
    for key, p in probabilities.items():
        top = int(np.argmax(p))
        for i, value in enumerate(p):
            rows.append({"model": titles[key], "class": class_names[i], "probability": float(value),
                         "top": i == top})
    order = tuple(titles[k] for k in probabilities)
    return reusable(_probability_bars, pd.DataFrame(rows), order, tuple(class_names), columns)

def _state_heatmap(data: pd.DataFrame, step_label: str, value_label: str, units: int, limit: float) -> alt.Chart:
    chart = alt.Chart(data).mark_rect().encode(
        x=alt.X(f"{step_label}:O", title=f"{step_label} (time step t)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("unit:O", title="unit", axis=alt.Axis(values=list(range(0, units, 8)))),
        color=alt.Color(f"{value_label}:Q", scale=alt.Scale(scheme="redblue", domain=[-limit, limit], reverse=True),
                        title=value_label),
        tooltip=[step_label, "unit", alt.Tooltip(f"{value_label}:Q", format=".3f")],
    ).properties(height=min(3 * units, 360))
    return styled(chart)

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
    return styled(chart)

def readout_lines(probabilities: np.ndarray, class_names: list[str],
                  step_label: str = "row") -> tuple[pd.DataFrame, dict]:
    """Probability of each class after each time step; the final winner drawn thick."""
    steps = probabilities.shape[0]
    winner = int(np.argmax(probabilities[-1]))
    data = pd.DataFrame([
        {step_label: t + 1, "class": class_names[c], "probability": float(probabilities[t, c]), "winner": c == winner}
        for t in range(steps) for c in range(len(class_names))])
    return reusable(_readout_lines, data, tuple(class_names), step_label, steps)


def _half_way(channel: str) -> alt.Chart:
    """The dashed 50% line between negative and positive, drawn once from the chart's own data
    (one aggregated row), so the chart has no data but that."""
    return alt.Chart().transform_aggregate(rows="count()").mark_rule(strokeDash=[6, 4], color="#555").encode(
        **{channel: alt.datum(0.5)})


def _sentiment_trajectory(data: pd.DataFrame, labelled: bool) -> alt.Chart:
    word_axis = alt.Axis(labelAngle=-50, labelLimit=120, labelOverlap=False)
    x = (alt.X("label:N", sort=alt.EncodingSortField("step"), title="word read", axis=word_axis)
         if labelled else alt.X("step:Q", title="words read", scale=alt.Scale(zero=False, nice=False)))
    lines = alt.Chart().mark_line(point=labelled, strokeWidth=2.5).encode(
        x=x,
        y=alt.Y("P(positive):Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"),
                title="P(positive)"),
        color=alt.Color("model:N", title="model", scale=alt.Scale(scheme="category10"),
                        legend=alt.Legend(orient="top", columns=2)),  # beside the plot: a phone's width
        tooltip=["model", "step", "word", alt.Tooltip("P(positive):Q", format=".1%")],
    )
    return styled(alt.layer(_half_way("y"), lines, data=data).properties(height=340))


def sentiment_trajectory(curves: dict[str, np.ndarray], words: list[str],
                         max_word_labels: int = 40) -> tuple[pd.DataFrame, dict]:
    """P(positive) after each word, one line per model; the words along the axis when few."""
    rows = []
    labels = [f"{i + 1}·{w}" for i, w in enumerate(words)]
    for model, values in curves.items():
        for i, value in enumerate(values):
            rows.append({"model": model, "step": i + 1, "word": words[i] if i < len(words) else "",
                         "label": labels[i] if i < len(labels) else str(i + 1), "P(positive)": float(value)})
    data = pd.DataFrame(rows, columns=["model", "step", "word", "label", "P(positive)"])
    return reusable(_sentiment_trajectory, data, len(words) <= max_word_labels)


def _sentence_verdicts(data: pd.DataFrame, sentences: int) -> alt.Chart:
    # A shaded background layer squeezed the rows into one line in Streamlit's renderer: dots and
    # the 50% rule only.
    dots = alt.Chart().mark_point(filled=True, size=140, opacity=0.9).encode(
        x=alt.X("P(positive):Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"),
                title="P(positive) of each sentence read on its own: ← negative · positive →"),
        y=alt.Y("sentence:N", sort=alt.EncodingSortField("order"), title=None, axis=alt.Axis(labelLimit=340)),
        color=alt.Color("model:N", title="model", scale=alt.Scale(scheme="category10")),
        shape=alt.Shape("model:N", title="model"),
        tooltip=["model", "text", "verdict", alt.Tooltip("P(positive):Q", format=".1%")],
    )
    return styled(alt.layer(_half_way("x"), dots, data=data).properties(height=36 * sentences + 50))


def sentence_verdicts(sentences: list[str], probabilities: dict[str, np.ndarray],
                      label_chars: int = 48) -> tuple[pd.DataFrame, dict]:
    """Each sentence read on its own: one row per sentence (in reading order), one dot per model at
    its P(positive); the dashed 50% line splits negative (left) from positive (right)."""
    labels = []
    for i, sentence in enumerate(sentences):
        short = sentence if len(sentence) <= label_chars else sentence[:label_chars - 1].rstrip() + "…"
        labels.append(f"{i + 1}. {short}")
    rows = [{"model": model, "order": i, "sentence": labels[i], "text": sentences[i], "P(positive)": float(p),
             "verdict": "positive" if p > 0.5 else "negative"}
            for model, values in probabilities.items() for i, p in enumerate(values)]
    data = pd.DataFrame(rows, columns=["model", "order", "sentence", "text", "P(positive)", "verdict"])
    return reusable(_sentence_verdicts, data, len(sentences))
