"""pages/_ui/pen_up.py presses the drawing canvas's own send button at pen-up. It relies on two
facts of streamlit-drawable-canvas's JavaScript bundle, checked here so that an upgrade that
changes them is noticed (the browser test tests/browser/test_draw_in_chromium.py checks the
behaviour)."""

import re
from importlib import metadata
from pathlib import Path

from pages._ui import pen_up


def canvas_bundle() -> str:
    files = [Path(f.locate()) for f in metadata.files("streamlit-drawable-canvas")
             if re.search(r"frontend/build/index-.*\.js$", str(f))]
    assert len(files) == 1, files
    return files[0].read_text()


def test_the_canvas_still_has_its_send_button_and_its_200_ms_wait():
    bundle = canvas_bundle()
    assert f'"{pen_up.SEND_BUTTON}"' in bundle  # the toolbar button we press
    assert re.search(r"\b\w+ = 200, \w+ = \(e\) => \{\s*const t = e\.canvas\.toObject", bundle), \
        "the canvas's debounce changed: is pen_up still needed?"


def test_the_script_presses_that_button_and_only_after_a_stroke_on_a_canvas():
    js = pen_up.SEND_ON_PEN_UP_JS
    assert f'button[title="{pen_up.SEND_BUTTON}"]' in js
    assert '"upper-canvas"' in js and "pointerdown" in js and "pointerup" in js
