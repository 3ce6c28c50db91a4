"""The class board under a class: thirty students send drawings at the same moment while the
teacher's board refreshes every 200 ms.

    python -m benchmarks.class_board [--students 30] [--each 5] [--writers processes,threads] [--db PATH]

Run twice by default. ``processes``: each student is a separate process with its own
connection, so SQLite's locking between processes is what is measured (and the thirty
processes share the server's cores with the reader, a harsher case than a real class).
``threads``: each student is a thread of one process, as Streamlit serves sessions.

All start together at a barrier and send ``--each`` canvas-like PNG drawings (280×280 RGBA,
random strokes, made with Pillow) with four models' answers, as fast as they can: the worst
moment of a lesson, when the teacher says "send it now". The defaults stay under the
per-session rate limit, so every drawing must be stored.

The reader does what the teacher's board does on each refresh: fetch the new submissions
(``since_id``), then the class confusion matrix of every model and the accuracies; after the
rush it also times 20 refreshes that read the whole board from the start (a page just opened).

``--compare-predictions`` adds the students' side: thirty threads (as Streamlit serves sessions)
each read their drawing with the Draw page's models (``compiled.predict_each`` on the four
digit models, as a stroke does) before sending it, once with the board (sends + the teacher's
refreshes) and once without (predictions only). Their prediction latency, median and p95, in
both runs says what the board costs the students. It is the prediction path inside one
process, not the browser round trip (``python -m benchmarks --only load`` measures that).

Reported: drawings sent, stored and refused (stored must equal sent, refused 0); each
submission's latency; each refresh's time (median, p95). Written to
``benchmarks/results/class_board.json`` with the commit and the UTC date.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
REFRESH_S = 0.2
FULL_REFRESHES = 20
MODELS = ("mnist_cnn", "mnist_lstm", "mnist_gru", "mnist_rnn")
CANVAS = 280


def drawing(rng: random.Random) -> bytes:
    """A PNG like the canvas sends: white strokes on black, 280×280 RGBA."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    for _ in range(rng.randint(1, 3)):
        points = [(rng.randint(40, 240), rng.randint(40, 240)) for _ in range(rng.randint(3, 8))]
        pen.line(points, fill=(255, 255, 255, 255), width=rng.randint(14, 26), joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def answers(rng: random.Random, meant: str) -> dict:
    return {key: {"label": meant if rng.random() < 0.8 else str(rng.randrange(10)),
                  "confidence": round(rng.uniform(0.3, 1.0), 3)} for key in MODELS}


def student(path: str, number: int, each: int, barrier, results, predictors=None, send: bool = True) -> None:
    from data.class_board import ClassBoard, SubmissionRefused

    rng = random.Random(number)
    board = ClassBoard(path)
    work = [(drawing(rng), str(rng.randrange(10))) for _ in range(each)]  # drawn before the bell
    ink = np.random.default_rng(number)
    images = [(ink.random((28, 28)) > 0.8).astype(np.float32) for _ in work] if predictors else []
    barrier.wait()
    stored, refused, latencies, predictions = [], [], [], []
    for i, (png, meant) in enumerate(work):
        if predictors:  # the stroke's answer, as the Draw page computes it
            from models.probes import compiled

            tick = time.perf_counter()
            compiled.predict_each(predictors, images[i])
            predictions.append(time.perf_counter() - tick)
        if not send:
            continue
        started = time.perf_counter()
        try:
            stored.append(board.submit_drawing(f"student-{number}", png, meant, answers(rng, meant),
                                               nickname=f"S{number}"))
        except SubmissionRefused as error:
            refused.append(str(error))
        latencies.append(time.perf_counter() - started)
    results.put({"stored": stored, "refused": refused, "latencies": latencies, "predictions": predictions})


def percentiles(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0}
    ms = np.array(seconds) * 1000
    return {"n": len(ms), "median_ms": round(float(np.median(ms)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "max_ms": round(float(ms.max()), 2)}


def digit_predictors() -> dict:
    from data import catalog
    from models import registry, store
    from models.probes import compiled

    return {s.key: compiled.Predictor(store.load_pretrained(s.key)).warm_up()
            for s in registry.for_dataset(catalog.MNIST)}


def run(students: int = 30, each: int = 5, threads: bool = False, db: str | None = None, predictors=None,
        with_board: bool = True) -> dict:
    from data.class_board import ClassBoard

    folder = None if db else tempfile.TemporaryDirectory(prefix="class-board-bench-")
    path = db or os.path.join(folder.name, "class_board.sqlite3")
    teacher = ClassBoard(path)
    board_id = teacher.start_board(f"Benchmark {datetime.now(timezone.utc):%Y-%m-%d %H:%M}").id

    if threads:
        import queue

        barrier, results = threading.Barrier(students + 1), queue.Queue()
        workers = [threading.Thread(target=student, args=(path, n, each, barrier, results, predictors, with_board))
                   for n in range(students)]
    else:
        context = multiprocessing.get_context("spawn")  # fresh interpreters, no inherited connection
        barrier, results = context.Barrier(students + 1), context.Queue()
        workers = [context.Process(target=student, args=(path, n, each, barrier, results)) for n in range(students)]
    for w in workers:
        w.start()
    barrier.wait()  # every student has drawn; all send now
    started = time.perf_counter()

    def refresh(since_id: int) -> list:
        new = teacher.submissions(board_id, "drawing", since_id=since_id)
        for key in MODELS:
            teacher.class_confusion(board_id, "drawing", key)
        teacher.class_accuracy(board_id, "drawing")
        return new

    refreshes, seen, last_id, reports = [], 0, 0, []
    while len(reports) < students and not with_board:  # no board: nobody sends, nobody refreshes
        reports.append(results.get())
    while len(reports) < students:
        tick = time.perf_counter()
        new = refresh(last_id)
        refreshes.append(time.perf_counter() - tick)
        seen += len(new)
        last_id = new[-1].id if new else last_id
        deadline = tick + REFRESH_S
        while len(reports) < students and time.perf_counter() < deadline:
            try:
                reports.append(results.get(timeout=max(0.001, deadline - time.perf_counter())))
            except Exception:  # queue.Empty from either kind of queue
                pass
    wall = time.perf_counter() - started
    for w in workers:
        w.join(timeout=60)
    seen += len(teacher.submissions(board_id, "drawing", since_id=last_id))  # the last refresh
    full = []  # a quiet board after the rush: the whole class's drawings, matrices and accuracies
    for _ in range(FULL_REFRESHES):
        tick = time.perf_counter()
        refresh(0)
        full.append(time.perf_counter() - tick)

    sent = students * each if with_board else 0
    stored_ids = {i for r in reports for i in r["stored"]}
    in_db = {s.id for s in teacher.submissions(board_id, "drawing")}
    png_sizes = [len(s.png) for s in teacher.submissions(board_id, "drawing", limit=50)]
    if folder:
        folder.cleanup()
    return {
        "students": students, "each": each, "writers": "threads" if threads else "processes",
        "sent": sent, "reported_stored": len(stored_ids), "stored": len(in_db), "seen_by_board": seen,
        "refused": sum(len(r["refused"]) for r in reports),
        "refusals": sorted({m for r in reports for m in r["refused"]}),
        "lost": len(stored_ids - in_db), "all_stored": len(in_db) == sent and stored_ids == in_db and seen == sent,
        "wall_seconds": round(wall, 2), "refreshes": len(refreshes),
        "refresh": percentiles(refreshes), "refresh_whole_board_after": percentiles(full),
        "submit": percentiles([x for r in reports for x in r["latencies"]]),
        "png_bytes_median": int(np.median(png_sizes)) if png_sizes else 0,
        **({"predict": percentiles([x for r in reports for x in r["predictions"]]), "with_board": with_board}
           if predictors else {}),
    }


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.class_board", description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--each", type=int, default=5, help="drawings per student (the rate limit is 6 a minute)")
    parser.add_argument("--writers", default="processes,threads",
                        help="comma-separated: processes (one per student), threads (of one process)")
    parser.add_argument("--db", help="database file (default: a temporary one, deleted after)")
    parser.add_argument("--compare-predictions", action="store_true",
                        help="also: students predict before sending, with the board and without it (threads)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.writers.split(",") if m.strip()]
    if not modes or set(modes) - {"processes", "threads"}:
        parser.error("--writers: processes, threads or both")
    results = {mode: run(args.students, args.each, mode == "threads", args.db) for mode in modes}
    if args.compare_predictions:
        predictors = digit_predictors()
        results["predict_without_board"] = run(args.students, args.each, True, args.db, predictors, with_board=False)
        results["predict_with_board"] = run(args.students, args.each, True, args.db, predictors, with_board=True)
    record = {"section": "class_board", "commit": commit(),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                          "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds")},
              "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "class_board.json").write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record, indent=1))
    for mode, r in results.items():
        if "predict" in r:
            print(f"{mode}: the students' predictions median {r['predict']['median_ms']:.0f} / p95 "
                  f"{r['predict']['p95_ms']:.0f} ms ({r['predict']['n']} predictions)")
        if not r["sent"]:
            continue
        print(f"{mode}: stored {r['stored']} of {r['sent']} sent ({r['refused']} refused); submit median "
              f"{r['submit']['median_ms']:.0f} / p95 {r['submit']['p95_ms']:.0f} ms; board refresh median "
              f"{r['refresh']['median_ms']:.0f} / p95 {r['refresh']['p95_ms']:.0f} ms ({r['refreshes']} refreshes), "
              f"whole board after {r['refresh_whole_board_after']['median_ms']:.0f} / "
              f"{r['refresh_whole_board_after']['p95_ms']:.0f} ms")
    if not all(r["all_stored"] for r in results.values() if r["sent"]):
        sys.exit("class board benchmark: submissions were lost or refused")


if __name__ == "__main__":
    main()
