"""Dynamic batching: concurrent predictions from many sessions go to the model as one batch.

Streamlit runs every session's script in a thread of one process. When thirty students draw at
once, thirty single-input calls each pay the whole call overhead (and queue on the model's lock
one after the other). A :class:`DynamicBatcher` lets the first caller wait a few milliseconds
(``window_s``) for others; whoever arrived in that window goes to the model in ONE call, and
each caller gets back exactly its own rows. A lone caller waits at most the window, and not at
all when nobody else asked in the last ``busy_s``: one student drawing alone pays nothing. While
a batch is in the model, newcomers queue and go together as the next batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

WINDOW_S = 0.003  # a few milliseconds: small next to a stroke's ~100 ms, long enough to gather a class
BUSY_S = 0.25  # wait for company only when another request came this recently: alone, no wait at all
MAX_BATCH = 8  # rows per model call: 20 strokes a second rarely queue more; more go in several calls


def bucket(n: int) -> int:
    """The batch size a batch of ``n`` is padded to: the next power of two (1, 2, 4, 8, ...), so a
    compiled model sees a handful of shapes, not one per class size."""
    return 1 << max(0, n - 1).bit_length()


class _Request:
    __slots__ = ("x", "done", "result", "error")

    def __init__(self, x: np.ndarray):
        self.x = x
        self.done = threading.Event()
        self.result = None
        self.error: BaseException | None = None


class DynamicBatcher:
    """``batcher(x)`` is ``fn(x)``, with concurrent calls merged along the batch axis.

    ``fn`` takes a batch (N, ...) and returns an array (N, ...) or a list of such arrays; every
    ``x`` passed in is a batch too (usually of one). Calls are served in order of arrival; one
    thread at a time (the batch's leader) runs ``fn``, so ``fn`` needs no lock of its own.
    """

    def __init__(self, fn: Callable, window_s: float = WINDOW_S, max_batch: int = MAX_BATCH,
                 busy_s: float = BUSY_S):
        self.fn = fn
        self.window_s = window_s
        self.busy_s = busy_s
        self._last_arrival = float("-inf")
        self.max_batch = max_batch
        self._pending: list[_Request] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._leader = False  # someone is gathering a batch
        self.model_lock = threading.Lock()  # one batch in the model at a time
        self.calls = 0  # batches sent to the model (for tests and benchmarks)
        self.batched = 0  # requests served

    def __call__(self, x) -> np.ndarray | list[np.ndarray]:
        request = _Request(np.asarray(x))
        now = time.perf_counter()
        with self._lock:
            self._pending.append(request)
            self._arrived.notify_all()
            lead = not self._leader
            if lead:
                self._leader = True
            busy = now - self._last_arrival < self.busy_s
            self._last_arrival = now
        if lead:
            self._lead(self.window_s if busy else 0.0)
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.result

    def _lead(self, window_s: float) -> None:
        """Gather for ``window_s`` (or until the batch is full); then, once the model is free, take
        everyone who has arrived so far (a busy model makes the next batch bigger, not later)."""
        deadline = time.perf_counter() + window_s
        with self._lock:
            while sum(len(r.x) for r in self._pending) < self.max_batch:
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                self._arrived.wait(left)
        with self.model_lock:
            with self._lock:
                waiting, self._pending = self._pending, []
                self._leader = False  # the next caller gathers the next batch while this one runs
            batch, rows = [], 0
            for request in waiting:  # in calls of at most max_batch rows (a handful of compiled shapes)
                if batch and rows + len(request.x) > self.max_batch:
                    self._run(batch)
                    batch, rows = [], 0
                batch.append(request)
                rows += len(request.x)
            self._run(batch)

    def sizes(self) -> list[int]:
        """The batch sizes ``fn`` is called with (single requests of at most ``max_batch`` rows)."""
        return [1 << i for i in range(bucket(self.max_batch).bit_length())]

    def _run(self, batch: list[_Request]) -> None:
        sizes = [len(r.x) for r in batch]
        try:
            x = np.concatenate([r.x for r in batch]) if len(batch) > 1 else batch[0].x
            size = bucket(len(x))
            if size > len(x):  # pad to a bucket size: XLA compiles once per batch shape
                x = np.concatenate([x, np.zeros((size - len(x), *x.shape[1:]), x.dtype)])
            out = self.fn(x)
            self.calls += 1
            self.batched += len(batch)
            bounds = np.cumsum([0, *sizes])
            for r, a, b in zip(batch, bounds[:-1], bounds[1:]):
                r.result = [o[a:b] for o in out] if isinstance(out, list | tuple) else out[a:b]
        except BaseException as error:  # every caller of the batch sees the model's error
            for r in batch:
                r.error = error
        finally:
            for r in batch:
                r.done.set()
