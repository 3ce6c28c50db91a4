"""The stroke pipeline: the same drawing must give the same rows however it was drawn."""

import json
from pathlib import Path

import numpy as np
import pytest

from data import strokes

FIXTURE = Path(__file__).parent / "data" / "canvas_stroke_four.json"

# A two-stroke 4 in screen coordinates (y down), like the recording: a diagonal and a bar, then
# the vertical.
FOUR = [np.array([[150, 40], [70, 170], [215, 170]], float), np.array([[175, 95], [172, 250]], float)]


def densify(stroke, per_segment):
    """The same path with ``per_segment`` points on every segment (a faster or slower pen)."""
    out = [stroke[0]]
    for a, b in zip(stroke[:-1], stroke[1:]):
        out.extend(a + (b - a) * t for t in np.linspace(0, 1, per_segment + 1)[1:])
    return np.array(out)


def test_rows_mask_and_padding():
    seq = strokes.to_sequence(FOUR)
    assert seq.rows.shape == (strokes.MAX_STEPS, 3) and seq.rows.dtype == np.float32
    assert seq.mask.shape == (strokes.MAX_STEPS,) and seq.mask.dtype == bool
    n = seq.length
    assert 10 < n < strokes.MAX_STEPS
    assert seq.mask[:n].all() and not seq.mask[n:].any()
    assert not seq.rows[n:].any(), "padding is zeros"
    assert np.abs(seq.rows[:n]).sum(axis=1).min() > 0, "a real row is never all zero (Masking relies on it)"
    # The moves add up to the points.
    np.testing.assert_allclose(np.cumsum(seq.rows[:n, :2], axis=0), seq.points, atol=1e-5)


def test_pen_up_marks_the_first_point_of_every_stroke():
    seq = strokes.to_sequence(FOUR)
    pen_up = seq.rows[: seq.length, 2]
    assert set(np.unique(pen_up)) == {0.0, 1.0}
    starts = np.flatnonzero(pen_up)
    assert starts[0] == 0 and len(starts) == 2
    # The second stroke starts where the vertical begins, (175, 95): box 70-215 x 40-250, so the
    # centre is (142.5, 145) and the larger side 210.
    np.testing.assert_allclose(seq.points[starts[1]], [(175 - 142.5) / 210, (95 - 145) / 210], atol=1e-5)
    single = strokes.to_sequence([FOUR[0]])
    assert single.rows[: single.length, 2].sum() == 1


def test_normalisation_ignores_scale_and_position():
    base = strokes.to_sequence(FOUR)
    for scale, shift in [(0.01, (0, 0)), (7.5, (-3000, 12)), (1.0, (1e5, -1e5))]:
        moved = strokes.to_sequence([s * scale + shift for s in FOUR])
        assert moved.length == base.length
        np.testing.assert_allclose(moved.rows, base.rows, atol=1e-4)
    # Centred on the box and scaled by its larger side, aspect kept.
    pts = base.points
    assert abs(pts[:, 1].max() - pts[:, 1].min() - 1) < 0.05  # the 4 is taller than wide
    assert pts[:, 0].max() - pts[:, 0].min() < 0.98


def test_resampling_ignores_speed_and_point_density():
    slow = strokes.to_sequence([densify(s, 40) for s in FOUR])
    fast = strokes.to_sequence([densify(s, 3) for s in FOUR])
    base = strokes.to_sequence(FOUR)
    assert slow.length == fast.length == base.length
    np.testing.assert_allclose(slow.rows, base.rows, atol=1e-4)
    np.testing.assert_allclose(fast.rows, base.rows, atol=1e-4)
    # Repeated points (a pen resting) change nothing either.
    resting = [np.repeat(s, 3, axis=0) for s in FOUR]
    np.testing.assert_allclose(strokes.to_sequence(resting).rows, base.rows, atol=1e-5)


def test_steps_are_at_the_fixed_spacing():
    seq = strokes.to_sequence([np.array([[0, 0], [0, 100]], float)])
    steps = np.linalg.norm(seq.rows[1: seq.length, :2], axis=1)
    np.testing.assert_allclose(steps, strokes.SPACING, atol=1e-6)


def test_a_very_long_drawing_is_resampled_to_fit_not_cut():
    scribble = [np.array([[0, 0], [100, 0]] * 40, float) + [0, 1] * np.arange(80)[:, None]]
    seq = strokes.to_sequence(scribble)
    assert seq.length <= strokes.MAX_STEPS
    assert abs(seq.points[-1, 1] - seq.points.max(axis=0)[1]) < 0.05, "the end of the drawing is kept"


def test_from_pendigits_flips_y():
    # A tablet "7" (y UP): the bar at the top, then down to the bottom left; the pen lifts once.
    tablet = np.array([[0, 100, 0], [60, 100, 0], [10, 0, 1]], np.float32)
    screen = strokes.from_pendigits(tablet)
    assert len(screen) == 1
    assert screen[0][0, 1] < screen[0][-1, 1], "the first point is at the top of the screen (smaller y)"
    two = strokes.from_pendigits(np.array([[0, 0, 0], [0, 10, 1], [5, 5, 0], [9, 5, 1]], np.float32))
    assert [len(s) for s in two] == [2, 2]


