"""Charts of the Write page: the next-character guess, and one guess at several temperatures."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from data import characters
from pages._ui.charts.style import HIGHLIGHT, MUTED, reusable, styled

SHOWN = {" ": "␣ (space)", "\n": "⏎ (new review)", characters.UNKNOWN: "? (unknown)"}


def shown(char: str) -> str:
    """A character as a bar label: spaces and newlines made visible."""
    return SHOWN.get(char, char)


def _bars(data: pd.DataFrame) -> alt.Chart:
    base = alt.Chart(data).encode(
        y=alt.Y("character:N", sort=alt.EncodingSortField("probability", order="descending"), title=None,
                axis=alt.Axis(labelFontSize=16)),
        x=alt.X("probability:Q", axis=alt.Axis(format="%"), title="probability of coming next"),
    )
    bars = base.mark_bar().encode(color=alt.condition(alt.datum.chosen, alt.value(HIGHLIGHT), alt.value(MUTED)),
                                  tooltip=["character", alt.Tooltip("probability:Q", format=".1%")])
    text = base.mark_text(align="left", dx=4, fontSize=13).encode(text=alt.Text("probability:Q", format=".1%"))
    return styled((bars + text).properties(height=300))


def next_character_bars(probabilities: np.ndarray, chosen: str | None = None, k: int = 10):
    """The ``k`` likeliest next characters, the chosen one in colour."""
    top = np.argsort(probabilities)[::-1][:k]
    data = pd.DataFrame({"character": [shown(characters.VOCABULARY[i]) for i in top],
                         "probability": probabilities[top].astype(float),
                         "chosen": [characters.VOCABULARY[i] == chosen for i in top]})
    return reusable(_bars, data)


def _panels(data: pd.DataFrame, temperatures: tuple) -> alt.Chart:
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("character:N", sort=alt.EncodingSortField("base", order="descending"), title=None,
                axis=alt.Axis(labelFontSize=14)),
        x=alt.X("probability:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title=None),
        color=alt.value(HIGHLIGHT),
        tooltip=["character", alt.Tooltip("probability:Q", format=".1%")],
    ).properties(width=220, height=260).facet(
        column=alt.Column("temperature:N", sort=[f"T = {t}" for t in temperatures], title=None,
                          header=alt.Header(labelFontSize=15)))
    return styled(chart)


def temperature_panels(scores: np.ndarray, temperatures=(0.2, 0.8, 1.5), k: int = 8):
    """The same scores z as softmax(z / T) for each T, side by side (the ``k`` likeliest)."""
    from models.probes.generation import softmax_with_temperature

    top = np.argsort(scores)[::-1][:k]
    rows = []
    for t in temperatures:
        p = softmax_with_temperature(scores, t)
        for rank, i in enumerate(top):
            rows.append({"temperature": f"T = {t}", "character": shown(characters.VOCABULARY[i]),
                         "probability": float(p[i]), "base": -rank})
    return reusable(_panels, pd.DataFrame(rows), tuple(temperatures))
