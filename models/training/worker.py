"""Training in the background, so a Streamlit rerun (any click) neither kills nor orphans it.

A :class:`TrainingJob` is one run. It belongs to one browser session, trains in a separate
process (started and watched by a thread of the server) through ``models.training.loop.train``
(the same code as the shipped models) and records what happens as a list of progress events
the page reads whenever it likes:

    {"kind": "queued"} -> {"kind": "started"} -> {"kind": "batch", ...} x many
    -> {"kind": "epoch", ...} per epoch -> {"kind": "finished" | "stopped" | "failed", ...}

A :class:`TrainingQueue` is shared by the whole server: at most ``max_running`` runs train at
once (one on a 2-core machine: two would each run at half speed and the drawing pages would
stall); the others wait in order and can ask for their position. A reaper thread stops and
drops the runs whose session has gone away (the tab was closed), so nothing trains for nobody.

No Streamlit here: the page passes in how to tell whether a session is still there.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

import keras

STATUSES = ("queued", "running", "finished", "stopped", "failed", "cancelled")
DONE = ("finished", "stopped", "failed", "cancelled")


class JobProgress(keras.callbacks.Callback):
    """Streams a job's progress as events and honours its Stop button between batches."""

    def __init__(self, job: TrainingJob, every_seconds: float = 0.25):
        super().__init__()
        self.job, self.every_seconds = job, every_seconds
        self._last = 0.0

    def on_train_begin(self, logs=None):
        self.steps = self.params.get("steps") or 0
        self.epochs = self.params.get("epochs") or 1
        self.job._event("started", steps_per_epoch=self.steps, epochs=self.epochs)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.job.stop_requested:
            self.model.stop_training = True  # Keras 3 checks this after every batch
        now = time.monotonic()
        # Always report an epoch's last batch, and the batch a Stop ends on (where the run got to).
        if now - self._last >= self.every_seconds or batch + 1 == self.steps or self.job.stop_requested:
            self._last = now
            # Keras reports the running mean over this epoch's batches so far.
            self.job._event("batch", epoch=self.epoch + 1, batch=batch + 1,
                            progress=(self.epoch + (batch + 1) / max(self.steps, 1)) / self.epochs,
                            **{k: float(v) for k, v in (logs or {}).items()})

    def on_epoch_end(self, epoch, logs=None):
        self.job._event("epoch", epoch=epoch + 1, **{k: float(v) for k, v in (logs or {}).items()})


@dataclass(eq=False)
class TrainingJob:
    settings: object  # what to do: runs.RunSettings, runs.WaveRun or runs.Evaluation
    owner: str | None = None  # the Streamlit session that started it
    title: str | None = None
    number: int = field(default_factory=count(1).__next__)
    status: str = "queued"
    events: list[dict] = field(default_factory=list)
    result: object | None = None  # loop.TrainResult once finished or stopped
    error: str | None = None
    process: object | None = None  # the training process, while there is one
    created_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def key(self) -> str:
        return f"run_{self.number}"

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self.status in DONE

    def stop(self) -> None:
        """Ask the run to stop after the current batch (it still evaluates what it learned)."""
        self._stop.set()

    def _event(self, kind: str, **fields) -> None:
        with self._lock:
            self.events.append({"kind": kind, "t": round(time.monotonic() - self.created_at, 3), **fields})

    def events_since(self, index: int = 0) -> list[dict]:
        with self._lock:
            return list(self.events[index:])

    def curves(self):
        """The live curves so far, as two frames: ``position`` (epochs done, fractional) with
        the running ``loss``/``accuracy`` every few batches, and one row per finished epoch,
        split (train/validation) and metric."""
        import pandas as pd

        events = self.events_since(0)
        started = next((e for e in events if e["kind"] == "started"), {})
        steps = max(started.get("steps_per_epoch") or 1, 1)
        batches = pd.DataFrame([{"position": e["epoch"] - 1 + e["batch"] / steps, "loss": e.get("loss"),
                                 "accuracy": e.get("accuracy")} for e in events if e["kind"] == "batch"],
                               columns=["position", "loss", "accuracy"])
        rows = [{"epoch": self._epoch_position(events, i, steps), "split": split, "metric": metric,
                 "value": e[prefix + metric]}
                for i, e in enumerate(events) if e["kind"] == "epoch"
                for split, prefix in (("train", ""), ("validation", "val_"))
                for metric in ("loss", "accuracy") if prefix + metric in e]
        return batches, pd.DataFrame(rows, columns=["epoch", "split", "metric", "value"])

    @staticmethod
    def _epoch_position(events: list[dict], index: int, steps: int) -> float:
        """Where an epoch's end lies in epochs done: its number, or less when Stop cut it short
        (Keras still ends the epoch, after the batches it did)."""
        epoch = events[index]["epoch"]
        last_batch = next((e for e in reversed(events[:index]) if e["kind"] == "batch"), None)
        if last_batch is None or last_batch["epoch"] != epoch:
            return float(epoch)
        return min(float(epoch), epoch - 1 + last_batch["batch"] / steps)

    def epochs_done(self) -> float:
        """How much training the run did, in epochs: fractional when it was stopped mid-epoch."""
        events = self.events_since(0)
        started = next((e for e in events if e["kind"] == "started"), {})
        steps = max(started.get("steps_per_epoch") or 1, 1)
        ends = [self._epoch_position(events, i, steps) for i, e in enumerate(events) if e["kind"] == "epoch"]
        batch = next((e for e in reversed(events) if e["kind"] == "batch"), None)
        in_progress = batch["epoch"] - 1 + batch["batch"] / steps if batch else 0.0
        return max([in_progress, *ends])

    def latest(self, kind: str) -> dict | None:
        with self._lock:
            return next((e for e in reversed(self.events) if e["kind"] == kind), None)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run is done (for tests and benchmarks); True if it is."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


