"""Start the app and drive it in Debian's headless Chromium (never a downloaded browser): the
browser tests and the benchmarks both use these."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(timeout: float = 60):
    """``streamlit run app.py`` on 127.0.0.1 and a free port; yields the base URL."""
    with running_server(timeout) as (url, _):
        yield url


@contextlib.contextmanager
def running_server(timeout: float = 60):
    """Like :func:`running_app`, yielding ``(url, process)`` (benchmarks read its memory)."""
    port = free_port()
    with serving([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                  "--server.address", "127.0.0.1", "--server.headless", "true"],
                 port, f"streamlit-{port}.log", timeout) as served:
        yield served


@contextlib.contextmanager
def serving(command: list[str], port: int, log_name: str, timeout: float = 60):
    """Start ``command`` (a Streamlit server on ``port``), wait until it answers its health
    check, yield ``(url, process)``; stop it afterwards. Its output goes to artifacts/log_name."""
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {log.name}") from None
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def browser_page(width: int = 1500, height: int = 2600):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_for_app(page, timeout: float = 60_000):
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout)
    page.wait_for_timeout(300)


def draw_stroke(page, points, steps: int = 12):
    """Draw one stroke through ``points`` (canvas coordinates) on the drawable canvas."""
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(timeout=60_000)
    box = canvas.bounding_box()
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        for i in range(1, steps + 1):
            page.mouse.move(x0 + ax + (bx - ax) * i / steps, y0 + ay + (by - ay) * i / steps)
    page.mouse.up()


def send_drawing_to_board(page, url: str, strokes: list, digit: str) -> None:
    """A student on the Draw page: draw ``strokes`` (one list of points each), pick the digit
    meant, press Send, and wait for the confirmation."""
    import re

    page.goto(url + "/draw")
    wait_for_app(page)
    for stroke in strokes:
        draw_stroke(page, stroke)
        page.wait_for_timeout(400)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Send it to the class board")
    form.wait_for(timeout=120_000)
    wait_for_app(page)
    form.get_by_role("radio", name=re.compile(rf"^{digit}$")).click()
    form.get_by_role("button", name=re.compile("Send to the class board")).click()
    page.get_by_text("Sent to the class board.").wait_for(timeout=60_000)
