"""A class at once: thirty students on one server, each drawing or typing and getting 20
predictions, while one more session trains a model on the Train page.

    python -m benchmarks.load [--students 30] [--predictions 20] [--typists 10] [--think 1.5] [--replicas N]

How the class is simulated (loopback only, bounded in count and time):

1. A real headless Chromium opens the Draw page, draws a stroke, opens the Review page and
   sends a review. The messages its pages send to the server (Streamlit's ``BackMsg``
   protobufs on the ``/_stcore/stream`` websocket) are recorded: they are the templates.
2. Thirty students connect to the same websocket with Streamlit's own protocol, each a real
   server session, and replay what the browser did: open the page, then 20 times send a new
   drawing (a PNG of random strokes, like the canvas sends) or a new review, a few seconds
   apart (``--think``, 0 for back-to-back). The students' pages are not rendered: in a
   classroom the browsers run on the students' laptops, and thirty Chromiums on the server's
   two cores would measure the browsers, not the server.
3. Meanwhile one real Chromium keeps training the default quick run on the Train page.

With ``--replicas N`` the same class goes through nginx in front of N replicas (``deploy/``, all
on loopback); every replica is warmed first as the single server is (a Chromium draws and types on
it); every student's websocket is a new browser without a cookie, so nginx spreads them
over the replicas; the result says how many sessions each replica got.

A prediction's latency is the time from the student's message to the server's "script
finished" message on that session; ``answer_shown`` is the time to the answer itself (the
digit, or the fourth verdict), which the page sends before the views below it. Errors: an
exception or an error box on a student's page, a run that ended with an error, a lost websocket,
or no answer within two minutes.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

REVIEWS = [
    "A wonderful film, moving and funny, with a brilliant cast. I loved it.",
    "Boring and far too long. The plot makes no sense and the acting is awful.",
    "Not good at all. I wanted to like it but it was a waste of time.",
    "The best thing I have seen this year: beautiful, honest and clever.",
]
REPLICA_HEADER = "X-Explorer-Replica"  # deploy/nginx.conf.template: the replica that answered
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


# -- Where the machine's CPU went ----------------------------------------------------------------

PROCESS_GROUPS = (  # what a process is, from its command line (first match)
    ("training process", ("multiprocessing.spawn", "multiprocessing.forkserver")),
    ("Streamlit server(s)", ("streamlit run", "streamlit_run", "deploy.replicas", "-m streamlit")),
    ("nginx", ("nginx",)),
    ("Chromium (the trainer's page)", ("chromium", "chrome")),
    ("this benchmark (30 students' client)", ("benchmarks",)),
)


def cpu_seconds_by_group() -> dict[str, float]:
    """CPU seconds (user + system) used so far by every process of the groups above (Linux /proc;
    empty elsewhere). A training process that has ended counts through its server (the CPU of
    waited-for children); one that was running at the first snapshot is then counted whole, a
    small overcount."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = next((name for name, marks in PROCESS_GROUPS if any(m in cmdline for m in marks)), None)
        if group:
            totals[group] = totals.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / tick
        if group == "Streamlit server(s)":  # the training processes it started and that have ended
            ended = (int(fields[13]) + int(fields[14])) / tick
            totals["training process"] = totals.get("training process", 0.0) + ended
    return totals


def cpu_share(before: dict, after: dict, seconds: float) -> dict[str, float]:
    """Cores used on average by each group between two snapshots (1.0 = one core busy)."""
    return {name: round((after.get(name, 0.0) - before.get(name, 0.0)) / seconds, 2)
            for name in after if after.get(name, 0.0) > before.get(name, 0.0)}


# -- 1. What a real browser sends -------------------------------------------------------------

def _back_msg(payload: bytes):
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.ParseFromString(payload)
    return msg


async def record_templates(browser, url: str) -> dict:
    """One real student in Chromium: the page-open and action messages of Draw and Review."""
    page = await browser.new_page(viewport={"width": 1300, "height": 1400})
    sent: list = []
    page.on("websocket", lambda ws: ws.on(
        "framesent", lambda payload: None if isinstance(payload, str) else sent.append(_back_msg(payload))))
    session = Session(page, "recorder")
    reruns = lambda: [m for m in sent if m.WhichOneof("type") == "rerun_script"]  # noqa: E731

    await page.goto(url + "/draw", timeout=180_000)
    canvas = page.locator("canvas.upper-canvas").first
    await canvas.wait_for(timeout=180_000)
    await wait_idle(page)
    draw_open = reruns()[0]
    box = await canvas.bounding_box()
    session.drain()
    await page.mouse.move(box["x"] + 140, box["y"] + 40)
    await page.mouse.down()
    for step in range(1, 9):
        await page.mouse.move(box["x"] + 140, box["y"] + 40 + step * 25)
    await page.mouse.up()
    await session.wait_finished(time.perf_counter(), timeout=120)
    draw_action = reruns()[-1]

    sent.clear()
    await page.goto(url + "/review", timeout=180_000)
    text_box = page.get_by_role("textbox", name="Your review")
    await text_box.wait_for(timeout=180_000)
    await wait_idle(page)
    review_open = reruns()[0]
    session.drain()
    await text_box.fill(REVIEWS[0])
    await text_box.press("Control+Enter")
    await session.wait_finished(time.perf_counter(), timeout=120)
    review_action = reruns()[-1]
    if await page.locator('[data-testid="stException"]').count():
        raise RuntimeError("the recording browser saw an exception on the page")
    session.closing = True
    await page.close()
    return {"draw": (draw_open, draw_action), "review": (review_open, review_action)}


