"""Answer first: a stroke's answer is on screen before the views below it arrive.

A Draw-page run sends the answer, then every view below it (charts, feature maps, the pen
replay). When the views came right behind the answer, the browser received them together and
drew them all in one long task (70–145 ms in this machine's Chromium) before it painted anything:
the digit was in the page after ~110 ms but on screen after ~190 ms.

Now the page computes what the views need first (that work overlaps the browser's rendering of
the answer), and sends everything after the answer (the 28×28 it read, the class-board form, the
views) no sooner than :data:`PAINT_GAP_S` after it, waiting what is left of the gap with the
interpreter free for other students. The browser renders and paints
the answer alone, then the views. Under load, when the views take longer than the gap to compute,
nothing waits at all; a student alone sees the views at most the gap later, and only for a new
input (moving a slider among the views waits for nothing). One run per stroke,
as before: a second run for the views (asked for by the browser once the answer was painted) was
tried and made the class of 30 wait longer, each half queueing on its own.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
import streamlit as st

PAINT_GAP_S = 0.04  # answer sent → first view sent: Chromium here renders and paints the answer in ~20–40 ms


def is_new(page: str, *parts) -> bool:
    """Whether ``parts`` (the input: arrays, strings, None) differ from the last run's on ``page``
    in this session: only a new input has a new answer to put first. A slider moved below
    the answer does not wait."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(np.ascontiguousarray(part).tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        digest.update(b"\0")
    key = f"answer_first_{page}"
    new = st.session_state.get(key) != digest.hexdigest()
    st.session_state[key] = digest.hexdigest()
    return new


def answer_sent() -> float:
    """Call right after the answer's elements: when they left for the browser."""
    return time.perf_counter()


def let_it_paint(answer_sent_at: float, gap_s: float = PAINT_GAP_S) -> float:
    """Before the first view: wait what is left of ``gap_s`` since ``answer_sent_at``; the seconds waited."""
    left = gap_s - (time.perf_counter() - answer_sent_at)
    if left <= 0:
        return 0.0
    time.sleep(left)
    return left
