"""A class at once: thirty students on one server, each drawing or typing and getting 20
predictions, while one more session trains a model on the Train page.

    python -m benchmarks.load [--students 30] [--predictions 20] [--typists 10]

Each student is a real browser session (a headless Chromium context, loopback only). A
prediction's latency is the time from the student's action (the mouse let go after a stroke,
Ctrl+Enter in the review box) to the server's "script finished" message on that session's
websocket, read with Streamlit's own protobuf classes. Errors: a run that ended with an
error, an exception element on the page, a JavaScript page error, a lost websocket, or a
prediction that did not arrive within the time limit.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

REVIEWS = [
    "A wonderful film, moving and funny, with a brilliant cast. I loved it.",
    "Boring and far too long. The plot makes no sense and the acting is awful.",
    "Not good at all. I wanted to like it but it was a waste of time.",
    "The best thing I have seen this year: beautiful, honest and clever.",
]
FINISHED = {0: "ok", 3: "ok"}  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY


class Session:
    """One student's page, with the websocket watched for finished script runs."""

    def __init__(self, page, name: str):
        self.page, self.name = page, name
        self.finished = asyncio.Queue()
        self.errors: list[str] = []
        page.on("websocket", self._watch)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _watch(self, ws):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def frame(payload):
            if isinstance(payload, str):
                return
            msg = ForwardMsg()
            try:
                msg.ParseFromString(payload)
            except Exception:
                return
            if msg.WhichOneof("type") == "script_finished":
                self.finished.put_nowait((time.perf_counter(), msg.script_finished))

        ws.on("framereceived", frame)
        ws.on("close", lambda _: self.errors.append("websocket closed") if not self.closing else None)

    closing = False

    def drain(self):
        while not self.finished.empty():
            self.finished.get_nowait()

    async def wait_finished(self, since: float, timeout: float) -> float:
        """Seconds from ``since`` to the next successfully finished run."""
        deadline = since + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no answer in time")
            at, status = await asyncio.wait_for(self.finished.get(), left)
            if status in FINISHED:
                return at - since
            if status == 1:
                raise RuntimeError("the script ended with an error")
            # FINISHED_EARLY_FOR_RERUN: a newer run replaces it; wait for that one.


async def wait_idle(page, timeout=120_000):
    await page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout)


async def drawer(session: Session, url: str, predictions: int, rng) -> list[float]:
    page = session.page
    await page.goto(url + "/draw")
    canvas = page.locator("canvas.upper-canvas").first
    await canvas.wait_for(timeout=180_000)
    await wait_idle(page)
    box = await canvas.bounding_box()
    latencies = []
    for _ in range(predictions):
        x = box["x"] + 60 + float(rng.integers(0, 160))
        session.drain()
        await page.mouse.move(x, box["y"] + 40)
        await page.mouse.down()
        for step in range(1, 9):
            await page.mouse.move(x + float(rng.integers(-20, 20)), box["y"] + 40 + step * 25)
        start = time.perf_counter()
        await page.mouse.up()
        latencies.append(await session.wait_finished(start, timeout=120))
    return latencies


async def typist(session: Session, url: str, predictions: int, rng) -> list[float]:
    page = session.page
    await page.goto(url + "/review")
    box = page.get_by_label("Your review")
    await box.wait_for(timeout=180_000)
    await wait_idle(page)
    latencies = []
    for i in range(predictions):
        await box.fill(f"{REVIEWS[i % len(REVIEWS)]} ({i})")
        session.drain()
        start = time.perf_counter()
        await box.press("Control+Enter")
        latencies.append(await session.wait_finished(start, timeout=120))
    return latencies


async def trainer(session: Session, url: str, stop: asyncio.Event) -> int:
    """Keeps one run training (the default quick CNN run) until the students are done."""
    page = session.page
    await page.goto(url + "/train")
    button = page.get_by_role("button", name="Train", exact=True)
    try:
        await button.wait_for(timeout=180_000)
    except Exception as error:
        await page.screenshot(path=str(ROOT / "artifacts" / "load_trainer.png"), full_page=True)
        session.errors.append(f"the Train page did not open: {error}")
        return 0
    runs = 0
    while not stop.is_set():
        await wait_idle(page)
        if await button.is_enabled():
            await button.click()
            runs += 1
        await asyncio.sleep(2)
    return runs


async def class_at_once(url: str, students: int, typists: int, predictions: int, with_training: bool = True) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            contexts = [await browser.new_context(viewport={"width": 1300, "height": 1400})
                        for _ in range(students + 1)]
            sessions = [Session(await c.new_page(), f"student {i + 1}") for i, c in enumerate(contexts)]
            teacher = sessions.pop()
            stop = asyncio.Event()
            training = asyncio.create_task(trainer(teacher, url, stop) if with_training else asyncio.sleep(0, 0))
            start = time.perf_counter()
            tasks = []
            for i, s in enumerate(sessions):
                rng = np.random.default_rng(i)
                role = typist if i < typists else drawer
                tasks.append(asyncio.create_task(role(s, url, predictions, rng)))
            results = await asyncio.gather(*tasks, return_exceptions=True)
            stop.set()
            runs_started = await training
            wall = time.perf_counter() - start
            errors, latencies = [], {"draw": [], "review": []}
            for i, (s, r) in enumerate(zip(sessions, results)):
                kind = "review" if i < typists else "draw"
                if isinstance(r, BaseException):
                    errors.append(f"{s.name} ({kind}): {type(r).__name__}: {r}")
                else:
                    latencies[kind] += r
                exceptions = await s.page.locator('[data-testid="stException"]').count()
                if exceptions:
                    errors.append(f"{s.name}: {exceptions} exception(s) on the page")
                s.closing = True
                errors += [f"{s.name}: {e}" for e in s.errors]
            teacher.closing = True
            errors += [f"trainer: {e}" for e in teacher.errors]
        finally:
            await browser.close()
    everything = latencies["draw"] + latencies["review"]

    def stats(values):
        if not values:
            return None
        ms = np.asarray(values) * 1000
        return {"n": len(values), "median_ms": round(float(np.median(ms)), 1),
                "p95_ms": round(float(np.percentile(ms, 95)), 1), "max_ms": round(float(ms.max()), 1)}

    return {"students": students, "typists": typists, "drawers": students - typists,
            "predictions_per_student": predictions, "predictions": len(everything),
            "errors": len(errors), "error_list": errors[:20], "training_runs_started": runs_started,
            "wall_seconds": round(wall, 1), "all": stats(everything), "draw": stats(latencies["draw"]),
            "review": stats(latencies["review"])}


def run(students: int = 30, typists: int = 10, predictions: int = 20, with_training: bool = True) -> dict:
    with running_app(timeout=120) as url:
        return asyncio.run(class_at_once(url, students, typists, predictions, with_training))


def main() -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--typists", type=int, default=10)
    parser.add_argument("--predictions", type=int, default=20)
    parser.add_argument("--no-training", action="store_true", help="no session trains meanwhile")
    args = parser.parse_args()
    result = run(args.students, args.typists, args.predictions, not args.no_training)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