# -- 2. Students on Streamlit's own protocol ---------------------------------------------------

def random_drawing(rng) -> str:
    """A canvas-sized PNG data URL of white strokes on black, as the drawing canvas sends."""
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    points = [(int(rng.integers(60, 220)), int(rng.integers(40, 240))) for _ in range(int(rng.integers(3, 7)))]
    pen.line(points, fill=(255, 255, 255, 255), width=22, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def with_new_input(template, kind: str, rng, n: int, student: int):
    """The recorded action message with a new drawing or a new review in it."""
    import json

    msg = type(template)()
    msg.CopyFrom(template)
    for widget in msg.rerun_script.widget_states.widgets:
        if kind == "draw" and widget.WhichOneof("value") == "json_value" and "drawing" in widget.json_value:
            value = json.loads(widget.json_value)
            value["drawing"]["data"] = random_drawing(rng)
            widget.json_value = json.dumps(value)
        elif kind == "review" and widget.id.endswith("-review_text"):
            widget.string_value = f"{REVIEWS[n % len(REVIEWS)]} (student {student}, review {n + 1})"
    return msg


ANSWERS = {"draw": 1, "review": 4}  # st.metric elements a prediction shows: the digit; four verdicts


class ProtocolStudent:
    """One student's server session, spoken to in Streamlit's websocket protocol."""

    def __init__(self, url: str, name: str):
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.name = name
        self.errors: list[str] = []
        self.finished: asyncio.Queue = asyncio.Queue()
        self.closing = False
        self.answers = 0
        self.expected = 0  # the answers (st.metric) a full prediction shows
        self.answered_at: float | None = None  # when the last of them arrived

    async def connect(self):
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=120,
                                ping_interval=None)
        self.replica = self.ws.response.headers.get(REPLICA_HEADER)  # None without nginx in front
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for payload in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(payload)
                kind = msg.WhichOneof("type")
                if kind == "script_finished":
                    self.finished.put_nowait((time.perf_counter(), msg.script_finished))
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    if element.WhichOneof("type") == "metric":  # a model's answer (Draw: 1, Review: 4)
                        self.answers += 1
                        if self.answers == self.expected:
                            self.answered_at = time.perf_counter()
                    elif element.WhichOneof("type") == "exception":
                        self.errors.append(f"exception on the page: {element.exception.message[:200]}")
                    elif element.WhichOneof("type") == "alert" and element.alert.format == 1:
                        self.errors.append(f"error box on the page: {element.alert.body[:200]}")
        except Exception as error:  # a lost connection
            if not self.closing:
                self.errors.append(f"websocket lost: {type(error).__name__}: {error}")
        else:
            if not self.closing:
                self.errors.append("websocket closed by the server")

    async def send(self, msg) -> None:
        await self.ws.send(msg.SerializeToString())

    wait_finished = Session.wait_finished

    def drain(self):
        Session.drain(self)
        self.answers = 0
        self.answered_at = None

    async def close(self):
        self.closing = True
        await self.ws.close()
        self.reader.cancel()


async def student(session: ProtocolStudent, kind: str, templates: dict, predictions: int, think: float,
                  index: int) -> list[tuple[float, float, float]]:
    """``(when sent, seconds to the run's end, seconds to the answer shown)`` of each of the
    student's predictions (the answer: the digit, or all four verdicts, arrives before the rest of
    the page)."""
    rng = np.random.default_rng(index)
    opening, action = templates[kind]
    session.expected = ANSWERS[kind]
    await session.connect()
    start = time.perf_counter()
    await session.send(opening)
    await session.wait_finished(start, timeout=180)  # the page opened
    latencies = []
    for n in range(predictions):
        if think:  # drawing a stroke or typing a sentence takes a moment
            await asyncio.sleep(float(rng.uniform(0.5, 1.5)) * think * (2 if kind == "review" else 1))
        msg = with_new_input(action, kind, rng, n, index)
        session.drain()
        start = time.perf_counter()
        await session.send(msg)
        finished = await session.wait_finished(start, timeout=120)
        if session.answers < ANSWERS[kind]:
            session.errors.append(f"prediction {n + 1}: {session.answers} answer(s) shown, not {ANSWERS[kind]}")
        answered = (session.answered_at or start + finished) - start
        latencies.append((start, finished, answered))
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
            try:
                await button.click(timeout=10_000)
                runs += 1
            except Exception:  # disabled again by a rerun between the check and the click: try again
                pass
        await asyncio.sleep(2)
    return runs


