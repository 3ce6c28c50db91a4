"""The Train page as a student uses it: click Train on the default quick run (a CNN, one epoch on
10,000 MNIST digits), wait for the finished curves and test accuracy; five runs in a row.

Reports the seconds from the click to the finished run (the "Test accuracy" line on the page)
and the server's memory (RSS) after each run: it must not grow run after run, since a run
trains in its own process and leaves only its results and model file behind.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402
from benchmarks.memory import rss_mb, wait_idle  # noqa: E402


def run(runs: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    seconds, rss = [], []
    with running_server(timeout=120) as (url, proc):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.goto(url + "/train")
            button = page.get_by_role("button", name="Train", exact=True)
            button.wait_for(timeout=120_000)
            wait_idle(page)
            before = rss_mb(proc.pid)
            for i in range(1, runs + 1):
                start = time.perf_counter()
                button.click()
                page.get_by_text(f"Run #{i} finished").wait_for(timeout=600_000)
                seconds.append(time.perf_counter() - start)
                wait_idle(page)
                page.wait_for_timeout(1000)
                rss.append(rss_mb(proc.pid))
            browser.close()
    s = np.array(seconds)
    return {"unit": "s", "n": runs, "run": "CNN, 1 epoch, 10,000 MNIST digits, batch 64 (the default quick run)",
            "click_to_finished": [round(v, 1) for v in seconds], "median": round(float(np.median(s)), 1),
            "p95": round(float(np.percentile(s, 95)), 1), "server_rss_before_mb": round(before, 1),
            "server_rss_after_each_run_mb": [round(v, 1) for v in rss],
            "rss_growth_first_to_last_run_mb": round(rss[-1] - rss[0], 1)}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