@dataclass
class RunResult:
    """What a finished run leaves in the server: metadata (history, test accuracy, confusion
    matrix), per-example test predictions and the model as ``.keras`` bytes (for the
    download). No live Keras model: the server's memory does not grow run after run."""

    metadata: dict
    predictions: dict | None
    model_bytes: bytes | None


class _ChildJob:
    """The job as the training process sees it: events go up a queue, Stop comes down an event."""

    def __init__(self, events, stop):
        self._events, self._stop = events, stop

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def _event(self, kind: str, **fields) -> None:
        self._events.put(("event", kind, fields))


def training_threads() -> int:
    """How many threads a training process computes with: ``EXPLORER_TRAINING_THREADS``, or every
    core but one (at least one). The server's students keep that core: under a class of thirty
    with a run training on both cores of a 2-core machine, answers waited behind it."""
    import os

    try:
        chosen = int(os.environ.get("EXPLORER_TRAINING_THREADS", "0"))
    except ValueError:
        chosen = 0
    return chosen if chosen > 0 else max(1, (os.cpu_count() or 1) - 1)


def _leave_a_core_to_the_server() -> None:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(training_threads())
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already started its threads (cannot happen in a fresh process)
        pass


def _train_in_child(work, key: str, title: str | None, events, stop) -> None:
    """The training process: lower priority than the server, so drawing and typing students
    stay fast while a model trains (TensorFlow's threads would otherwise take both cores).
    ``work`` is a RunSettings, WaveRun or Evaluation (models.training.runs): its ``run`` does it."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        os.nice(10)
    except OSError:
        pass
    _leave_a_core_to_the_server()
    events.put(("event", "stage", {"text": "Starting TensorFlow"}))
    try:
        metadata, predictions, model_bytes = work.run(key, title, _ChildJob(events, stop))
        events.put(("result", metadata, predictions, model_bytes))
    except Exception as error:
        events.put(("error", _describe(error)))


STOP_GRACE_SECONDS = 60  # after Stop, a run has this long to evaluate and report before it is killed


def _train_job(job: TrainingJob) -> RunResult:
    """Train a job's settings in a separate process with the project's own training code,
    relaying its progress events to the job."""
    import multiprocessing
    import queue as queues

    context = multiprocessing.get_context("spawn")  # never fork a process that runs TensorFlow
    events, stop = context.Queue(), context.Event()
    process = context.Process(target=_train_in_child, args=(job.settings, job.key, job.title, events, stop),
                              name=f"training-{job.key}", daemon=True)
    process.start()
    job.process = process
    stop_sent_at = None
    try:
        while True:
            if job.stop_requested and stop_sent_at is None:
                stop.set()
                stop_sent_at = time.monotonic()
            if stop_sent_at is not None and time.monotonic() - stop_sent_at > STOP_GRACE_SECONDS:
                raise RuntimeError("the run did not stop in time and was ended")
            try:
                message = events.get(timeout=0.2)
            except queues.Empty:
                if not process.is_alive():
                    raise RuntimeError(f"the training process ended unexpectedly (exit code {process.exitcode})") \
                        from None
                continue
            if message[0] == "event":
                job._event(message[1], **message[2])
            elif message[0] == "result":
                return RunResult(*message[1:])
            else:
                raise RuntimeError(message[1])
    finally:
        if process.is_alive():
            process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)
        events.close()


_DATASETS: dict = {}
_DATASETS_LOCK = threading.Lock()


def cached_dataset(name: str, train_limit: int | None):
    """The dataset loaded once per server (MNIST: ~220 MB as float32), sliced per run."""
    from data import catalog
    from data.dataset import subset

    with _DATASETS_LOCK:
        if name not in _DATASETS:
            _DATASETS[name] = catalog.get(name).load()
        full = _DATASETS[name]
    return subset(full, train_limit)


class TrainingQueue:
    """Runs jobs in background threads, at most ``max_running`` at a time, in arrival order."""

    def __init__(self, max_running: int = 1, owner_alive: Callable[[str], bool] | None = None,
                 grace_seconds: float = 90.0, reap_every: float = 5.0, train=_train_job):
        self.max_running = max(1, int(max_running))
        self.owner_alive = owner_alive
        self.grace_seconds = grace_seconds
        self._train = train
        self._lock = threading.Lock()
        self._waiting: deque[TrainingJob] = deque()
        self._running: set[TrainingJob] = set()
        self._owner_last_seen: dict[str, float] = {}
        self._closed = threading.Event()
        if owner_alive is not None:
            threading.Thread(target=self._reap_forever, args=(reap_every,), name="training-reaper",
                             daemon=True).start()

    # -- what the pages call --------------------------------------------------------------------

    def submit(self, settings, owner: str | None = None, title: str | None = None) -> TrainingJob:
        """Queue ``settings``: a runs.RunSettings, WaveRun or Evaluation (anything with validate, run)."""
        settings.validate()
        job = TrainingJob(settings, owner, title)
        job._event("queued")
        with self._lock:
            self._waiting.append(job)
        self._dispatch()
        return job

    def position(self, job: TrainingJob) -> int | None:
        """1 = next to start; None when it is not waiting."""
        with self._lock:
            for i, waiting in enumerate(self._waiting, start=1):
                if waiting is job:
                    return i
        return None

    def cancel(self, job: TrainingJob) -> None:
        """Stop a running job; drop a waiting one."""
        job.stop()
        with self._lock:
            if job in self._waiting:
                self._waiting.remove(job)
                job.status = "cancelled"
                job._event("cancelled")

    @property
    def running(self) -> list[TrainingJob]:
        with self._lock:
            return list(self._running)

    @property
    def waiting(self) -> list[TrainingJob]:
        with self._lock:
            return list(self._waiting)

    def close(self) -> None:
        """Stop everything (tests; server shutdown)."""
        self._closed.set()
        for job in self.waiting + self.running:
            self.cancel(job)

    # -- inside ----------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        with self._lock:
            while self._waiting and len(self._running) < self.max_running:
                job = self._waiting.popleft()
                self._running.add(job)
                job.status = "running"
                job.started_at = time.monotonic()
                threading.Thread(target=self._run, args=(job,), name=f"training-{job.key}", daemon=True).start()

    def _run(self, job: TrainingJob) -> None:
        status, fields = "failed", {}
        try:
            job.result = self._train(job)
            status = "stopped" if job.stop_requested else "finished"
            fields = _summary(job.result)
        except Exception as error:  # a bad setting, missing data, out of memory: told, never raised
            job.error = _describe(error)
            fields = {"error": job.error}
        finally:
            # The slot is free before the run says it is done, so whoever waits on it can go on.
            job.finished_at = time.monotonic()
            with self._lock:
                self._running.discard(job)
            job.status = status
            job._event(status, **fields)
            self._dispatch()

    def reap(self) -> list[TrainingJob]:
        """Stop and drop the jobs whose session has been gone longer than the grace period
        (a dropped wifi connection reconnects within it). Returns the jobs reaped."""
        if self.owner_alive is None:
            return []
        now = time.monotonic()
        reaped = []
        for job in self.waiting + self.running:
            if job.owner is None:
                continue
            if self.owner_alive(job.owner):
                self._owner_last_seen[job.owner] = now
                continue
            last_seen = self._owner_last_seen.setdefault(job.owner, now)
            if now - last_seen >= self.grace_seconds:
                self.cancel(job)
                reaped.append(job)
        return reaped

    def _reap_forever(self, every: float) -> None:
        while not self._closed.wait(every):
            try:
                self.reap()
            except Exception:  # the reaper must never die; the next round tries again
                pass


def _summary(result) -> dict:
    meta = getattr(result, "metadata", None) or {}
    return {k: meta[k] for k in ("test_accuracy", "epochs", "converged_epoch") if k in meta}


def _describe(error: Exception) -> str:
    from data import sources

    if isinstance(error, sources.DataUnavailable | ValueError | RuntimeError):
        return str(error)
    if isinstance(error, MemoryError):
        return "the server ran out of memory; try a smaller training subset or batch size"
    return f"training failed ({type(error).__name__}: {error})"[:300]
