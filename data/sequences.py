"""Sine and cosine sequences for the LSTM gates page: windows of a wave -> the next value.

The course lab's task, generated on the fly (nothing to download):

* ``sine``: windows of a (noisy) sine wave; the target is the clean sine one step later.
* ``cosine``: the same with a cosine wave (the variant the lab's report asks for).
* ``sine_to_cosine``: "sine in, cosine out": the window is the sine wave, the target is the
  clean cosine one step later, so the network has to learn the quarter-period shift.

One long wave is cut in time into a training, a validation and a test stretch (in that
order, 70/15/15 by default); windows never cross the cuts, so the test windows are samples the
network has never seen. Noise is added to the inputs only: the target is the clean wave, so
the best possible model filters the noise out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

import numpy as np

from data.dataset import Dataset

TASKS = {
    "sine": "Sine → next sine value",
    "cosine": "Cosine → next cosine value",
    "sine_to_cosine": "Sine in, cosine out",
}
STEPS_PER_FREQUENCY_UNIT = 100  # frequency is counted in cycles per 100 time steps


@dataclass(frozen=True)
class Signal:
    """Everything that defines a generated data set (the same Signal gives the same arrays)."""

    task: str = "sine"
    amplitude: float = 1.0
    frequency: float = 2.5  # cycles per 100 time steps: 2.5 -> one period every 40 steps
    noise: float = 0.05  # standard deviation of the Gaussian noise added to the input wave
    window: int = 20  # time steps the network reads before predicting the next value
    length: int = 1200  # samples of the whole wave (training + validation + test stretches)
    seed: int = 42  # noise and starting phase

    def __post_init__(self):
        problems = []
        if self.task not in TASKS:
            problems.append(f"task must be one of {', '.join(TASKS)}")
        if not self.amplitude > 0:
            problems.append("amplitude must be positive")
        if not 0 < self.frequency < STEPS_PER_FREQUENCY_UNIT / 2:
            problems.append(f"frequency must be between 0 and {STEPS_PER_FREQUENCY_UNIT // 2} cycles per "
                            f"{STEPS_PER_FREQUENCY_UNIT} steps (two samples per period at least)")
        if self.noise < 0:
            problems.append("noise cannot be negative")
        if self.window < 2:
            problems.append("the window must hold at least 2 time steps")
        elif self.length * 0.15 < self.window + 10:
            problems.append(f"a wave of {self.length} samples is too short for windows of {self.window}")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def period(self) -> float:
        """Time steps per cycle."""
        return STEPS_PER_FREQUENCY_UNIT / self.frequency

    @property
    def free_running(self) -> bool:
        """Whether the output is the next input (then predictions can be fed back)."""
        return self.task in ("sine", "cosine")

    def fingerprint(self) -> str:
        """sha256 of the parameters: what ``data_sha256`` records for a generated data set."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def with_(self, **changes) -> Signal:
        return replace(self, **changes)


DEFAULTS = {"sine": Signal("sine"), "cosine": Signal("cosine"), "sine_to_cosine": Signal("sine_to_cosine")}
SPLITS = (0.70, 0.15, 0.15)  # training, validation, test stretches of the wave, in time order


@dataclass
class Wave:
    """The whole generated wave: what the network reads and what it should answer."""

    signal: Signal
    inputs: np.ndarray  # (length,) noisy input wave
    targets: np.ndarray  # (length,) clean target wave (targets[n] is the answer after reading inputs[..n-1])
    clean_inputs: np.ndarray  # (length,) the input wave without noise
    bounds: tuple[int, int, int, int]  # start of training, validation, test stretches, and the end

    def stretch(self, name: str) -> slice:
        i = ("train", "val", "test").index(name)
        return slice(self.bounds[i], self.bounds[i + 1])


