"""Where a stroke's time goes on the server: one Draw-page run taken apart.

    python -m benchmarks.stroke_cost [--strokes 15] [--students 1] [--think 0.5] [--roundtrips 11] [--save]

The app runs in a server process of its own (``--serve``, started by this script) with timers
wrapped around the pieces of a Draw-page run: decoding the canvas, preparing the 28×28 input,
the model calls (``compiled.predict_each``, feature maps, hidden states, the pen replay), the
Altair/Vega spec building (``pages/_ui/charts``), Streamlit's marshalling of charts and images
(``st.vega_lite_chart``, ``st.image``'s PNG encoding), every element delta the script enqueues,
and, on the server's event loop, the protobuf serialisation of what goes on the wire.

Every timer is *exclusive* (a piece's own time, without the timed pieces inside it), so the rows
add up to the whole run; "page code and Streamlit (rest)" is what no timer covers. Each row gives
wall time and the script thread's CPU time: under load the difference is waiting (the GIL, the
models' locks). A real Chromium records the messages a stroke sends (as the load benchmark does)
and measures the round trip mouse-up → the CNN's answer on screen on the browser's own clock
(``performance.now()``: the pen-up event, the drawing sent, the answer in the page, the answer
painted, from Element Timing); then ``--students`` sessions
send ``--strokes`` new drawings each over Streamlit's websocket protocol.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# -- Server side: timers around the pieces of a run -------------------------------------------

PROBABILITIES = "models: probabilities (the ensembles)"  # digit models; pen models when their tab is open
PAINT_WAIT = "waiting while the browser paints the answer"  # pages/_ui/answer_first.py: sleeping, no CPU
_local = threading.local()
_wire = {"messages": 0, "bytes": 0, "wall_s": 0.0}  # serialisation on the event loop (all sessions)
_wire_lock = threading.Lock()
_ensembles: list = []  # the compiled.Ensemble objects made, for their batchers' counts


def _timed(label: str, fn):
    """``fn`` with its exclusive wall and thread-CPU time added to the current run's ``label``."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        stack = getattr(_local, "stack", None)
        if stack is None:  # not inside a timed script run
            return fn(*args, **kwargs)
        frame = [0.0, 0.0]  # wall and CPU of timed pieces inside this one
        stack.append(frame)
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            stack.pop()
            entry = _local.run.setdefault(label, [0.0, 0.0, 0])
            entry[0] += wall - frame[0]
            entry[1] += cpu - frame[1]
            entry[2] += 1
            stack[-1][0] += wall
            stack[-1][1] += cpu

    return wrapper


def _patch(owner, name: str, label: str) -> None:
    setattr(owner, name, _timed(label, getattr(owner, name)))


def install_timers(log_path: str) -> None:
    """Wrap the pieces of a run; every script run appends one JSON line to ``log_path``."""
    from streamlit.runtime import runtime_util
    from streamlit.runtime.scriptrunner import exec_code, script_runner
    from streamlit.web.server.starlette import starlette_websocket

    log = open(log_path, "a", buffering=1)
    log_lock = threading.Lock()

    run_script = exec_code.exec_func_with_error_handling

    installed = []
    install_lock = threading.Lock()

    def timed_run(func, ctx):
        with install_lock:  # the canvas component can only be imported once the runtime is up
            if not installed:
                _wrap_pieces()
                installed.append(True)
        _local.run, _local.stack = {}, [[0.0, 0.0]]
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return run_script(func, ctx)
        finally:
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            inner_wall, inner_cpu = _local.stack[0]
            run = _local.run
            run["page code and Streamlit (rest)"] = [wall - inner_wall, cpu - inner_cpu, 1]
            record = {"at": time.time(), "wall_s": wall, "cpu_s": cpu, "fragment": bool(ctx.current_fragment_id)
                      if hasattr(ctx, "current_fragment_id") else None,
                      "pieces": {k: [round(v[0], 6), round(v[1], 6), v[2]] for k, v in run.items()}}
            _local.stack = None
            with log_lock:
                log.write(json.dumps(record) + "\n")

    exec_code.exec_func_with_error_handling = timed_run
    script_runner.exec_func_with_error_handling = timed_run

    serialize = runtime_util.serialize_forward_msg

    def timed_serialize(msg):
        start = time.perf_counter()
        out = serialize(msg)
        with _wire_lock:
            _wire["messages"] += 1
            _wire["bytes"] += len(out)
            _wire["wall_s"] += time.perf_counter() - start
        return out

    runtime_util.serialize_forward_msg = timed_serialize
    starlette_websocket.serialize_forward_msg = timed_serialize

    def dump_wire():
        while True:
            time.sleep(0.25)
            with _wire_lock:
                batchers = [b for e in list(_ensembles) for b in e.batchers]
                record = {**_wire, "model_calls": sum(b.calls for b in batchers),
                          "predictions": sum(b.batched for b in batchers)}
                Path(log_path + ".wire").write_text(json.dumps(record))

    threading.Thread(target=dump_wire, daemon=True).start()


