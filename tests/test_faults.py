"""Faults: damaged or missing pretrained files, a training process killed while saving, no data
and no network. Each fault costs only what it must: the other models and pages keep working,
and the student is told what happened and how to fix it."""

from __future__ import annotations

import fnmatch
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import types
import urllib.error
import zipfile

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data import sources
from models import registry, store
from tests.conftest import ROOT, draw_page_tab

TIMEOUT = 120


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


@pytest.fixture
def fresh_caches():
    """Pages cache models and datasets for the whole server process (st.cache_resource /
    st.cache_data); a test that changes files under them starts and ends with empty caches."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def fake_canvas(monkeypatch, image):
    """AppTest cannot draw on the canvas component: hand the Draw page a drawing instead."""
    canvas = types.ModuleType("streamlit_drawable_canvas")
    canvas.st_canvas = lambda **kwargs: types.SimpleNamespace(image_data=image)
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", canvas)


def drawn_one() -> np.ndarray:
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[50:230, 130:152, :3] = 255  # a vertical stroke: a "1"
    return canvas


# -- Damaged and missing pretrained files ----------------------------------------------------------

DAMAGE = {
    "random bytes": lambda good: random.Random(0).randbytes(len(good)),
    "truncated": lambda good: good[: len(good) // 2],
    "empty": lambda good: b"",
    "zip with a broken config": None,  # built below
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_pretrained_file_names_the_retrain_command(tmp_path, monkeypatch, damage):
    good = registry.get("mnist_cnn").pretrained_path.read_bytes()
    target = tmp_path / "mnist_cnn.keras"
    if DAMAGE[damage]:
        target.write_bytes(DAMAGE[damage](good))
    else:
        with zipfile.ZipFile(target, "w") as z:
            z.writestr("config.json", '{"class_name": "Sequential", "config": {"layers": [{"class_name": 7}]}}')
            z.writestr("metadata.json", "{}")
    monkeypatch.setattr(registry, "PRETRAINED_DIR", tmp_path)
    with pytest.raises(store.ModelUnavailable) as error:
        store.load_pretrained("mnist_cnn")
    message = str(error.value)
    assert "mnist_cnn.keras cannot be loaded" in message
    assert message.endswith("Retrain it with: python -m models train mnist_cnn")


@pytest.fixture
def broken_pretrained(tmp_path, monkeypatch, fresh_caches):
    """A copy of pretrained/ with one model damaged and one deleted per dataset, used by the app."""
    copy = tmp_path / "pretrained"
    shutil.copytree(registry.PRETRAINED_DIR, copy, ignore=shutil.ignore_patterns(".*", "*.npz"))
    (copy / "mnist_gru.keras").write_bytes(random.Random(1).randbytes(50_000))
    (copy / "mnist_rnn.keras").unlink()
    good = (copy / "imdb_bilstm.keras").read_bytes()
    (copy / "imdb_bilstm.keras").write_bytes(good[: len(good) // 3])
    (copy / "imdb_rnn.keras").unlink()
    monkeypatch.setattr(registry, "PRETRAINED_DIR", copy)
    return copy


def unavailable(at: AppTest) -> dict[str, str]:
    """The page's "X is unavailable: ..." warnings, by retrain command's model key."""
    found = {}
    for w in at.warning:
        if "is unavailable" in w.value:
            key = w.value.rsplit("python -m models train ", 1)[-1].strip()
            found[key] = w.value
    return found


def test_draw_page_works_with_a_damaged_and_a_missing_model(monkeypatch, request):
    request.getfixturevalue("broken_pretrained")
    fake_canvas(monkeypatch, drawn_one())
    at = app().run()
    assert not at.exception and len(at.metric) >= 6  # the home page still reads every other model's metrics
    at.switch_page("pages/draw.py").run()
    assert not at.exception
    problems = unavailable(at)
    assert set(problems) == {"mnist_gru", "mnist_rnn"}  # exactly the two broken ones: every other file is shipped
    assert "mnist_rnn.keras is missing" in problems["mnist_rnn"]
    assert "mnist_gru.keras cannot be loaded" in problems["mnist_gru"]
    # The two good models still read the drawing, and only they are offered inside.
    assert at.metric[0].label == "The CNN says" and at.metric[0].value == "1"
    at.session_state["inside_view"] = draw_page_tab("RNN_TAB")  # only the open tab runs
    at.run()
    options = at.radio(key="rnn_view").options
    assert "LSTM" in options and "GRU" not in options and "SimpleRNN" not in options
    assert "GRU" not in " ".join(s.value for s in [*at.success, *at.warning] if "agree" in s.value)


def test_review_page_works_with_a_damaged_and_a_missing_model(request):
    request.getfixturevalue("broken_pretrained")
    at = app().run()
    at.switch_page("pages/review.py").run()
    assert not at.exception
    problems = unavailable(at)
    assert set(problems) == {"imdb_bilstm", "imdb_rnn"}
    assert "imdb_rnn.keras is missing" in problems["imdb_rnn"]
    at.text_area(key="review_text").input("A wonderful film, I loved every minute of it.").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert {"LSTM", "GRU"} <= set(labels) and not {"BiLSTM", "SimpleRNN"} & set(labels)
    assert {m.value for m in at.metric} == {"positive"}


# -- A training process killed while saving -------------------------------------------------------

SAVER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from models import store
    model = store.load_model({source!r})
    print("ready", flush=True)
    while True:
        store.save_model(model, {target!r})
""")


