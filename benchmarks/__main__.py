"""The classroom benchmarks, in one run: ``python -m benchmarks``.

    python -m benchmarks                          # everything (about 7 minutes on 2 cores)
    python -m benchmarks --only predict,memory    # some sections
    python -m benchmarks --table                  # the table from the saved results, into README.md

Each section writes ``benchmarks/results/SECTION.json`` (with the machine and the time); the
markdown table made from all saved results replaces the one in README.md between the
``benchmarks`` markers, so the README shows what the benchmark measured, nothing typed by hand.

Sections (each figure a median and p95 of repeated measurements, with its ratio to the
baseline measured side by side in the same run):

* ``predict``  — each page's predict path vs raw Keras ``predict_on_batch`` (target ≤ 1.5×)
* ``training`` — seconds per epoch of the course recipes via our code vs ``model.fit`` (≤ 1.05×)
* ``cold``     — ``streamlit run`` to the rendered home page (≤ 4 s) and to the first Draw prediction
* ``memory``   — server RSS with every model loaded (≤ 1 GB) and growth per extra session
* ``train_page`` — Train page: click to finished curves for a 1-epoch CNN on 10,000 digits, and
  the server's memory after five runs in a row
* ``load``     — thirty students at once while one session trains: errors (0) and p95 latency;
  ``--replicas N`` sends them through nginx in front of N replicas, ``--no-training`` leaves out
  the training session (saved as ``load_2replicas.json``, ``load_no_training.json``, ...)
* ``photos_writing`` — the Photo page's upload path (≤ 1.5× raw ``predict_on_batch``), both CIFAR
  recipes' seconds per epoch against plain ``fit``, and the Write page's characters per second
  against a naive ``predict`` on the growing text
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import provenance  # noqa: E402
from benchmarks.provenance import RESULTS  # noqa: E402

START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
SECTIONS = ("predict", "training", "cold", "memory", "train_page", "load", "photos_writing")
TARGETS = {"predict": 1.5, "training": 1.05, "cold_home_s": 4.0, "memory_mb": 1024, "load_errors": 0}


def measure(section: str, args) -> dict:
    if section == "predict":
        from benchmarks import predict

        return predict.run(args.calls)
    if section == "training":
        from benchmarks import training_speed

        return training_speed.run(epochs=args.epochs)
    if section == "cold":
        import numpy as np

        from benchmarks import cold_start

        runs = [cold_start.one_run() for _ in range(args.cold_runs)]
        home, draw = np.array([r[0] for r in runs]), np.array([r[1] for r in runs])
        return {"unit": "s", "n": len(runs),
                "home": {"median": round(float(np.median(home)), 2), "p95": round(float(np.percentile(home, 95)), 2)},
                "first_draw_prediction": {"median": round(float(np.median(draw)), 2),
                                          "p95": round(float(np.percentile(draw, 95)), 2)}}
    if section == "memory":
        from benchmarks import memory

        return memory.run()
    if section == "train_page":
        from benchmarks import train_page

        return train_page.run()
    if section == "photos_writing":
        from benchmarks import photos_writing

        return photos_writing.run(min(args.calls, 100), max(2, args.epochs - 1))
    if section == "load":
        from benchmarks import load

        return load.run(args.students, args.typists, args.predictions, not args.no_training, args.think,
                        args.replicas)
    raise ValueError(section)


def saved_as(section: str, args) -> str:
    """The results file of a section: the load section's variants each keep their own."""
    if section != "load" or (not args.replicas and not args.no_training):
        return section
    return ("load" + (f"_{args.replicas}replicas" if args.replicas else "")
            + ("_no_training" if args.no_training else ""))


