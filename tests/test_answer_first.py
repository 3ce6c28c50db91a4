"""pages/_ui/answer_first.py: the views wait what is left of the gap after the answer, and only
for a new input. The order and the gap on the Draw page itself are checked in AppTest
(tests/test_app.py::test_draw_page_sends_the_answer_first_and_the_views_a_moment_later); the
paint it leaves time for is measured, not tested (python -m benchmarks.stroke_cost): pacing
cannot promise it on every stroke."""

import time

import numpy as np
import pytest

from pages._ui import answer_first


@pytest.fixture
def slept(monkeypatch):
    naps = []
    monkeypatch.setattr(answer_first.time, "sleep", naps.append)
    return naps


def test_the_views_wait_only_what_is_left_of_the_gap(slept):
    answer_first.let_it_paint(time.perf_counter() - 0.010, gap_s=0.040)  # 10 ms of computing the views
    assert len(slept) == 1 and 0.025 < slept[0] <= 0.030
    slept.clear()
    assert answer_first.let_it_paint(time.perf_counter() - 0.050, gap_s=0.040) == 0.0  # computing took longer
    assert slept == []


def test_only_a_new_input_puts_its_answer_first(monkeypatch):
    import streamlit as st

    monkeypatch.setattr(st, "session_state", {})
    digit = np.zeros((28, 28), np.float32)
    digit[5:20, 14] = 1.0
    assert answer_first.is_new("draw", "Draw", digit)
    assert not answer_first.is_new("draw", "Draw", digit.copy())  # the same input again: a slider moved
    other = digit.copy()
    other[10, 10] = 0.5
    assert answer_first.is_new("draw", "Draw", other)
    assert answer_first.is_new("draw", "Upload an image", other)
    assert answer_first.is_new("review", "Draw", other)  # each page keeps its own
    assert not answer_first.is_new("draw", "Upload an image", other)