def test_sigkill_while_saving_leaves_the_previous_model_loadable(tmp_path):
    """Three processes save over the same good file in a loop and are SIGKILLed at random
    moments (mostly mid-save: saving is all they do). The file must still load in safe mode
    and answer exactly as before; the half-written temporaries are hidden, git-ignored
    ``.NAME.*.tmp.keras`` files that nothing loads."""
    source = registry.get("mnist_cnn").pretrained_path
    assert source.is_file(), "every shipped model is present (tests/test_pretrained.py)"
    target = tmp_path / "mnist_cnn.keras"
    shutil.copy(source, target)
    x = np.random.default_rng(0).random((8, 28, 28), np.float32)
    before = np.asarray(store.load_model(target).predict_on_batch(x))

    script = SAVER.format(root=str(ROOT), source=str(source), target=str(target))
    savers = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
              for _ in range(3)]
    rng = random.Random()
    try:
        for saver in savers:
            assert saver.stdout.readline().strip() == "ready"
        for saver in savers:
            time.sleep(rng.uniform(0.05, 0.8))
            assert saver.poll() is None  # still saving when it is killed
            saver.send_signal(signal.SIGKILL)
            saver.wait(timeout=30)
            assert saver.returncode == -signal.SIGKILL
    finally:
        for saver in savers:
            if saver.poll() is None:
                saver.kill()
                saver.wait()

    after = np.asarray(store.load_model(target).predict_on_batch(x))  # store.load_model: safe_mode=True
    np.testing.assert_array_equal(after, before)
    ignored = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    for stray in set(tmp_path.iterdir()) - {target}:
        assert stray.name.startswith(".mnist_cnn.") and stray.name.endswith(".tmp.keras"), stray.name
        assert any(fnmatch.fnmatch(stray.name, pattern) for pattern in ignored)


# -- No data and no network -------------------------------------------------------------------------


@pytest.fixture
def offline(tmp_path, monkeypatch, fresh_caches):
    """An empty data directory, an empty user cache and home, and every download refused."""
    for name in ("data", "cache", "home"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    tried = []

    def refuse(url, *args, **kwargs):
        tried.append(url)
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    monkeypatch.setattr(sources.urllib.request, "urlopen", refuse)
    # The server answers a connection (so the pages offer the download), then refuses the file.
    monkeypatch.setattr(sources, "can_reach", lambda url, timeout=2.0: True)
    yield tried
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()], "a failed download left a file behind"


