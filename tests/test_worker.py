"""The Train page's background worker: progress events, Stop, the convergence stop, the
server-wide queue, and cleaning up after a closed tab."""

import threading
import time

import pytest

from models.training import runs, worker

TINY = runs.RunSettings(dataset="mnist", family="CNN", epochs=2, batch_size=32, units=16, layers=1,
                        train_size=320, convergence_threshold=0.0)


def wait_until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- Real training runs (tiny slices) ----------------------------------------------------------


def test_a_run_streams_batches_and_epochs_then_finishes(mnist_path, tmp_path):
    queue = worker.TrainingQueue()
    job = queue.submit(TINY, owner="student")
    assert job.wait(120), job.events[-1]
    assert job.status == "finished", job.error
    kinds = [e["kind"] for e in job.events]
    # Before the first batch, the run says what it is doing (the page shows it, not an empty bar).
    stages = [e["text"] for e in job.events if e["kind"] == "stage"]
    assert stages[0] == "Starting TensorFlow" and any("Loading" in s for s in stages)
    assert kinds.index("stage") < kinds.index("started")
    kinds = [k for k in kinds if k != "stage"]
    assert kinds[:2] == ["queued", "started"] and kinds[-1] == "finished"
    epochs = [e for e in job.events if e["kind"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert all({"loss", "accuracy", "val_loss", "val_accuracy"} <= set(e) for e in epochs)
    batches = [e for e in job.events if e["kind"] == "batch"]
    progress = [e["progress"] for e in batches]
    assert progress == sorted(progress) and progress[-1] == pytest.approx(1.0)
    assert sum(1 for e in batches if e["epoch"] == 1) >= 1
    # The run is evaluated on the whole test set and keeps its model and predictions.
    meta = job.result.metadata
    assert meta["test_n"] == 10_000 and meta["epochs"] == 2 and len(meta["history"]["loss"]) == 2
    assert len(job.result.predictions["predicted"]) == 10_000
    # The model comes back as a .keras file that loads safely and reads digits.
    from models import store

    path = tmp_path / "run.keras"
    path.write_bytes(job.result.model_bytes)
    assert store.load_model(path).output_shape == (None, 10)
    assert job.events[-1]["test_accuracy"] == meta["test_accuracy"]
    # The live curves: a running point every few batches, four points per finished epoch.
    running, finished = job.curves()
    assert len(running) == len(batches) and running["position"].is_monotonic_increasing
    assert 0 < running["position"].iloc[0] and running["position"].iloc[-1] == pytest.approx(2.0)
    assert len(finished) == 2 * 2 * 2  # epochs × (train, validation) × (loss, accuracy)
    last = finished[(finished["epoch"] == 2) & (finished["split"] == "validation") & (finished["metric"] == "loss")]
    assert last["value"].item() == epochs[-1]["val_loss"]


def test_stop_ends_the_run_after_the_current_batch(mnist_path):
    queue = worker.TrainingQueue()
    job = queue.submit(runs.with_changes(TINY, epochs=30), owner="student")
    wait_until(lambda: job.latest("batch") is not None or job.done, timeout=120)
    queue.cancel(job)
    assert job.wait(120)
    assert job.status == "stopped"
    assert job.result.metadata["epochs"] < 30  # it did not run on to the end
    assert "test_accuracy" in job.result.metadata  # what it learned so far is evaluated
    # Stopped mid-epoch: the page says how far it got, in epochs, and plots the epoch's end there.
    last = job.latest("batch")
    steps = next(e for e in job.events if e["kind"] == "started")["steps_per_epoch"]
    assert job.epochs_done() == pytest.approx(last["epoch"] - 1 + last["batch"] / steps)
    _, finished = job.curves()
    assert finished["epoch"].max() <= job.epochs_done() + 1e-9


def test_the_convergence_criterion_stops_a_run(mnist_path):
    """A threshold larger than any change in loss: the run stops at epoch 2, the first epoch
    that has a previous one to compare with."""
    queue = worker.TrainingQueue()
    job = queue.submit(runs.with_changes(TINY, epochs=6, convergence_threshold=1.0))
    assert job.wait(120) and job.status == "finished", job.error
    assert job.result.metadata["converged_epoch"] == 2
    assert job.result.metadata["epochs"] == 2
    assert job.events[-1]["converged_epoch"] == 2


# -- The queue, with a stand-in for training -----------------------------------------------------


class Gate:
    """A fake training function that waits until released (or until the job is stopped)."""

    def __init__(self):
        self.release = {}
        self.started = []

    def __call__(self, job):
        self.started.append(job)
        event = self.release.setdefault(job.number, threading.Event())
        while not event.wait(0.02):
            if job.stop_requested:
                break
        return None

    def open(self, job):
        self.release.setdefault(job.number, threading.Event()).set()


def test_one_run_at_a_time_the_others_wait_in_order():
    gate = Gate()
    queue = worker.TrainingQueue(max_running=1, train=gate)
    a, b, c = (queue.submit(TINY, owner=name) for name in "abc")
    wait_until(lambda: gate.started == [a])
    assert a.status == "running" and (b.status, c.status) == ("queued", "queued")
    assert (queue.position(a), queue.position(b), queue.position(c)) == (None, 1, 2)
    queue.cancel(c)  # a waiting run can be dropped...
    assert c.status == "cancelled" and queue.position(c) is None
    gate.open(a)
    wait_until(lambda: b.status == "running")
    assert a.status == "finished"
    gate.open(b)
    wait_until(lambda: b.done)
    time.sleep(0.1)
    assert gate.started == [a, b]  # ...and never starts


def test_two_slots_run_two_at_once():
    gate = Gate()
    queue = worker.TrainingQueue(max_running=2, train=gate)
    a, b, c = (queue.submit(TINY) for _ in range(3))
    wait_until(lambda: len(gate.started) == 2)
    assert {a.status, b.status} == {"running"} and queue.position(c) == 1
    queue.close()
    wait_until(lambda: a.done and b.done)


def test_a_failing_run_reports_a_sentence_and_frees_its_slot():
    def broken(job):
        raise ValueError("the training subset is empty")

    queue = worker.TrainingQueue(train=broken)
    job = queue.submit(TINY)
    assert job.wait(5)
    assert job.status == "failed" and job.error == "the training subset is empty"
    assert job.events[-1] == {**job.events[-1], "kind": "failed", "error": "the training subset is empty"}
    assert queue.running == []


def test_runs_of_a_closed_tab_are_stopped_and_dropped():
    gate = Gate()
    alive = {"here": True, "gone": True}
    queue = worker.TrainingQueue(max_running=1, owner_alive=lambda owner: alive[owner], grace_seconds=0.2,
                                 reap_every=0.05, train=gate)
    running = queue.submit(TINY, owner="gone")
    waiting = queue.submit(TINY, owner="gone")
    other = queue.submit(TINY, owner="here")
    wait_until(lambda: gate.started == [running])
    alive["gone"] = False  # the student closed the tab
    wait_until(lambda: running.done and waiting.done, timeout=10)
    assert running.status == "stopped" and waiting.status == "cancelled"
    wait_until(lambda: other.status == "running")  # the next student's run starts at once
    assert other.stop_requested is False
    queue.close()


def test_a_short_disconnect_is_forgiven():
    """A dropped wifi connection that comes back within the grace period keeps the run."""
    gate = Gate()
    alive = {"flaky": False}
    queue = worker.TrainingQueue(owner_alive=lambda owner: alive[owner], grace_seconds=60, reap_every=0.05,
                                 train=gate)
    job = queue.submit(TINY, owner="flaky")
    time.sleep(0.3)
    assert queue.reap() == [] and job.status == "running"
    alive["flaky"] = True
    queue.close()


# -- Settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    ({"epochs": 0}, "epochs must be between"),
    ({"learning_rate": 5.0}, "learning rate must be between"),
    ({"family": "BiLSTM"}, "has no 'BiLSTM' model"),
    ({"dataset": "cifar"}, "unknown dataset"),
    ({"family": "CNN", "layers": 4}, "layers must be between"),
])
def test_bad_settings_are_refused_with_a_sentence(changes, message):
    with pytest.raises(ValueError, match=message):
        runs.with_changes(TINY, **changes).validate()
    with pytest.raises(ValueError):
        worker.TrainingQueue(train=lambda job: None).submit(runs.with_changes(TINY, **changes))


