"""The Draw page's "read the pen" view: the pen models read the canvas's strokes as they were
drawn, and a replay shows the pen LSTM's answer after every point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from data import catalog, strokes
from pages._ui import layout, model_cache
from pages._ui.charts import reading as charts

TASK = catalog.get(catalog.PENDIGITS)


@st.cache_resource(show_spinner="Compiling the pen replay…")
def pen_reader(key: str):
    from models.probes import pen

    return model_cache.long_lived(pen.reader_for(model_cache.pretrained_model(key)))


@dataclass
class PenReading:
    """What the pen models made of the canvas's strokes (computed before anything is drawn)."""

    sequence: strokes.PenSequence
    probabilities: dict  # each pen model's probabilities
    titles: dict  # model key → its title
    lead: str  # the model whose answer after every point is replayed
    replay: np.ndarray  # (points, classes): the lead model's probabilities after each point


def read(canvas_json) -> PenReading | str:
    """The pen models' reading of the strokes, or what to say instead (no strokes, no model)."""
    try:
        sequence = strokes.from_canvas_json(canvas_json)
    except ValueError:
        return "Draw on the canvas: the pen models read your strokes, point by point, in the order you drew them."
    ready = model_cache.ready(model_cache.loaded_models(TASK.key))  # show() warns about the others
    if not ready:
        return "No pen model is available. Train one with `python -m models train pen_lstm`."
    probabilities = model_cache.ensemble(ready)(sequence.rows)
    lead = next((k for k in probabilities if "lstm" in k), next(iter(probabilities)))
    return PenReading(sequence, probabilities, {k: ready[k].spec.title for k in probabilities}, lead,
                      pen_reader(lead).replay(sequence))


def show(reading: PenReading | str) -> None:
    """Everything about the strokes (the Draw page's "Read the pen, not the picture" tab); says so
    plainly when there are none to read."""
    model_cache.usable(model_cache.loaded_models(TASK.key))  # a warning for each pen model that is not
    if isinstance(reading, str):
        st.info(reading)
        return
    sequence, probabilities, titles, lead, replay = (reading.sequence, reading.probabilities, reading.titles,
                                                     reading.lead, reading.replay)
    n_strokes = int(sequence.rows[: sequence.length, 2].sum())
    st.caption(f"Your drawing as the pen models get it: {n_strokes} stroke(s), resampled to {sequence.length} "
               "points evenly spaced along the ink (so drawing fast or slow changes nothing), each point the move "
               "(Δx, Δy) from the last one and whether the pen was lifted before it.")
    st.vega_lite_chart(*charts.probability_bars(probabilities, titles, list(TASK.class_names),
                                            columns=2 if layout.on_a_phone() else 4))
    final = int(np.argmax(replay[-1]))
    from models.probes.pen import first_sure_point

    sure = first_sure_point(replay)
    left, right = st.columns([1, 1.6], gap="large")
    with left:
        t = st.slider("Replay: after pen point", 1, len(replay), len(replay), key="pen_replay_point")
        points = sequence.points[:t]
        stroke_id = np.cumsum(sequence.rows[:t, 2])
        frame = pd.DataFrame({"x": points[:, 0], "y": points[:, 1], "stroke": stroke_id.astype(int),
                              "order": np.arange(1, t + 1)})
        st.vega_lite_chart(frame, {
            "mark": {"type": "line", "point": True, "strokeWidth": 4},
            "encoding": {"x": {"field": "x", "type": "quantitative", "axis": None,
                               "scale": {"domain": [-0.6, 0.6]}},
                         "y": {"field": "y", "type": "quantitative", "axis": None,
                               "scale": {"domain": [0.6, -0.6]}},
                         "detail": {"field": "stroke"}, "order": {"field": "order"},
                         "color": {"field": "stroke", "type": "nominal", "title": "stroke"}},
            "width": 240, "height": 240}, width="content")
        top = int(np.argmax(replay[t - 1]))
        st.metric(f"The {titles[lead]} after point {t}", TASK.class_names[top], f"{replay[t - 1, top]:.0%} sure",
                  delta_color="off", delta_arrow="off")
    with right:
        st.markdown(f"**{titles[lead]}: the probability of each digit after every point**")
        st.vega_lite_chart(*charts.readout_lines(replay, list(TASK.class_names), "pen point"))
        if sure is not None:
            st.caption(f"It settled on **{TASK.class_names[final]}** after point {sure} of {len(replay)}: "
                       f"the digit was recognisable {'before it was finished' if sure < len(replay) else 'at the end'}."
                       " A picture model only ever sees the finished image; the pen model also knows the order "
                       "and direction of your strokes (a 4 drawn in one stroke or two looks different to it).")
