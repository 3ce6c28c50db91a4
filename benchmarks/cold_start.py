"""Cold start: seconds from `streamlit run app.py` to the first fully rendered home page in
headless Chromium, and to the first prediction on the Draw page.

    python -m benchmarks.cold_start [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.chromium import browser_page, draw_stroke, free_port  # noqa: E402


def one_run() -> tuple[float, float]:
    port = free_port()
    with browser_page(1400, 1000) as page:  # the browser is up before the clock starts
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            page.goto(url)
            page.get_by_text("test accuracy").first.wait_for(timeout=60_000)
            home = time.perf_counter() - start
            page.goto(url + "/draw")
            draw_stroke(page, [(140, 45), (138, 235)])
            page.locator('[data-testid="stMetric"]').filter(has_text="says").wait_for(timeout=120_000)
            first_prediction = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(10)
    return home, first_prediction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    for i, (home, draw) in enumerate(runs, 1):
        print(f"run {i}: home page {home:.2f} s, first Draw prediction {draw:.2f} s")
    print(f"median: home page {statistics.median(r[0] for r in runs):.2f} s, "
          f"first Draw prediction {statistics.median(r[1] for r in runs):.2f} s")


if __name__ == "__main__":
    main()
