"""Turn pen strokes into the sequence the pen models read: one row (dx, dy, pen_up) per point.

Used by training (the UCI pen digits), the Draw page (the canvas's fabric.js paths) and the CLI
(a JSON file of strokes), so that all three feed the models exactly the same thing.

Input: a list of strokes in SCREEN coordinates (x right, y DOWN), one array of (x, y) points per
pen-down stroke, at any scale and position. Steps, in order:

1. Drop empty strokes; refuse NaN, infinite or absurdly large coordinates.
2. Normalise: centre the bounding box on (0, 0) and divide by its larger side (aspect kept), so
   a digit drawn small in a corner reads like one drawn large in the middle.
3. Resample each stroke by arc length at a fixed spacing (coarser for a drawing too long to fit), so
   how fast the pen moved (how many points the tablet, mouse or finger reported) does not matter.
4. Emit one row per resampled point: the move (dx, dy) that reached it and pen_up = 1 when that
   move was made in the air (the first point, and the jump to the start of every later stroke).
5. Pad with zero rows to MAX_STEPS, with a mask. A real row is never all zero (moves are at least
   a fraction of the spacing long, or are pen-up moves), so ``keras.layers.Masking(0.0)`` works.

The y axis of the UCI tablet points UP: :func:`from_pendigits` flips it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_STEPS = 48  # rows per sequence (a UCI digit needs 25 at the median, 38 at most)
SPACING = 0.1  # resampling distance, as a fraction of the drawing's larger side
FEATURES = 3  # dx, dy, pen_up
MAX_COORDINATE = 1e6  # larger coordinates are not a drawing (a bug or a hostile file)
MAX_POINTS = 100_000  # more raw points than any hand draws in a digit
MIN_SIZE = 1e-6  # a drawing whose larger side is smaller than this is a dot: nothing to read
QUADRATIC_SAMPLES = 4  # points taken along each fabric.js quadratic curve segment


@dataclass(frozen=True)
class PenSequence:
    """A drawing ready for the pen models."""

    rows: np.ndarray  # (MAX_STEPS, 3) float32: dx, dy, pen_up; zero rows after the last point
    mask: np.ndarray  # (MAX_STEPS,) bool: True for real rows
    points: np.ndarray  # (length, 2) float32: the resampled, normalised points (screen frame)

    @property
    def length(self) -> int:
        return int(self.mask.sum())


# -- 1. Check the input ------------------------------------------------------------------------


def clean_strokes(strokes) -> list[np.ndarray]:
    """Strokes as float64 (n, 2) arrays, empty ones dropped; ValueError for anything else."""
    if strokes is None or isinstance(strokes, str | bytes | dict):
        raise ValueError("strokes must be a list of strokes, each a list of [x, y] points")
    cleaned, total = [], 0
    for k, stroke in enumerate(strokes):
        try:
            array = np.asarray(stroke, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"stroke {k + 1} is not a list of [x, y] numbers ({error})") from None
        if array.size == 0:
            continue  # an empty stroke (a click that never moved) carries nothing
        if array.ndim != 2 or array.shape[1] != 2:
            raise ValueError(f"stroke {k + 1} must be a list of [x, y] points, got shape {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"stroke {k + 1} has a NaN or infinite coordinate")
        if np.abs(array).max() > MAX_COORDINATE:
            raise ValueError(f"stroke {k + 1} has a coordinate beyond ±{MAX_COORDINATE:g}: not a drawing")
        total += len(array)
        if total > MAX_POINTS:
            raise ValueError(f"more than {MAX_POINTS:,} points: not a hand-drawn character")
        cleaned.append(array)
    if not cleaned:
        raise ValueError("no strokes: draw something first")
    return cleaned


# -- 2. Normalise -----------------------------------------------------------------------------


def normalise(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Centre the bounding box on (0, 0) and scale its larger side to 1, keeping the aspect."""
    everything = np.concatenate(strokes)
    low, high = everything.min(axis=0), everything.max(axis=0)
    size = float((high - low).max())
    if size < MIN_SIZE:
        raise ValueError("the drawing is a single dot: draw a longer stroke")
    centre = (low + high) / 2
    return [(s - centre) / size for s in strokes]


# -- 3. Resample by distance ------------------------------------------------------------------