def _wrap_pieces() -> None:
    from pages._ui.tf_import import import_tensorflow

    import_tensorflow()
    import streamlit as st
    import streamlit_drawable_canvas
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.elements import image as st_image

    from data import digits
    from models.probes import compiled, features, pen, recurrent
    from pages._ui import answer_first, classroom, pen_view
    from pages._ui.charts import reading

    _patch(streamlit_drawable_canvas, "st_canvas", "canvas: decode the drawing")
    _patch(digits, "prepare", "input: prepare 28×28")
    _patch(compiled, "predict_each", PROBABILITIES)
    if hasattr(compiled, "Ensemble"):  # the models of a request in one batched call
        _patch(compiled.Ensemble, "__call__", PROBABILITIES)
        made = compiled.Ensemble.__init__

        def keep(self, *args, **kwargs):
            made(self, *args, **kwargs)
            _ensembles.append(self)

        compiled.Ensemble.__init__ = keep
    _patch(features.FeatureMaps, "__call__", "models: feature maps")
    _patch(recurrent.HiddenStates, "__call__", "models: hidden states")
    _patch(pen.PenReader, "replay", "models: pen replay")
    for name in ("probability_bars", "state_heatmap", "readout_lines"):
        _patch(reading, name, "charts: Altair/Vega specs")
    _patch(digits, "enlarge", "images: enlarge/mosaic (numpy)")
    _patch(features, "mosaic", "images: enlarge/mosaic (numpy)")
    _patch(st_image, "marshall_images", "streamlit: st.image encoding")
    _patch(classroom, "digit_png", "class board: PNG of the drawing")
    # st.vega_lite_chart = marshalling the spec and its data (Arrow) into the proto
    for owner in (st, DeltaGenerator):
        _patch(owner, "vega_lite_chart", "streamlit: vega_lite_chart marshalling")
    _patch(DeltaGenerator, "_enqueue", "streamlit: enqueue element deltas")
    _patch(pen_view, "read", "pen view (rest)")
    _patch(pen_view, "show", "pen view (rest)")
    _patch(answer_first, "let_it_paint", PAINT_WAIT)


def serve(port: int, log_path: str) -> None:
    """The app on 127.0.0.1:``port`` in this process, with the timers installed."""
    os.chdir(ROOT)
    install_timers(log_path)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true"]
    cli.main()


# -- Client side -------------------------------------------------------------------------------

@contextlib.contextmanager
def timed_server(log_path: Path, timeout: float = 120):
    from benchmarks.chromium import free_port, serving

    port = free_port()
    with serving([sys.executable, "-m", "benchmarks.stroke_cost", "--serve", str(port), "--log", str(log_path)],
                 port, f"stroke_cost-{port}.log", timeout) as (url, _):
        yield url


SHAPES = [  # strokes in canvas pixels: a 1, a 7, an L, a slanted 1, a Z, ...
    [(140, 40), (140, 240)], [(80, 50), (200, 50), (110, 240)], [(90, 40), (90, 230), (200, 230)],
    [(170, 40), (110, 240)], [(70, 50), (210, 50), (70, 230), (210, 230)], [(200, 40), (80, 140), (210, 140)],
]


# The browser's own clock (performance.now()) on the Draw page: when the pen went up, when the
# page next sent a message (the drawing), when an answer appeared in the page, and when the
# browser painted it (Element Timing's renderTime for the answer's text). Playwright's own events
# reach Python tens of milliseconds late.
IN_PAGE_CLOCK = """
window.__trip = {up: null, sent: null, answer: null, painted: null};
document.addEventListener("pointerup", () => {
  window.__trip = {up: performance.now(), sent: null, answer: null, painted: null};
}, true);
const sendOfPage = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  const trip = window.__trip;
  if (trip.up !== null && trip.sent === null) trip.sent = performance.now();
  return sendOfPage.call(this, data);
};
new MutationObserver(() => {
  const trip = window.__trip;
  const value = document.querySelector('[data-testid="stMetric"] [data-testid="stMetricValue"]');
  if (trip.up === null || trip.answer !== null || !value) return;
  trip.answer = performance.now();
  for (const element of [value, ...value.querySelectorAll("*")]) {  // before it is painted: Element
    element.setAttribute("elementtiming", "answer");  // Timing reports when its text is
  }
}).observe(document, {subtree: true, childList: true});
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) {
    const trip = window.__trip;
    if (entry.identifier === "answer" && trip.answer !== null && trip.painted === null) {
      trip.painted = entry.renderTime || entry.loadTime;
    }
  }
}).observe({type: "element", buffered: true});
"""


