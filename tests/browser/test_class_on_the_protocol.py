"""The load benchmark's students: what a real Chromium sends is recorded, and sessions on
Streamlit's own websocket protocol replay it with new drawings and reviews and get answers.
(The benchmark runs thirty of them; here two, back to back, so the tool itself stays honest.)"""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from benchmarks import load

pytestmark = pytest.mark.browser


def test_two_protocol_students_draw_and_type_and_get_every_answer():
    result = load.run(students=2, typists=1, predictions=3, with_training=False, think=0)
    assert result["errors"] == 0, result["error_list"]
    assert result["predictions"] == 6
    assert result["draw"]["n"] == 3 and result["review"]["n"] == 3
    assert sum(row["n"] for row in result["timeline"]) == 6  # every prediction in its 5 s of the class
    assert result["cores_used"]["Streamlit server(s)"] > 0  # the server worked (read from /proc)


def _template(kind: str):
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    widgets = msg.rerun_script.widget_states.widgets
    if kind == "draw":
        widget = widgets.add(id="$$ID-abc-canvas_0")
        widget.json_value = json.dumps({"drawing": {"raw": {"objects": []}, "data": "data:image/png;base64,"}})
    else:
        widgets.add(id="$$ID-def-review_text").string_value = "recorded text"
    widgets.add(id="$$ID-123-pen_width").double_array_value.data.append(22)
    return msg


def test_a_replayed_stroke_carries_a_new_canvas_picture():
    template = _template("draw")
    first = load.with_new_input(template, "draw", np.random.default_rng(0), 0, 1)
    second = load.with_new_input(template, "draw", np.random.default_rng(1), 1, 1)
    pictures = []
    for msg in (first, second):
        value = json.loads(msg.rerun_script.widget_states.widgets[0].json_value)
        header, encoded = value["drawing"]["data"].split(",", 1)
        assert header == "data:image/png;base64"
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))
        assert image.shape == (280, 280, 4) and image[..., 0].max() == 255 and image[..., 0].min() == 0
        pictures.append(image)
    assert not np.array_equal(*pictures)  # each stroke is a new drawing
    assert template.rerun_script.widget_states.widgets[0].json_value.endswith('"data:image/png;base64,"}}')
    assert list(first.rerun_script.widget_states.widgets[1].double_array_value.data) == [22]  # the rest as recorded


def test_a_replayed_review_is_new_text():
    template = _template("review")
    texts = {load.with_new_input(template, "review", None, n, 4).rerun_script.widget_states.widgets[0].string_value
             for n in range(5)}
    assert len(texts) == 5 and all("student 4" in t for t in texts)