def resample(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Points every ``spacing`` along the stroke's path, plus its end point."""
    steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    length = float(steps.sum())
    if length < spacing / 2:  # a dot or a tiny tick: one point
        return stroke[:1].copy() if length == 0 else stroke[[0, -1]].mean(axis=0, keepdims=True)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    keep = np.concatenate([[True], steps > 0])  # repeated points would break np.interp
    along, stroke = along[keep], stroke[keep]
    targets = np.arange(0.0, length, spacing)
    if length - targets[-1] > spacing / 4:  # the end point, unless a sample almost reaches it
        targets = np.append(targets, length)
    else:
        targets[-1] = length
    return np.stack([np.interp(targets, along, stroke[:, 0]), np.interp(targets, along, stroke[:, 1])], axis=1)


def path_length(strokes: list[np.ndarray]) -> float:
    return float(sum(np.linalg.norm(np.diff(s, axis=0), axis=1).sum() for s in strokes))


# -- 4 and 5. Rows, padding and mask ----------------------------------------------------------


def to_sequence(strokes, max_steps: int = MAX_STEPS, spacing: float = SPACING) -> PenSequence:
    """The whole pipeline: screen-coordinate strokes -> :class:`PenSequence`."""
    strokes = normalise(clean_strokes(strokes))
    # A long drawing (an 8 drawn twice over) gets a coarser spacing rather than losing its end.
    budget = max(max_steps - 2 * len(strokes), max_steps // 2)
    spacing = max(spacing, path_length(strokes) / budget)
    resampled = [resample(s, spacing) for s in strokes]
    while sum(len(r) for r in resampled) > max_steps:  # many tiny strokes: keep the first ones
        resampled.pop()
    points = np.concatenate(resampled)
    pen_up = np.concatenate([np.eye(1, len(r)).ravel() for r in resampled])  # 1 on each stroke's first point
    moves = np.diff(points, axis=0, prepend=np.zeros((1, 2)))
    rows = np.zeros((max_steps, FEATURES), np.float32)
    rows[: len(points), :2] = moves
    rows[: len(points), 2] = pen_up
    mask = np.zeros(max_steps, bool)
    mask[: len(points)] = True
    return PenSequence(rows, mask, points.astype(np.float32))


def to_batch(list_of_strokes, max_steps: int = MAX_STEPS) -> np.ndarray:
    """(n, max_steps, 3) float32 for many drawings."""
    return np.stack([to_sequence(s, max_steps).rows for s in list_of_strokes]) if len(list_of_strokes) else (
        np.zeros((0, max_steps, FEATURES), np.float32))


def prefixes(sequence: PenSequence | np.ndarray) -> np.ndarray:
    """(length, MAX_STEPS, 3): prefix k holds the first k + 1 rows, the rest zero.

    For the point-by-point replay: one batched call on these gives the model's answer after every
    point (a unidirectional recurrent model's answer after point k only depends on rows <= k)."""
    rows = sequence.rows if isinstance(sequence, PenSequence) else np.asarray(sequence, np.float32)
    length = int(np.any(rows != 0, axis=1).sum())
    keep = np.tril(np.ones((len(rows), len(rows)), np.float32))[:length]  # row k keeps rows 0..k
    return rows[None, :, :] * keep[:, :, None]


# -- Sources of strokes -----------------------------------------------------------------------


def from_pendigits(points: np.ndarray) -> list[np.ndarray]:
    """One UCI pen digit (rows x, y, pen_up_after; y UP) -> screen strokes (y down)."""
    points = np.asarray(points, np.float64)
    ends = np.flatnonzero(points[:, 2])[:-1] + 1
    return [s * [1.0, -1.0] for s in np.split(points[:, :2], ends)]


def _quadratic(p0, p1, p2, n: int = QUADRATIC_SAMPLES) -> list:
    t = np.arange(1, n + 1)[:, None] / n
    return list((1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2)


def from_fabric_path(obj: dict) -> np.ndarray:
    """The points of one fabric.js free-drawing path (commands M, L, Q, C), in canvas pixels.

    Free drawing stores absolute canvas coordinates in ``path`` (checked on a recording from
    Chromium: the path of a stroke starting at canvas pixel (150, 40) starts with M 150 40);
    ``left``/``top`` are then just the centre of its box. An object moved, scaled or rotated
    afterwards (transform mode) is mapped from its path's centre to ``left``/``top``."""
    points, here = [], None
    for command in obj.get("path") or []:
        if not command:
            continue
        op, values = str(command[0]).upper(), np.asarray(command[1:], dtype=np.float64)
        if op in ("M", "L") and len(values) >= 2:
            here = values[-2:]
            points.append(here)
        elif op == "Q" and len(values) >= 4 and here is not None:
            points.extend(_quadratic(here, values[0:2], values[2:4]))
            here = values[2:4]
        elif op == "C" and len(values) >= 6 and here is not None:  # cubic: sample it the same way
            t = np.arange(1, QUADRATIC_SAMPLES + 1)[:, None] / QUADRATIC_SAMPLES
            p0, p1, p2, p3 = here, values[0:2], values[2:4], values[4:6]
            points.extend((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3)
            here = p3
    if not points:
        return np.zeros((0, 2))
    xy = np.asarray(points, np.float64)
    scale = np.array([float(obj.get("scaleX", 1) or 1), float(obj.get("scaleY", 1) or 1)])
    angle = np.radians(float(obj.get("angle", 0) or 0))
    moved = obj.get("originX") == "center" and obj.get("originY") == "center" and "left" in obj and "top" in obj
    if moved:
        offset = obj.get("pathOffset") or {}
        centre = np.array([offset.get("x", np.nan), offset.get("y", np.nan)], np.float64)
        if not np.isfinite(centre).all():
            centre = (xy.min(axis=0) + xy.max(axis=0)) / 2
        target = np.array([float(obj["left"]), float(obj["top"])])
        # Only when the box really was transformed: a fresh stroke's left/top is its own centre.
        if np.allclose(scale, 1) and angle == 0 and np.abs(target - centre).max() < 0.1 * max(float(obj.get(
                "width", 0) or 0), float(obj.get("height", 0) or 0), 1.0) + 2:
            return xy
        rotate = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        xy = ((xy - centre) * scale) @ rotate.T + target
    return xy


def strokes_from_canvas_json(json_data) -> list[np.ndarray]:
    """The strokes of a streamlit-drawable-canvas ``json_data`` (a dict or its JSON text)."""
    if isinstance(json_data, str | bytes):
        try:
            json_data = json.loads(json_data)
        except json.JSONDecodeError as error:
            raise ValueError(f"the canvas data is not JSON ({error.msg})") from None
    if not isinstance(json_data, dict) or not isinstance(json_data.get("objects", []), list):
        raise ValueError("the canvas data must be an object with a list of 'objects'")
    strokes = []
    for obj in json_data.get("objects", []):
        if isinstance(obj, dict) and str(obj.get("type", "")).lower() == "path":
            strokes.append(from_fabric_path(obj))
        elif isinstance(obj, dict) and str(obj.get("type", "")).lower() == "line":  # the canvas's line tool
            left, top = float(obj.get("left", 0)), float(obj.get("top", 0))
            strokes.append(np.array([[left + obj.get("x1", 0), top + obj.get("y1", 0)],
                                     [left + obj.get("x2", 0), top + obj.get("y2", 0)]], np.float64))
    return strokes


def from_canvas_json(json_data, max_steps: int = MAX_STEPS) -> PenSequence:
    """The canvas's drawing as a model input."""
    return to_sequence(strokes_from_canvas_json(json_data), max_steps)


def read_stroke_file(path: str | Path) -> list:
    """A CLI stroke file: ``{"strokes": [[[x, y], ...], ...]}``, screen coordinates (y down)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read strokes from {path}: {error}") from None
    if not isinstance(data, dict) or "strokes" not in data:
        raise ValueError(f'{path}: expected {{"strokes": [[[x, y], ...], ...]}}')
    return data["strokes"]



# -- Strokes as a picture ---------------------------------------------------------------------

CANVAS_SIZE = 280  # the Draw page's canvas
CANVAS_MARGIN = 40  # pixels left free around the drawing, as a student leaves around a digit
CANVAS_PEN = 22  # the Draw page's default pen width


def render_image(drawing, canvas_size: int = CANVAS_SIZE, pen_width: int = CANVAS_PEN) -> np.ndarray:
    """A (28, 28) float32 MNIST-style image of screen strokes, made as the Draw page makes one:
    white strokes of the page's pen width on a black canvas, then :func:`data.digits.to_mnist`
    (ink fitted in 20x20, centre of mass at the centre). For adding the pen writers' variety to
    the image models' training."""
    from PIL import Image, ImageDraw

    from data import digits

    parts = normalise(clean_strokes(drawing))
    inner = canvas_size - 2 * CANVAS_MARGIN
    image = Image.new("L", (canvas_size, canvas_size), 0)
    pen = ImageDraw.Draw(image)
    for part in parts:
        xy = [tuple(p) for p in (part * inner + canvas_size / 2).tolist()]
        if len(xy) == 1:
            xy = xy * 2
        pen.line(xy, fill=255, width=pen_width, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round caps, like the canvas's
            pen.ellipse((x - pen_width / 2, y - pen_width / 2, x + pen_width / 2, y + pen_width / 2), fill=255)
    return digits.to_mnist(np.asarray(image))