async def class_at_once(url: str, students: int, typists: int, predictions: int, with_training: bool = True,
                        think: float = 1.5, warm_urls: tuple[str, ...] = ()) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            templates = await record_templates(browser, url)
            for other in warm_urls:  # every replica loads its models before the class, as the first one did
                await record_templates(browser, other)
            teacher = Session(await browser.new_page(viewport={"width": 1300, "height": 1400}), "trainer")
            stop = asyncio.Event()
            training = asyncio.create_task(trainer(teacher, url, stop) if with_training else asyncio.sleep(0, 0))
            await asyncio.sleep(5 if with_training else 0)  # the run is under way before the class starts
            sessions = [ProtocolStudent(url, f"student {i + 1}") for i in range(students)]
            kinds = ["review" if i < typists else "draw" for i in range(students)]
            start = time.perf_counter()
            cpu_before = cpu_seconds_by_group()
            class_ = [student(s, kind, templates, predictions, think, i)
                      for i, (s, kind) in enumerate(zip(sessions, kinds))]
            results = await asyncio.gather(*class_, return_exceptions=True)
            wall = time.perf_counter() - start
            cpu = cpu_share(cpu_before, cpu_seconds_by_group(), wall)
            stop.set()
            runs_started = await training
            errors, latencies, sent_at, answered = [], {"draw": [], "review": []}, [], []
            for s, kind, r in zip(sessions, kinds, results):
                if isinstance(r, BaseException):
                    errors.append(f"{s.name} ({kind}): {type(r).__name__}: {r}")
                else:
                    latencies[kind] += [seconds for _, seconds, _ in r]
                    sent_at += [(at - start, seconds) for at, seconds, _ in r]
                    answered += [seconds for _, _, seconds in r]
                errors += [f"{s.name} ({kind}): {e}" for e in s.errors]
                if getattr(s, "ws", None) is not None:
                    await s.close()
            teacher.closing = True
            errors += [f"trainer: {e}" for e in teacher.errors]
            per_replica: dict[str, int] = {}
            for s in sessions:
                if getattr(s, "replica", None):
                    per_replica[s.replica] = per_replica.get(s.replica, 0) + 1
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
            "predictions_per_student": predictions, "think_seconds": think, "predictions": len(everything),
            "errors": len(errors), "error_list": errors[:20], "training_runs_started": runs_started,
            "wall_seconds": round(wall, 1), "all": stats(everything), "draw": stats(latencies["draw"]),
            "review": stats(latencies["review"]), "with_training": with_training,
            "answer_shown": stats(answered), "timeline": timeline(sent_at), "cores_used": cpu,
            "sessions_per_replica": dict(sorted(per_replica.items()))}


def timeline(sent_at: list[tuple[float, float]], step: float = 5.0) -> list[dict]:
    """Median and p95 of the predictions sent in each ``step`` seconds of the class (the first
    one holds the class's first strokes, sent while thirty pages are still opening)."""
    rows = []
    for first in np.arange(0.0, max((t for t, _ in sent_at), default=0.0) + step, step):
        ms = np.asarray([s for t, s in sent_at if first <= t < first + step]) * 1000
        if len(ms):
            rows.append({"from_s": float(first), "n": len(ms), "median_ms": round(float(np.median(ms)), 1),
                         "p95_ms": round(float(np.percentile(ms, 95)), 1)})
    return rows


def run(students: int = 30, typists: int = 10, predictions: int = 20, with_training: bool = True,
        think: float = 1.5, replicas: int = 0) -> dict:
    """The class on one plain server (``replicas=0``), or through nginx in front of ``replicas``."""
    if not replicas:
        with running_app(timeout=120) as url:
            result = asyncio.run(class_at_once(url, students, typists, predictions, with_training, think))
    else:
        from deploy import replicas as deploy

        with deploy.running(replicas, timeout=240) as cluster:
            # The recording browser warms the replica nginx gives it; each replica is warmed the
            # same way (on its own port), so no student's first stroke waits for a cold replica.
            result = asyncio.run(class_at_once(cluster.url, students, typists, predictions, with_training, think,
                                               tuple(cluster.replica_urls)))
    return {**result, "replicas": replicas}


def main() -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--typists", type=int, default=10)
    parser.add_argument("--predictions", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.5,
                        help="seconds a student takes per stroke (typists twice as long); 0: back-to-back")
    parser.add_argument("--no-training", action="store_true", help="no session trains meanwhile")
    parser.add_argument("--replicas", type=int, default=0, help="through nginx in front of N replicas (0: no nginx)")
    args = parser.parse_args()
    result = run(args.students, args.typists, args.predictions, not args.no_training, args.think, args.replicas)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