async def round_trips(browser, url: str, n: int) -> tuple[list[float], list[float], list[float], int]:
    """Mouse-up on the canvas → the CNN's answer on screen, ``n`` times (the canvas cleared
    between), on the browser's own clock: ``(to the answer painted, to the drawing sent, to the
    answer in the page, strokes lost)``, in seconds."""
    from benchmarks.load import wait_idle

    page = await browser.new_page(viewport={"width": 1300, "height": 1400})
    await page.add_init_script(IN_PAGE_CLOCK)
    await page.goto(url + "/draw", timeout=180_000)
    canvas = page.locator("canvas.upper-canvas").first
    await canvas.wait_for(timeout=180_000)
    await wait_idle(page)
    answer = page.locator('[data-testid="stMetric"]')
    times, to_send, to_answer, misses, i = [], [], [], 0, 0
    while len(times) < n and misses < n:  # the first stroke warms the session up and is not counted
        if await answer.count():
            await page.get_by_role("button", name="Clear").click()
            await answer.first.wait_for(state="detached", timeout=60_000)
            await wait_idle(page)
            await page.wait_for_timeout(500)  # the new canvas sets up its pen after the run
        box = await canvas.bounding_box()
        points = SHAPES[i % len(SHAPES)]
        await page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
        await page.mouse.down()
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            for s in range(1, 9):
                await page.mouse.move(box["x"] + ax + (bx - ax) * s / 8, box["y"] + ay + (by - ay) * s / 8)
        await page.mouse.up()
        try:
            await answer.first.wait_for(state="visible", timeout=15_000)
            await page.wait_for_function("() => window.__trip.painted !== null", timeout=15_000)
        except Exception:  # the stroke was lost (the canvas not ready): draw again, counted as a miss
            misses += 1
            continue
        trip = await page.evaluate("window.__trip")
        if i:
            times.append((trip["painted"] - trip["up"]) / 1000)
            to_send.append(((trip["sent"] or trip["answer"]) - trip["up"]) / 1000)
            to_answer.append((trip["answer"] - trip["up"]) / 1000)
        i += 1
        await wait_idle(page)
    await page.close()
    return times, to_send, to_answer, misses


async def drawers(url: str, template: tuple, students: int, strokes: int,
                  think: float) -> tuple[list[float], list[str]]:
    from benchmarks.load import ProtocolStudent, student

    sessions = [ProtocolStudent(url, f"student {i + 1}") for i in range(students)]
    templates = {"draw": template}
    results = await asyncio.gather(*(student(s, "draw", templates, strokes, think, i) for i, s in enumerate(sessions)))
    for s in sessions:
        await s.close()
    return [seconds for r in results for _, seconds, _ in r], [e for s in sessions for e in s.errors]


def breakdown(records: list[dict]) -> dict:
    """Median per run of each piece (ms, wall and CPU) over the runs that predicted."""
    runs = [r for r in records if PROBABILITIES in r["pieces"]]
    labels = sorted({k for r in runs for k in r["pieces"]})
    rows = {}
    for label in labels:
        wall = np.array([r["pieces"].get(label, [0, 0, 0])[0] for r in runs]) * 1000
        cpu = np.array([r["pieces"].get(label, [0, 0, 0])[1] for r in runs]) * 1000
        calls = np.median([r["pieces"].get(label, [0, 0, 0])[2] for r in runs])
        rows[label] = {"wall_ms": round(float(np.median(wall)), 2), "cpu_ms": round(float(np.median(cpu)), 2),
                       "mean_wall_ms": round(float(wall.mean()), 2), "calls": float(calls)}
    wall = np.array([r["wall_s"] for r in runs]) * 1000
    cpu = np.array([r["cpu_s"] for r in runs]) * 1000
    return {"runs": len(runs), "pieces": dict(sorted(rows.items(), key=lambda kv: -kv[1]["mean_wall_ms"])),
            "run_wall_ms": {"median": round(float(np.median(wall)), 1),
                            "p95": round(float(np.percentile(wall, 95)), 1)},
            "run_cpu_ms": {"median": round(float(np.median(cpu)), 1), "p95": round(float(np.percentile(cpu, 95)), 1)}}


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wire(path: Path) -> dict:
    try:
        return json.loads(Path(str(path) + ".wire").read_text())
    except (OSError, ValueError):
        return {"messages": 0, "bytes": 0, "wall_s": 0.0, "model_calls": 0, "predictions": 0}


