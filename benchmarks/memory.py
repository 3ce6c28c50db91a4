"""Server memory: the resident set size of ``streamlit run app.py`` with every model loaded,
and its growth per extra student session over ten sessions.

One browser session visits every page that loads models (Draw: the four digit models, their
feature-map and hidden-state views; Review: the four review models; LSTM gates: the
wave models), so everything a class uses is resident. Then ten more sessions each open the
Draw page and draw a stroke; the RSS is read after each (from /proc, Linux).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS, draw_stroke, running_server  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def settle(pid: int, seconds: float = 2.0) -> float:
    time.sleep(seconds)
    return rss_mb(pid)


def wait_idle(page, timeout=180_000):
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout)


def run(extra_sessions: int = 10) -> dict:
    from playwright.sync_api import sync_playwright

    with running_server(timeout=120) as (url, proc):
        started = rss_mb(proc.pid)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.goto(url)
            page.get_by_text("test accuracy").first.wait_for(timeout=60_000)
            home = settle(proc.pid)
            page.goto(url + "/draw")
            draw_stroke(page, [(140, 45), (138, 235)])
            page.locator('[data-testid="stMetric"]').filter(has_text="says").wait_for(timeout=180_000)
            wait_idle(page)
            page.goto(url + "/review")
            box = page.get_by_role("textbox", name="Your review")
            box.wait_for(timeout=180_000)
            box.fill("A moving, funny film. Not boring at all.")
            box.press("Control+Enter")
            page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=180_000)
            wait_idle(page)
            page.goto(url + "/gates")
            page.get_by_text("forget gate").first.wait_for(timeout=180_000)
            wait_idle(page)
            page.goto(url + "/compare")
            page.get_by_text("Confusion matrices").wait_for(timeout=180_000)
            wait_idle(page)
            all_loaded = settle(proc.pid)
            per_session = []
            contexts = []
            for _ in range(extra_sessions):
                context = browser.new_context(viewport={"width": 1400, "height": 1600})
                contexts.append(context)
                student = context.new_page()
                student.goto(url + "/draw")
                draw_stroke(student, [(100, 60), (180, 60), (120, 230)])
                student.locator('[data-testid="stMetric"]').filter(has_text="says").wait_for(timeout=180_000)
                wait_idle(student)
                per_session.append(settle(proc.pid, 1.0))
            browser.close()
    growth = np.diff([all_loaded, *per_session])
    return {"unit": "MB", "server_started": round(started, 1), "home_page": round(home, 1),
            "every_model_loaded": round(all_loaded, 1), "after_each_extra_session": [round(v, 1) for v in per_session],
            "growth_per_session_median": round(float(np.median(growth)), 1),
            "growth_per_session_mean": round(float((per_session[-1] - all_loaded) / len(per_session)), 1)}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