@pytest.mark.parametrize("name", list(runs.PRESETS))
def test_every_preset_builds_the_model_it_describes(name):
    settings = runs.PRESETS[name]
    spec = settings.to_spec("run_test")
    model = spec.build(adapt_texts=["a tiny review", "another one"]) if settings.dataset == "imdb" else spec.build()
    kinds = [type(layer).__name__ for layer in model.layers]
    if settings.family == "CNN":
        assert kinds.count("Conv2D") == settings.layers
    else:
        cell = {"SimpleRNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU", "BiLSTM": "Bidirectional",
                "Character LSTM": "LSTM"}[settings.family]
        assert kinds.count(cell) == settings.layers
    assert spec.group == "runs" and spec.key not in runs.registry.MODELS  # never a shipped model


def test_shrinking_layers_halve_their_width():
    assert runs.RunSettings(family="LSTM", units=32, layers=2, shrink=True).layer_units == (32, 16)
    assert runs.RunSettings(family="LSTM", units=5, layers=2).layer_units == (5, 5)


def test_a_killed_training_process_fails_the_run_with_a_sentence(mnist_path):
    """Training runs in its own process; if that process dies (out of memory, killed), the run
    says so and the server goes on."""
    queue = worker.TrainingQueue()
    job = queue.submit(runs.with_changes(TINY, epochs=30))
    wait_until(lambda: job.latest("batch") is not None or job.done, timeout=120)
    job.process.kill()
    assert job.wait(30)
    assert job.status == "failed" and "ended unexpectedly" in job.error
    assert queue.running == []


def test_training_leaves_a_core_to_the_server(monkeypatch):
    import os
    import subprocess
    import sys

    from models.training import worker

    monkeypatch.delenv("EXPLORER_TRAINING_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert worker.training_threads() == 7
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert worker.training_threads() == 1  # never none
    monkeypatch.setenv("EXPLORER_TRAINING_THREADS", "3")
    assert worker.training_threads() == 3
    # In a fresh process, as the training process starts: TensorFlow computes with that many threads.
    code = ("from models.training import worker; worker._leave_a_core_to_the_server(); import tensorflow as tf; "
            "print(tf.config.threading.get_intra_op_parallelism_threads(), "
            "tf.config.threading.get_inter_op_parallelism_threads())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "EXPLORER_TRAINING_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"},
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.split()[-2:] == ["1", "1"]
