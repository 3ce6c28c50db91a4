"""Test sets for the pages, loaded once per server, and the download offer when they are missing.

A page never downloads by itself (a class should not wait on the network): without the data
it says so and offers a button.
"""

from __future__ import annotations

import streamlit as st

from data import catalog, sources


@st.cache_data(show_spinner="Loading the test set…")
def test_set_of(task_key: str):
    """A task's test inputs and labels, or None with a message when the data is not here."""
    try:
        return catalog.get(task_key).load_test(allow_download=False), None
    except sources.DataUnavailable as error:
        return None, str(error)


def test_labels(task_key: str):
    """The true labels of a task's test set, or None when the data is not here."""
    test_set, _ = test_set_of(task_key)
    return None if test_set is None else test_set[1]


def can_download(url: str) -> bool:
    """Whether the official source answers (asked at most once a minute per server)."""
    return sources.can_reach(url)


def missing_files(task: catalog.Task) -> list[sources.DatasetFile]:
    """The task's data files that are not on this machine."""
    return [f for f in task.files if sources.find(f.name) is None]


def offline_problem(task: catalog.Task) -> str | None:
    """Why the task's data can be neither found nor downloaded now; None when it can."""
    for dataset in missing_files(task):
        if not can_download(dataset.url):
            return sources.unreachable_message(dataset)
    return None


def offer_download(task: catalog.Task, message: str) -> None:
    """A task's data are not on this machine: say so once, and offer to fetch them with a
    progress bar only when the official source can be reached."""
    dataset = task.files[0]
    if not can_download(dataset.url):
        st.info(sources.unreachable_message(dataset), icon=":material/cloud_off:")
        return
    st.info(message)
    if st.button(f"Download {dataset.title} now ({dataset.size})", key=f"download_{dataset.name}"):
        slot = st.empty()
        bar = slot.progress(0.0, text=f"Downloading {dataset.title}…")

        def show(done, total):
            bar.progress(min(done / total, 1.0) if total else 0.0,
                         text=f"Downloading {dataset.title}… {done / 1e6:.1f} MB")

        try:
            sources.ensure(dataset, progress=show)
        except sources.DataUnavailable as error:
            slot.error(str(error))  # in the bar's place: no empty bar left beside the message
            return
        test_set_of.clear(task.key)
        st.rerun()


def random_test_example(task_key: str, state_key: str, button_key: str, label: str = "Another digit"):
    """A random test example of a task, kept in ``st.session_state[state_key]`` until the
    "Another ..." button is pressed: ``(input, true label, index)``. Without the data, an offer
    to download it and None."""
    task = catalog.get(task_key)
    test_set, message = test_set_of(task_key)
    if test_set is None:
        offer_download(task, message)
        return None
    x_test, y_test = test_set
    another = st.button(label, icon=":material/casino:", key=button_key)
    if another or state_key not in st.session_state:
        import numpy as np

        st.session_state[state_key] = int(np.random.default_rng().integers(len(x_test)))
    index = st.session_state[state_key]
    return x_test[index], int(y_test[index]), index