def table() -> str:
    """The README's benchmark table, from the saved results."""
    saved = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json")) if p.stem in SECTIONS}
    rows = ["| what | ours (median / p95) | baseline (median / p95) | ratio | target |", "|---|---|---|---:|---|"]

    def ok(flag: bool) -> str:
        return "✓" if flag else "✗ missed"

    if "predict" in saved:
        names = {"draw": "Draw: canvas → 28×28 → all 4 digit models",
                 "review": "Review: 203 words → all 4 review models + word-by-word",
                 "review_sentence": "Review: one sentence → all 4 review models + word-by-word",
                 "gates": "Gates: LSTM gate recomputation (MNIST LSTM + sine LSTM)"}
        for key, r in saved["predict"]["results"].items():
            name = names.get(key, key)
            if key == "review" and r.get("sentences"):  # measured with the sentence-by-sentence view
                name = (f"Review: {r['words']} words, {r['sentences']} sentences → all 4 review models + "
                        "word-by-word + sentence by sentence")
            elif key == "review_sentence" and r.get("words"):
                name = f"Review: one sentence ({r['words']} words) → all 4 review models + word-by-word"
            rows.append(f"| {name} | {r['median']:.1f} / {r['p95']:.1f} ms | "
                        f"{r['baseline_median']:.1f} / {r['baseline_p95']:.1f} ms (`predict_on_batch`) | "
                        f"{r['ratio']:.2f}× | ≤ 1.5× {ok(r['ratio'] <= TARGETS['predict'])} |")
    if "training" in saved:
        for name, r in saved["training"]["results"].items():
            rows.append(f"| Training {name}, {r['train_size']:,} examples, batch {r['batch_size']} | "
                        f"{r['median']:.2f} / {r['p95']:.2f} s/epoch | {r['baseline_median']:.2f} / "
                        f"{r['baseline_p95']:.2f} s/epoch (`model.fit`) | {r['ratio']:.2f}× | "
                        f"≤ 1.05× {ok(r['ratio'] <= TARGETS['training'])} |")
    if "cold" in saved:
        r = saved["cold"]["results"]
        rows.append(f"| Cold start to the rendered home page ({r['n']} runs) | {r['home']['median']:.2f} / "
                    f"{r['home']['p95']:.2f} s | | | ≤ 4 s {ok(r['home']['p95'] <= TARGETS['cold_home_s'])} |")
        rows.append(f"| Cold start to the first Draw prediction | {r['first_draw_prediction']['median']:.2f} / "
                    f"{r['first_draw_prediction']['p95']:.2f} s | | | |")
    if "memory" in saved:
        r = saved["memory"]["results"]
        rows.append(f"| Server memory, every model loaded | {r['every_model_loaded']:.0f} MB | server started: "
                    f"{r['server_started']:.0f} MB | | ≤ 1 GB {ok(r['every_model_loaded'] <= TARGETS['memory_mb'])} |")
        rows.append(f"| Memory growth per extra session (10 sessions) | {r['growth_per_session_median']:.1f} MB "
                    f"(mean {r['growth_per_session_mean']:.1f}) | | | |")
    if "train_page" in saved:
        r = saved["train_page"]["results"]
        rows.append(f"| Train page: click → finished curves, {r['run']} ({r['n']} runs in a row) | "
                    f"{r['median']:.1f} / {r['p95']:.1f} s | | | |")
        rows.append(f"| … server memory after each of the {r['n']} runs | "
                    f"{' → '.join(f'{v:.0f}' for v in r['server_rss_after_each_run_mb'])} MB | before: "
                    f"{r['server_rss_before_mb']:.0f} MB | | no growth: "
                    f"{r['rss_growth_first_to_last_run_mb']:+.0f} MB first → last |")
    if "load" in saved:
        r = saved["load"]["results"]
        every = r["all"] or {"median_ms": float("nan"), "p95_ms": float("nan")}
        think = r.get("think_seconds")
        pace = f", a stroke every ~{think:g} s, a review every ~{2 * think:g} s" if think else ", back-to-back"
        rows.append(f"| {r['students']} students at once ({r['drawers']} drawing, {r['typists']} typing, "
                    f"{r['predictions_per_student']} predictions each{pace}) while one session trains: latency | "
                    f"{every['median_ms']:.0f} / {every['p95_ms']:.0f} ms | | | |")
        for kind in ("draw", "review"):
            if r.get(kind):
                rows.append(f"| … {kind} predictions only | {r[kind]['median_ms']:.0f} / {r[kind]['p95_ms']:.0f} ms"
                            f" | | | |")
        rows.append(f"| … errors | {r['errors']} of {r['predictions']} predictions | | | 0 "
                    f"{ok(r['errors'] == TARGETS['load_errors'])} |")
    for name, variant in load_variants().items():
        r = variant["results"]
        every = r["all"] or {"median_ms": float("nan"), "p95_ms": float("nan"), "max_ms": float("nan")}
        where = f"through nginx, {r['replicas']} replica{'s' if r['replicas'] > 1 else ''}" if r.get("replicas") \
            else "one server"
        training = "while one session trains" if r.get("with_training", True) else "nobody training"
        rows.append(f"| The same class {where}, {training} (`{name}`): latency, max | {every['median_ms']:.0f} / "
                    f"{every['p95_ms']:.0f} ms, max {every['max_ms']:.0f} ms | | | {r['errors']} errors of "
                    f"{r['predictions']} {ok(r['errors'] == TARGETS['load_errors'])} |")
    if "photos_writing" in saved:
        r = saved["photos_writing"]["results"]
        p = r["photo"]
        rows.append(f"| Photo: 1200×900 JPEG upload → 32×32 → both CIFAR models + feature maps + Grad-CAM | "
                    f"{p['median']:.1f} / {p['p95']:.1f} ms | {p['baseline_median']:.1f} / {p['baseline_p95']:.1f} ms "
                    f"(`predict_on_batch`, eager gradient) | {p['ratio']:.2f}× | ≤ 1.5× "
                    f"{ok(p['ratio'] <= TARGETS['predict'])} |")
        if "pen" in r:
            q = r["pen"]
            rows.append(f"| Pen: a recorded two-stroke 4 → stroke pipeline → all 3 pen models + the LSTM's replay | "
                        f"{q['median']:.1f} / {q['p95']:.1f} ms | {q['baseline_median']:.1f} / "
                        f"{q['baseline_p95']:.1f} ms (`predict_on_batch`) | {q['ratio']:.2f}× | "
                        f"≤ 1.5× {ok(q['ratio'] <= TARGETS['predict'])} |")
        for name, t in r["photo_training"].items():
            rows.append(f"| Training {name}, {t['train_size']:,} photos, batch {t['batch_size']} | "
                        f"{t['median']:.2f} / {t['p95']:.2f} s/epoch | {t['baseline_median']:.2f} / "
                        f"{t['baseline_p95']:.2f} s/epoch (`model.fit`) | {t['ratio']:.2f}× | "
                        f"≤ 1.05× {ok(t['ratio'] <= TARGETS['training'])} |")
        w = r["writing"]
        rows.append(f"| Write: {w['length']} characters, one compiled step each ({w['n']} runs) | "
                    f"{w['median']:.0f} characters/s (slowest {w['p95_slowest']:.0f}) | {w['baseline_median']:.0f} "
                    f"characters/s (`predict_on_batch` on the growing text) | {w['speedup']:.0f}× faster | "
                    f"≥ 300/s {ok(w['p95_slowest'] >= 300)} |")
    saved.update(load_variants())
    cpus = {s["machine"]["cpus"] for s in saved.values()}
    measured: dict[tuple, list] = {}  # (date, commit) -> sections measured then
    for name, s in saved.items():
        measured.setdefault((s["machine"]["measured_at"][:10], _measured_commit(s["machine"])), []).append(name)
    when = "; ".join(f"{'every section' if len(measured) == 1 else ', '.join(names)} on {date} at {commit}"
                     for (date, commit), names in measured.items())
    rows.append("")
    rows.append(f"Measured by `python -m benchmarks` ({', '.join(map(str, sorted(cpus)))} CPU cores, no GPU): "
                f"{when}. Raw results: `benchmarks/results/*.json`.")
    return "\n".join(rows)