def test_draw_page_offline_explains_the_missing_data_and_still_reads_drawings(offline, monkeypatch):
    fake_canvas(monkeypatch, drawn_one())
    at = app().run()
    at.switch_page("pages/draw.py").run()
    assert not at.exception
    assert at.metric[0].value == "1"  # the drawing is read by the pretrained models
    at.session_state["draw_source"] = "Random MNIST test digit"
    at.run()
    assert not at.exception
    message = " ".join(i.value for i in at.info)
    assert "`mnist.npz` is not on this machine" in message and sources.DATA_DIR_VARIABLE in message
    assert not offline  # a page never downloads on its own
    at.button(key="download_mnist.npz").click().run()
    assert not at.exception and offline  # the student asked: it was tried, and it failed
    assert any("could not be downloaded" in e.value and "Connection refused" in e.value for e in at.error)
    at.session_state["draw_source"] = "Draw"
    at.run()
    assert not at.exception and at.metric[0].value == "1"


def test_review_page_offline_explains_the_missing_data_and_still_reads_reviews(offline):
    at = app().run()
    at.switch_page("pages/review.py").run()
    readers = len(at.metric)
    assert not at.exception and readers >= 4
    at.button(key="random_review").click().run()
    assert not at.exception
    message = " ".join(i.value for i in at.info)
    assert "`imdb_reviews.csv.gz` is not on this machine" in message and sources.DATA_DIR_VARIABLE in message
    assert len(at.metric) == readers  # the typed review is still read
    at.button(key="download_imdb_reviews.csv.gz").click().run()
    assert not at.exception
    assert any("could not be downloaded" in e.value for e in at.error)


def test_without_a_network_the_pages_say_so_before_any_click(offline, monkeypatch):
    """No route to the official source: one message saying so and where to put the file, no
    download button to press in vain, and no training run that could only fail."""
    monkeypatch.setattr(sources, "can_reach", lambda url, timeout=2.0: False)
    at = app().run()
    at.switch_page("pages/draw.py").run()
    at.session_state["draw_source"] = "Random MNIST test digit"
    at.run()
    assert not at.exception
    message = " ".join(i.value for i in at.info)
    assert "cannot reach" in message and sources.DATA_DIR_VARIABLE in message and "mnist.npz" in message
    assert not [b for b in at.button if b.key == "download_mnist.npz"]
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert any("cannot reach" in w.value for w in at.warning)
    assert at.button(key="train_start").disabled
    assert not offline  # nothing was tried


def test_can_reach_answers_from_a_real_connection_and_remembers(monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    sources._reach_answers.clear()
    assert sources.can_reach(f"http://127.0.0.1:{port}/mnist.npz")
    listener.close()
    assert sources.can_reach(f"http://127.0.0.1:{port}/other.npz")  # remembered for a minute
    sources._reach_answers.clear()
    assert not sources.can_reach(f"http://127.0.0.1:{port}/mnist.npz")  # nothing listens now
    assert not sources.can_reach("not a url")


def test_compare_sst_group_offline_keeps_its_matrices_and_says_the_sentences_are_missing(offline):
    at = app().run()
    at.switch_page("pages/compare.py").run()
    at.session_state["compare_group"] = "sst/main"
    at.session_state["confusion_sst/main"] = {"selection": {"cell": [{"true": "negative", "predicted": "positive"}]}}
    at.run()
    assert not at.exception and not at.error
    assert "Confusion matrices" in [h.value for h in at.subheader]  # from the saved results
    message = " ".join(i.value for i in at.info)
    assert "`sst/sst.csv.gz` is not on this machine" in message and sources.DATA_DIR_VARIABLE in message
    assert not offline  # nothing downloaded on its own
