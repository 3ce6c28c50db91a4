"""Shared test set-up: where the real datasets are, and the REQUIRE_DATA switch.

Tests that need a dataset ask for its fixture (``mnist_path``, ``imdb_path``, ``mnist_test``).
Without the data they skip, unless ``REQUIRE_DATA=1``, in which case they fail: with that
switch on, a run cannot pass by skipping the checks that matter.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from data import sources  # noqa: E402

SHARED_DATA = ROOT.parent / "shared" / "data"
if not os.environ.get(sources.DATA_DIR_VARIABLE) and SHARED_DATA.is_dir():
    os.environ[sources.DATA_DIR_VARIABLE] = str(SHARED_DATA)


def require(path_name: str) -> Path:
    """The path of a dataset file, or skip (fail under REQUIRE_DATA=1) when it is absent."""
    found = sources.find(path_name)
    if found is None:
        message = (f"{path_name} not found (set {sources.DATA_DIR_VARIABLE} or put ../shared/data "
                   "beside the project)")
        if os.environ.get("REQUIRE_DATA") == "1":
            pytest.fail(message + " and REQUIRE_DATA=1")
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    return require("mnist.npz")


@pytest.fixture(autouse=True)
def like_a_running_server(monkeypatch):
    """AppTest resets Streamlit's legacy pages/ flag before every run, as if each run were the
    first of a fresh server; pages/_ui/streamlit_fixes.require_router then reruns the script to route it
    through app.py, and that rerun drops the run's button clicks. A real server resets the
    flag once per process. Here AppTest's reset lands on a subclass, so the flag stays as
    st.navigation left it and clicks reach the page, as they do in the browser."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    monkeypatch.setattr(app_test, "PagesManager", type("ServerPagesManager", (PagesManager,), {}))


@pytest.fixture(scope="session")
def imdb_path() -> Path:
    return require("imdb_reviews.csv.gz")


@pytest.fixture(scope="session")
def mnist_test(mnist_path):
    from data import mnist

    return mnist.load_test("mnist", allow_download=False)


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium; without it they skip, except in CI where the
    browser is part of the set-up and its absence must fail loudly."""
    from benchmarks.chromium import CHROMIUM

    if Path(CHROMIUM).exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def draw_page_tab(name: str) -> str:
    """A tab label of the Draw page (the page is a script, so read it, not import it)."""
    import ast

    tree = ast.parse((ROOT / "pages" / "draw.py").read_text())
    return next(node.value.value for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name)