async def measure(strokes: int, students: int, think: float, roundtrips: int) -> dict:
    import tempfile

    from playwright.async_api import async_playwright

    from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS
    from benchmarks.load import record_templates

    log = Path(tempfile.mkdtemp(prefix="stroke_cost-")) / "runs.jsonl"
    result = {"strokes": strokes, "students": students, "think_s": think}
    with timed_server(log) as url:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            templates = await record_templates(browser, url)  # also warms every model up
            if roundtrips:
                times, to_send, to_answer, misses = await round_trips(browser, url, roundtrips)
                times, to_send, to_answer = (np.array(a) * 1000 for a in (times, to_send, to_answer))
                result["chromium_round_trip_ms"] = {"n": len(times), "lost_strokes": misses,
                                                    "median": round(float(np.median(times)), 1),
                                                    "p95": round(float(np.percentile(times, 95)), 1),
                                                    "sent_median": round(float(np.median(to_send)), 1),
                                                    "in_page_median": round(float(np.median(to_answer)), 1),
                                                    "all": [round(float(t), 1) for t in times]}
            await browser.close()
        time.sleep(0.5)
        before, first = wire(log), len(read_log(log))
        latencies, errors = await drawers(url, templates["draw"], students, strokes, think)
        time.sleep(1.0)
        after, records = wire(log), read_log(log)[first:]
    lat = np.array(latencies) * 1000
    result["latency_ms"] = {"n": len(lat), "median": round(float(np.median(lat)), 1),
                            "p95": round(float(np.percentile(lat, 95)), 1), "max": round(float(lat.max()), 1)}
    result["errors"] = errors
    result["per_run"] = breakdown(records)
    n = max(result["per_run"]["runs"], 1)
    result["wire_per_run"] = {"messages": round((after["messages"] - before["messages"]) / n, 1),
                              "kB": round((after["bytes"] - before["bytes"]) / n / 1000, 1),
                              "serialise_ms": round((after["wall_s"] - before["wall_s"]) / n * 1000, 2)}
    if after.get("predictions"):  # the batcher: how many model calls the students' predictions took
        result["batching"] = {"predictions": after["predictions"] - before.get("predictions", 0),
                              "model_calls": after["model_calls"] - before.get("model_calls", 0)}
    result["load_average"] = os.getloadavg()
    return result


def print_table(result: dict) -> None:
    per = result["per_run"]
    print(f"\n{result['students']} student(s) x {result['strokes']} strokes, think {result['think_s']} s;"
          f" {per['runs']} predicting runs; load average {result['load_average'][0]:.1f}")
    print(f"{'piece (exclusive, median per run)':48s} {'wall ms':>9s} {'CPU ms':>9s} {'mean ms':>9s} {'calls':>6s}")
    for label, row in per["pieces"].items():
        print(f"{label:48s} {row['wall_ms']:9.2f} {row['cpu_ms']:9.2f} {row['mean_wall_ms']:9.2f} {row['calls']:6.0f}")
    print(f"{'whole run':48s} {per['run_wall_ms']['median']:9.1f} {per['run_cpu_ms']['median']:9.1f}"
          f"   (p95 wall {per['run_wall_ms']['p95']} ms)")
    w = result["wire_per_run"]
    print(f"wire per run: {w['messages']} messages, {w['kB']} kB, serialised in {w['serialise_ms']} ms (event loop)")
    if "batching" in result:
        b = result["batching"]
        print(f"batched predictions (digit and pen ensembles): {b['predictions']} in {b['model_calls']} model calls")
    lat = result["latency_ms"]
    print(f"message → script finished: median {lat['median']} ms, p95 {lat['p95']} ms, max {lat['max']} ms;"
          f" errors {len(result['errors'])}")
    if "chromium_round_trip_ms" in result:
        rt = result["chromium_round_trip_ms"]
        print(f"Chromium mouse-up → CNN answer on screen: median {rt['median']} ms, p95 {rt['p95']} ms (n={rt['n']});"
              f" mouse-up → the drawing sent: median {rt.get('sent_median')} ms,"
              f" → the answer in the page: median {rt.get('in_page_median')} ms (the browser's own clock)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=15, help="new drawings per student")
    parser.add_argument("--students", type=int, default=1, help="students drawing at once")
    parser.add_argument("--think", type=float, default=0.5, help="seconds between a student's strokes (scaled)")
    parser.add_argument("--roundtrips", type=int, default=11, help="Chromium strokes timed to the answer (0: none)")
    parser.add_argument("--save", action="store_true", help="keep the result in benchmarks/results/")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.log)
        return
    start = time.perf_counter()
    result = asyncio.run(measure(args.strokes, args.students, args.think, args.roundtrips))
    print_table(result)
    if args.save:
        from benchmarks import provenance

        section = "stroke_cost" if args.students == 1 else f"stroke_cost_{args.students}students"
        print("saved", provenance.save(section, result, round(time.perf_counter() - start, 1)))


if __name__ == "__main__":
    main()