def wave(signal: Signal) -> Wave:
    rng = np.random.default_rng(signal.seed)
    phase = rng.uniform(0, 2 * np.pi)
    omega = 2 * np.pi * signal.frequency / STEPS_PER_FREQUENCY_UNIT
    angle = omega * np.arange(signal.length) + phase
    sine, cosine = signal.amplitude * np.sin(angle), signal.amplitude * np.cos(angle)
    clean_inputs = cosine if signal.task == "cosine" else sine
    targets = sine if signal.task == "sine" else cosine
    inputs = clean_inputs + rng.normal(0.0, signal.noise, signal.length) if signal.noise else clean_inputs.copy()
    n_train, n_val = int(signal.length * SPLITS[0]), int(signal.length * SPLITS[1])
    bounds = (0, n_train, n_train + n_val, signal.length)
    return Wave(signal, inputs.astype(np.float32), targets.astype(np.float32), clean_inputs.astype(np.float32), bounds)


def windows(series: np.ndarray, targets: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window ``series[n:n+window]`` (as (count, window, 1)) with ``targets[n+window]``."""
    count = len(series) - window
    if count < 1:
        return np.zeros((0, window, 1), np.float32), np.zeros((0, 1), np.float32)
    x = np.lib.stride_tricks.sliding_window_view(series, window)[:count]
    return x[..., None].astype(np.float32), targets[window:window + count, None].astype(np.float32)


def make_windows(signal: Signal, train_limit: int | None = None) -> Dataset:
    """The wave's training, validation and test windows, ready to train on. Nothing was
    downloaded, so ``sha256`` is that of the wave's settings: the metadata still says exactly
    what a model learned from."""
    w = wave(signal)
    parts = []
    for name in ("train", "val", "test"):
        s = w.stretch(name)
        parts.extend(windows(w.inputs[s], w.targets[s], signal.window))
    x_train, y_train, *rest = parts
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    return Dataset(signal.task, x_train, y_train, *rest, signal.fingerprint(), None)


def test_inputs(w: Wave) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test stretch: (time step indices, noisy input, clean target), for the charts."""
    s = w.stretch("test")
    return np.arange(s.start, s.stop), w.inputs[s], w.targets[s]


def one_step_ahead(predict, w: Wave) -> tuple[np.ndarray, np.ndarray]:
    """Predict every value of the test stretch after its first window from the true inputs.

    ``predict`` maps (count, window, 1) -> (count, 1). Returns (time step indices, predictions).
    """
    window = w.signal.window
    s = w.stretch("test")
    x, _ = windows(w.inputs[s], w.targets[s], window)
    return np.arange(s.start + window, s.stop), np.asarray(predict(x)).reshape(-1)


def free_running(predict, w: Wave, steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Forecast the test stretch from its first window only, feeding each prediction back as
    the next input. Only meaningful when the output is the next input (sine, cosine).

    Returns (time step indices, predictions); the truth is ``w.targets`` at those indices.
    """
    if not w.signal.free_running:
        raise ValueError("free-running needs the output to be the next input (sine or cosine, not sine → cosine)")
    window = w.signal.window
    s = w.stretch("test")
    steps = (s.stop - s.start - window) if steps is None else steps
    history = list(w.inputs[s.start:s.start + window])
    predictions = []
    for _ in range(steps):
        x = np.asarray(history[-window:], np.float32)[None, :, None]
        value = float(np.asarray(predict(x)).reshape(-1)[0])
        predictions.append(value)
        history.append(value)
    return np.arange(s.start + window, s.start + window + steps), np.asarray(predictions, np.float32)


def errors(predictions: np.ndarray, truth: np.ndarray) -> dict:
    e = np.asarray(predictions, np.float64).reshape(-1) - np.asarray(truth, np.float64).reshape(-1)
    return {"mse": float((e ** 2).mean()) if e.size else float("nan"),
            "mae": float(np.abs(e).mean()) if e.size else float("nan")}


def default_signal(task: str) -> Signal:
    """The wave a shipped model of ``task`` (sine, cosine) learned."""
    return DEFAULTS[task]
