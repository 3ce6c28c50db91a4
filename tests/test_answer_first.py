"""pages/_ui/answer_first.py: the answer's fragment names each reading by its content, and the
views' fragment follows a newer one. Whether the views really follow in a browser, and only after
the answer is on the page, is checked in Chromium (tests/browser/test_draw_in_chromium.py)."""

import numpy as np

from pages._ui import answer_first


def test_a_reading_is_named_by_its_content():
    digit = np.zeros((28, 28), np.float32)
    digit[5:20, 14] = 1.0
    same = digit.copy()
    other = digit.copy()
    other[10, 10] = 0.5
    assert answer_first.reading_id("Draw", digit) == answer_first.reading_id("Draw", same)
    assert answer_first.reading_id("Draw", digit) != answer_first.reading_id("Draw", other)
    assert answer_first.reading_id("Draw", digit) != answer_first.reading_id("Upload an image", digit)
    assert answer_first.reading_id("Draw", None) != answer_first.reading_id("Draw", digit)
    assert answer_first.reading_id("ab", "c") != answer_first.reading_id("a", "bc")  # parts kept apart


def test_the_two_scripts_speak_of_the_same_event_and_state():
    for name in ("explorer:answered", "__explorerAnswered"):
        assert name in answer_first.ANNOUNCE_JS and name in answer_first.FOLLOW_JS
    # the views ask for a rerun with the trigger their mount listens to, once per reading
    assert 'setTriggerValue("answered"' in answer_first.FOLLOW_JS
    assert "asked[data.channel] === latest" in answer_first.FOLLOW_JS
    # the announcement waits for the next frame: the answer is painted before the views are asked for
    assert "requestAnimationFrame" in answer_first.ANNOUNCE_JS