def load_variants() -> dict:
    """Saved runs of the load section through replicas or without training, by file name."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("load_*.json"))}


def _measured_commit(machine_info: dict) -> str:
    commit = machine_info.get("commit")
    return f"commit `{commit.split()[0]}`{commit[len(commit.split()[0]):]}" if commit else "an unrecorded commit"


def write_readme() -> None:
    path = ROOT / "README.md"
    readme = path.read_text()
    if START not in readme:
        return
    path.write_text(re.sub(re.escape(START) + r"\n.*?" + re.escape(END), lambda _: f"{START}\n{table()}\n{END}",
                           readme, flags=re.S))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--table", action="store_true", help="only remake the table from saved results")
    parser.add_argument("--calls", type=int, default=200, help="predict: calls per path")
    parser.add_argument("--epochs", type=int, default=4, help="training: epochs per recipe (the first is dropped)")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--typists", type=int, default=10)
    parser.add_argument("--predictions", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.5,
                        help="load: seconds per stroke (typists take twice as long); 0 for back-to-back")
    parser.add_argument("--replicas", type=int, default=0,
                        help="load: through nginx in front of N replicas (deploy/); 0: one plain server")
    parser.add_argument("--no-training", action="store_true", help="load: no session trains meanwhile")
    args = parser.parse_args()
    if args.table:
        write_readme()
        print(table())
        return
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for section in wanted:
        print(f"[{section}] measuring…", file=sys.stderr, flush=True)
        start = time.perf_counter()
        results = measure(section, args)
        provenance.save(saved_as(section, args), results, round(time.perf_counter() - start, 1))
        print(json.dumps(results, indent=1), flush=True)
    write_readme()
    print(table())


if __name__ == "__main__":
    main()