def test_prefixes_for_the_replay():
    seq = strokes.to_sequence(FOUR)
    batch = strokes.prefixes(seq)
    assert batch.shape == (seq.length, strokes.MAX_STEPS, 3)
    for k in (0, 5, seq.length - 1):
        np.testing.assert_array_equal(batch[k, : k + 1], seq.rows[: k + 1])
        assert not batch[k, k + 1:].any()
    np.testing.assert_array_equal(batch[-1], seq.rows)


def test_canvas_json_recorded_in_chromium():
    """A two-stroke 4 drawn with the mouse in headless Chromium on the canvas of the Draw page
    (streamlit-drawable-canvas 0.13, fabric.js 7.4): diagonal (150, 40) -> (70, 170), bar to
    (215, 170), pen up, vertical (175, 95) -> (172, 250); canvas pixels, y down."""
    data = json.loads(FIXTURE.read_text())
    found = strokes.strokes_from_canvas_json(data)
    assert len(found) == 2
    first, second = found
    np.testing.assert_allclose(first[0], [150, 40], atol=1)
    np.testing.assert_allclose(first[-1], [215, 170], atol=1)
    assert first[:, 0].min() < 75 and abs(first[:, 1].max() - 170) < 1
    np.testing.assert_allclose(second[0], [175, 95], atol=1)
    np.testing.assert_allclose(second[-1], [172, 250], atol=1)
    seq = strokes.from_canvas_json(data)
    assert seq.rows[: seq.length, 2].sum() == 2
    # Same rows from the JSON text, and the same as the strokes we meant to draw.
    np.testing.assert_array_equal(strokes.from_canvas_json(FIXTURE.read_text()).rows, seq.rows)
    meant = strokes.to_sequence(FOUR)
    assert abs(meant.length - seq.length) <= 2


def test_a_moved_canvas_object_is_mapped_back():
    data = json.loads(FIXTURE.read_text())
    obj = data["objects"][1]
    original = strokes.from_fabric_path(obj)
    shifted = dict(obj, left=obj["left"] + 40, top=obj["top"] - 10)
    np.testing.assert_allclose(strokes.from_fabric_path(shifted), original + [40, -10], atol=1e-6)
    doubled = dict(obj, scaleX=2.0, scaleY=2.0)
    moved = strokes.from_fabric_path(doubled)
    assert np.ptp(moved[:, 1]) == pytest.approx(2 * np.ptp(original[:, 1]))


@pytest.mark.parametrize("bad, message", [
    ([], "no strokes"),
    ([[]], "no strokes"),
    (None, "list of strokes"),
    ("12", "list of strokes"),
    ([[[0, 0], [float("nan"), 3]]], "NaN"),
    ([[[0, 0], [float("inf"), 3]]], "NaN or infinite"),
    ([[[0, 0], [1e12, 3]]], "not a drawing"),
    ([[[0, 0, 0], [1, 1, 1]]], "[x, y] points"),
    ([[["a", "b"]]], "not a list of [x, y] numbers"),
    ([[[5, 5], [5, 5]]], "single dot"),
])
def test_bad_input_says_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        strokes.to_sequence(bad)


@pytest.mark.parametrize("bad, message", [
    ("{not json", "not JSON"),
    ([1, 2], "list of 'objects'"),
    ({"objects": []}, "no strokes"),
    ({"objects": [{"type": "rect"}]}, "no strokes"),
])
def test_bad_canvas_json(bad, message):
    with pytest.raises(ValueError, match=message):
        strokes.from_canvas_json(bad)


def test_stroke_file(tmp_path):
    path = tmp_path / "four.json"
    path.write_text(json.dumps({"strokes": [s.tolist() for s in FOUR]}))
    np.testing.assert_array_equal(strokes.to_sequence(strokes.read_stroke_file(path)).rows,
                                  strokes.to_sequence(FOUR).rows)
    (tmp_path / "bad.json").write_text('{"points": []}')
    with pytest.raises(ValueError, match="expected"):
        strokes.read_stroke_file(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="cannot read"):
        strokes.read_stroke_file(tmp_path / "missing.json")


def test_render_image_is_mnist_like_and_ignores_scale():
    image = strokes.render_image(FOUR)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.max() == pytest.approx(1.0) and image.min() >= 0
    rows, cols = np.nonzero(image > 0.1)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) <= 21, "ink fits MNIST's 20 px box"
    total = image.sum()
    centre = [(np.arange(28)[:, None] * image).sum() / total, (np.arange(28)[None, :] * image).sum() / total]
    np.testing.assert_allclose(centre, [13.5, 13.5], atol=1.5)
    np.testing.assert_allclose(strokes.render_image([s * 0.1 + 500 for s in FOUR]), image, atol=1e-5)
