"""This session's training runs: the server's one queue (a worker process trains), the runs a
session started, and their results as Compare-page rows."""

from __future__ import annotations

import streamlit as st

from pages._ui.tf_import import import_tensorflow

TRAINING_JOBS = "training_jobs"  # this session's TrainingJobs, newest last
KEEP_RUNS = 3  # finished runs whose model stays in memory per session; older ones are let go


def session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def _session_alive(session: str) -> bool:
    """Whether a browser session is still connected (a closed tab is not)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():  # AppTest and scripts: no server, nobody to lose
        return True
    return Runtime.instance().is_active_session(session)


@st.cache_resource
def training_queue():
    """The server's one training queue: at most EXPLORER_MAX_TRAINING_RUNS runs at once
    (default 1: on 2 cores a second run would halve both and stall every drawing)."""
    import os

    from models.training import worker

    import_tensorflow()
    limit = int(os.environ.get("EXPLORER_MAX_TRAINING_RUNS", "1") or 1)
    return worker.TrainingQueue(max_running=limit, owner_alive=_session_alive)


def my_jobs() -> list:
    return st.session_state.setdefault(TRAINING_JOBS, [])


def start_training(settings, title: str | None = None):
    job = training_queue().submit(settings, owner=session_id(), title=title)
    jobs = my_jobs()
    jobs.append(job)
    # Keep the model files of the last KEEP_RUNS finished runs; older runs keep their results.
    finished = [j for j in jobs if j.result is not None]
    for old in finished[:-KEEP_RUNS]:
        old.result.model_bytes = None
    return job


def my_results(dataset: str, group: str = "main") -> list:
    """This session's finished (or stopped) runs on ``dataset``, as Compare-page results for a
    registry group: every run in the main group, only the alike ones in an experiment group
    (a CNN run is no "architecture on MNIST rows")."""
    from models import comparison, registry

    results = []
    for job in my_jobs():
        result = job.result
        if result is None or job.settings.dataset != dataset:
            continue
        if group != "main" and job.settings.family not in registry.GROUP_FAMILIES.get(group, ()):
            continue
        results.append(comparison.ModelResult(job.key, f"{job.settings.family} #{job.number}", dataset,
                                              result.metadata, result.predictions, source="your run",
                                              builder_args=result.metadata.get("builder_args")))
    return results
