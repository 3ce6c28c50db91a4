"""The README's figures in prose, made from saved results, never typed by hand.

    python -m benchmarks.readme_figures           # print every block
    python -m benchmarks.readme_figures --write   # replace the blocks in README.md

Each block sits between ``<!-- figures:NAME:start -->`` and ``<!-- figures:NAME:end -->``;
tests/test_readme.py checks that the README holds exactly what this prints. Sources: the
shipped metadata (``pretrained/*.json``) and the saved benchmark results
(``benchmarks/results/drawn_digits.json``, ``held_out_writers.json``, ``short_reviews.json``, written
with ``--save``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"


def _result(section: str) -> dict:
    return json.loads((RESULTS / f"{section}.json").read_text())


def _when(record: dict) -> str:
    machine = record["machine"]
    commit = (machine.get("commit") or "an unrecorded commit").split()[0]
    return f"measured {machine['measured_at'][:10]} at commit `{commit}`"


def _title(key: str) -> str:
    from models import registry

    return registry.get(key).title


def drawn_digits() -> str:
    record = _result("drawn_digits")
    acc = record["results"]["accuracy"]
    parts = [f"the {_title(k)} {'reads ' if i == 0 else ''}{v:.1%}" for i, (k, v) in enumerate(acc.items())]
    return (f"on {record['results']['n']:,} MNIST test digits redrawn as canvas strokes at random sizes, places and "
            f"pen widths (`python -m benchmarks.drawn_digits --save`, {_when(record)}), "
            + ", ".join(parts[:-1]) + f", {parts[-1]}.")


def held_out_writers() -> str:
    from data import catalog, writers

    record = _result("held_out_writers")
    r = record["results"]
    sources = writers.sources_for(catalog.MNIST)
    def source(key) -> str:  # "UCI pen digits" from "Pen strokes (UCI pen digits)"
        return catalog.get(key).title.split(" (")[-1].rstrip(")")

    names = {catalog.MNIST: "MNIST test", "drawn_digits": "drawn digits",
             **{k: f"{source(k)}, test writers" for k in sources}}
    sets = [catalog.MNIST, *sources, "drawn_digits"]

    def trained_on(keys) -> str:
        return " + ".join(["MNIST", *(f"{source(k)} (training writers)" for k in keys)])

    lines = ["| model | learnt from | " + " | ".join(f"{names[s]} ({r['n'][s]:,})" for s in sets) + " |",
             "|---|---|" + "---:|" * len(sets)]

    def row(title, keys, acc) -> str:
        return f"| {title} | {trained_on(keys)} | " + " | ".join(f"{acc[s]:.2%}" for s in sets) + " |"

    tried = r.get("candidates") or {}
    for key, acc in r["accuracy"].items():
        lines.append(row(_title(key), r["extra_writers"][key], acc))
        old = (r.get("before") or {}).get("accuracy", {}).get(key)
        if old:
            lines.append(row(f"{_title(key)} as shipped before (`{r['before']['commit']}`)", [], old))
        if key in tried:
            lines.append(row(f"{_title(key)} with the pen writers, not shipped", tried[key]["extra_writers"],
                             tried[key]["accuracy"]))
    before = f" --before {r['before']['commit']}" if r.get("before") else ""
    command = ("python -m benchmarks.held_out_writers" + before
               + "".join(f" --candidate OUT/{key}.keras" for key in tried) + " --save")
    text = f"On writers they never saw (`{command}`, {_when(record)}):\n\n" + "\n".join(lines)
    for key, candidate in tried.items():
        worse = [f"{names[s]} it gets {candidate['accuracy'][s]:.1%} against the shipped one's "
                 f"{r['accuracy'][key][s]:.1%}" for s in sets if candidate["accuracy"][s] < r["accuracy"][key][s]]
        text += (f"\n\nThe {_title(key)} trained with them (`{candidate['command']} --out OUT`) is not shipped"
                 + (": on " + ", on ".join(worse) + "." if worse else "."))
    return text


def short_reviews() -> str:
    record = _result("short_reviews")
    acc = record["results"]["accuracy"]
    others = ", ".join(f"{_title(k)} {v:.1%}" for k, v in acc.items() if k != "imdb_lstm")
    return (f"on {record['results']['n']} one-sentence reviews written for this project "
            f"(`python -m benchmarks.short_reviews --save`, {_when(record)}) the LSTM gets "
            f"{acc['imdb_lstm']:.1%} ({others}).")


def below_target() -> str:
    """The review models against the targets of issue 12: IMDB (the spec's target), SST-2 sentences."""
    import json

    from data import catalog
    from models import registry

    specs = registry.for_dataset(catalog.IMDB)
    imdb = {s.key: registry.load_metadata(s.key)["test_accuracy"] for s in specs}
    below = [s for s in specs if imdb[s.key] < s.target_accuracy]
    above = [s for s in specs if imdb[s.key] >= s.target_accuracy]

    def names(group):
        parts = [f"{s.title} ({imdb[s.key]:.1%})" for s in group]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    text = f"On all 25,000 IMDB test reviews the {names(above)} reach the {specs[0].target_accuracy:.0%} asked for"
    if below:
        text += f"; **not yet at target:** the {names(below)}"
    sentences = {}
    for s in specs:
        path = registry.PRETRAINED_DIR / f"{s.key}.on_sst.json"
        if path.exists():
            sentences[s.title] = json.loads(path.read_text())["test_accuracy"]
    if sentences:
        text += (". On single sentences (the 1,821 SST-2 test sentences) they are far from the 85% asked for: "
                 + ", ".join(f"{title} {a:.1%}" for title, a in sentences.items()))
    return text + "."


def training_times() -> str:
    from data import catalog
    from models import registry

    def minutes(task: str) -> float:
        return sum(sum(registry.load_metadata(s.key)["seconds_per_epoch"]) for s in registry.for_dataset(task)) / 60

    waves = max(sum(registry.load_metadata(s.key)["seconds_per_epoch"])
                for t in (catalog.SINE, catalog.COSINE) for s in registry.for_dataset(t))
    return (f"On two CPU cores the training epochs of the four digit models took {minutes(catalog.MNIST):.0f} minutes "
            f"in all, those of the four review models {minutes(catalog.IMDB):.0f} (embedding warm-up and test "
            f"evaluation not counted), a wave model at most {waves:.0f} s (`seconds_per_epoch` in each "
            "model's JSON).")


def wave_table() -> str:
    from data import catalog
    from models import registry

    rows = ["| key | model | test MSE |", "|---|---|---:|"]
    for task in (catalog.SINE, catalog.COSINE):
        for spec in registry.for_dataset(task):
            meta = registry.load_metadata(spec.key)
            layers = " > ".join(f"LSTM({r['output_shape'][-1]})" for r in meta["layers"] if r["type"] == "LSTM")
            rows.append(f"| `{spec.key}` | {layers} > Dense(1), next value of a noisy {task} | "
                        f"{meta['test_mse']:.1e} |")
    return "\n".join(rows)


def writing() -> str:
    """The writing LSTM: how surprised it is by real reviews, how often the sentiment models agree
    with the sentiment asked for, and three samples."""
    from models import registry

    meta = registry.load_metadata("char_lstm")
    agreement = meta["sentiment_agreement"]
    judges = list(agreement["strength_1"])
    first = agreement["strength_1"][judges[0]]
    rows = [f"On {meta['test_n']:,} IMDB test reviews ({meta['test_characters']:,} characters, each review read from "
            f"its start) it needs **{meta['test_bits_per_character']:.3f} bits per character** (perplexity "
            f"{meta['test_perplexity']:.2f}; the target was ≤ "
            f"{registry.get('char_lstm').target_bits_per_character:g}). "
            f"Of {first['reviews']} reviews it wrote ({first['reviews'] // 2} asked positive, {first['reviews'] // 2} "
            f"negative, temperature {first['temperature']:g}, {first['length']} characters, seed {first['seed']}), "
            "the share whose verdict matches the sentiment asked for:", "",
            "| sentiment strength g | " + " | ".join(_title(k) for k in judges) + " |",
            "|---|" + "---:|" * len(judges)]
    for name, label in (("strength_0", "0 (the plain model)"), ("strength_1", "1 (the Write page's default)")):
        rows.append(f"| {label} | " + " | ".join(f"{agreement[name][k]['agreement']:.1%}" for k in judges) + " |")
    record = _result("writing_samples")
    rows += ["", f"Three of its reviews ({_when(record)}):", ""]
    for sample in record["results"]["samples"]:
        rows.append(f"- {sample['what']} (`{sample['command']}`):")
        rows.append(f"  > {sample['text']}")
    return "\n".join(rows)


def gate_error() -> str:
    record = _result("gate_figures")
    r = record["results"]["gate_error"]
    per = ", ".join(f"{_title(k)} {v:.0e}" for k, v in r["per_model"].items())
    return (f"the largest difference from Keras's own h_t and final c_t on the shipped LSTMs is "
            f"{r['largest_error']:.0e} "
            f"({per}; {r['inputs_per_model']} inputs each, `python -m benchmarks.gate_figures --save`, "
            f"{_when(record)}).")


def gates_timing() -> str:
    record = _result("gate_figures")
    r = record["results"]["wave_training"]
    return (f"The page's default training (LSTM(12) on the sine wave, at most 40 epochs, stopping at convergence) "
            f"took {r['seconds_median']:.1f} s (median of {r['runs']}, at most {r['seconds_max']:.1f} s) and stopped "
            f"after {r['epochs'][0]} epochs on the 2-core machine ({_when(record)}).")


def phone_photos() -> str:
    record = _result("phone_photos")
    r = record["results"]
    return (f"Sent as a phone would send them (enlarged to 512×512, widened to 4:3, JPEG quality 85, then the page's "
            f"preprocessing), {r['n']:,} test photos are read {r['accuracy_phone']:.1%} right by the "
            f"{_title(r['model'])}, against {r['accuracy_clean']:.1%} as they are (`python -m benchmarks.phone_photos "
            f"--save`, {_when(record)}).")


def _load_runs() -> dict[str, dict]:
    """The saved class-of-30 runs: one plain server and nginx with 1 or 2 replicas, each with and
    without a session training (the ones that were measured)."""
    names = {"load": "one server (`streamlit run app.py`)", "load_no_training": "one server (`streamlit run app.py`)",
             "load_1replicas": "nginx + 1 replica", "load_1replicas_no_training": "nginx + 1 replica",
             "load_2replicas": "nginx + 2 replicas", "load_2replicas_no_training": "nginx + 2 replicas"}
    return {name: {"where": where, **_result(name)} for name, where in names.items()
            if (RESULTS / f"{name}.json").is_file()}


LOAD_TARGET_P95_MS = 300  # issue: the class of 30 at p95 ≤ 300 ms while one session trains
ROUND_TRIP_TARGET_MS = 150  # issue: one student's mouse-up → answer on screen, median, quiet machine


def replicas() -> str:
    runs = _load_runs()
    rows = ["| the class of 30 through | a session training | page updated: median / p95 / max | the answer shown: "
            "median / p95 | errors | cores used: server(s) / training / the simulated class + Chromium | measured |",
            "|---|---|---:|---:|---:|---|---|"]
    for record in runs.values():
        r = record["results"]
        cores = r.get("cores_used") or {}
        servers = cores.get("Streamlit server(s)")
        others = sum(v for k, v in cores.items() if k.startswith(("this benchmark", "Chromium")))
        used = (f"{servers:.2f} / {cores.get('training process', 0.0):.2f} / {others:.2f}" if servers is not None
                else "not recorded")
        every, shown = r["all"], r.get("answer_shown")
        rows.append(f"| {record['where']} | {'yes' if r.get('with_training', True) else 'no'} | "
                    f"{every['median_ms']:,.0f} / {every['p95_ms']:,.0f} / {every['max_ms']:,.0f} ms | "
                    + (f"{shown['median_ms']:,.0f} / {shown['p95_ms']:,.0f} ms" if shown else "not recorded")
                    + f" | {r['errors']} of {r['predictions']} | {used} | {_when(record).removeprefix('measured ')} |")
    met = [record["where"] for record in runs.values()
           if record["results"].get("with_training", True) and record["results"]["all"]["p95_ms"] <= LOAD_TARGET_P95_MS]
    verdict = (f"The target, p95 ≤ {LOAD_TARGET_P95_MS} ms for the whole page while a session trains, is met by: "
               f"{', '.join(met)}." if met else
               f"The target, p95 ≤ {LOAD_TARGET_P95_MS} ms while a session trains, is not met on this machine yet.")
    return ("\n".join(rows) + "\n\n"
            + "All on the two-core development machine: the servers, nginx, the simulated class (30 websocket "
              "clients in one Python process) and the trainer's Chromium share its two cores "
              "(`python -m benchmarks --only load [--replicas N] [--no-training]`). \"Page updated\": the "
              "student's message → the end of the page's run; \"the answer shown\": → the digit (or the "
              "fourth verdict), which the page sends first. " + verdict)


def stroke_cost() -> str:
    from benchmarks.stroke_cost import PAINT_WAIT

    one = _result("stroke_cost")
    r = one["results"]
    trip, run = r["chromium_round_trip_ms"], r["per_run"]
    working = [(name, piece) for name, piece in run["pieces"].items() if name != PAINT_WAIT]  # not the wait
    pieces = sorted(working, key=lambda item: -item[1]["wall_ms"])[:4]
    biggest = ", ".join(f"{name} {piece['wall_ms']:.1f} ms" for name, piece in pieces)
    target = ROUND_TRIP_TARGET_MS
    text = (f"One student alone, in Chromium: mouse-up → the CNN's answer painted on screen in a median of "
            f"{trip['median']:,.0f} ms (p95 {trip['p95']:,.0f} ms, {trip['n']} strokes; the target is ≤ {target} ms: "
            f"{'met' if trip['median'] <= target else 'not met'}); the drawing leaves the browser "
            f"{trip['sent_median']:,.0f} ms after mouse-up")
    wait = run["pieces"].get(PAINT_WAIT)  # pages/_ui/answer_first.py's wait, timed apart
    if "in_page_median" in trip and wait:
        from pages._ui.answer_first import PAINT_GAP_S

        text += (f", the answer is in the page after {trip['in_page_median']:,.0f} ms; the rest of the run (computed "
                 f"meanwhile) follows {PAINT_GAP_S * 1000:.0f} ms after it, so that the browser can paint the digit "
                 "first")
    elif "in_page_median" in trip:
        text += (f", the answer is in the page after {trip['in_page_median']:,.0f} ms, and the browser paints it "
                 "once it has rendered the rest of the run's updates")
    if (RESULTS / "stroke_cost_before_pen_up.json").is_file():  # the same measurement before pages/_ui/pen_up.py
        before = _result("stroke_cost_before_pen_up")
        old = before["results"]["chromium_round_trip_ms"]
        text += (f". Before the stroke was sent at pen-up it took {old['median']:,.0f} ms to the answer, the "
                 f"drawing leaving after {old['sent_median']:,.0f} ms, the canvas's own debounce "
                 f"(`stroke_cost_before_pen_up.json`, {_when(before)})")
    text += (f". On the server a Draw-page run takes {run['run_wall_ms']['median']:.0f} ms "
             f"({run['run_cpu_ms']['median']:.0f} ms of CPU"
             + (f"; {wait['wall_ms']:.0f} ms of waiting for the browser's paint" if wait else "")
             + f"); its largest pieces: {biggest} "
             f"(`python -m benchmarks.stroke_cost`, {_when(one)}).")
    return text


def eight_cores() -> str:
    """What a teacher with an 8-core laptop should expect, projected from the measured 2-replica run."""
    record = _result("load_2replicas")
    r = record["results"]
    cores = r.get("cores_used") or {}
    servers = cores.get("Streamlit server(s)")
    rate = r["predictions"] / r["wall_seconds"]
    per_student = rate / r["students"]
    if servers is None:
        return "Not projected: the 2-replica run did not record the cores it used."
    cpu_ms = servers / rate * 1000
    replica_cores = 6  # of 8: one for a training run, one for the system and the teacher's browser
    busy = servers / 2  # the share of the 2-replica run's two cores its servers kept busy
    students = int(replica_cores * busy / (cpu_ms / 1000) / per_student // 10 * 10)
    return (f"**An 8-core laptop (projected, not measured).** In the 2-replica run every prediction cost the "
            f"servers {cpu_ms:.0f} ms of CPU ({servers:.2f} cores busy for {rate:.1f} predictions a second; "
            f"{_when(record)}). With 6 replicas on 8 cores (one core left for a training run, one for the system) "
            f"and each replica's core as busy as there ({busy:.0%}), the laptop serves about {students} students "
            f"at the benchmark's pace (a stroke every ~{r['think_seconds']:g} s, a review every "
            f"~{2 * r['think_seconds']:g} s) with about the 2-replica run's waits; a lecture hall of 200 needs "
            f"about {int(-(-200 * per_student * cpu_ms / 1000 // busy))} such cores. The projection assumes the "
            f"cost per prediction stays as measured (no simulated class or Chromium on the same cores, which "
            f"took {sum(v for k, v in cores.items() if k.startswith(('this benchmark', 'Chromium'))):.2f} cores "
            f"here, makes it conservative).")


BLOCKS = {"drawn-digits": drawn_digits, "held-out-writers": held_out_writers, "replicas": replicas,
          "stroke-cost": stroke_cost, "eight-cores": eight_cores,
          "phone-photos": phone_photos, "gate-error": gate_error, "gates-timing": gates_timing,
          "writing": writing, "short-reviews": short_reviews, "below-target": below_target,
          "training-times": training_times, "wave-mse": wave_table}


def markers(name: str) -> tuple[str, str]:
    return f"<!-- figures:{name}:start -->", f"<!-- figures:{name}:end -->"


def readme_block(readme: str, name: str) -> str | None:
    """A block's text as the README holds it (without the indentation it has inside a list)."""
    start, end = markers(name)
    match = re.search(r"^( *)" + re.escape(start) + r"\n(.*?)\n *" + re.escape(end), readme, re.S | re.M)
    if not match:
        return None
    return "\n".join(line.removeprefix(match.group(1)) for line in match.group(2).split("\n"))


def write(readme: str) -> str:
    for name, make in BLOCKS.items():
        start, end = markers(name)

        def block(match, make=make, start=start, end=end):
            indent = match.group(1)
            body = "\n".join(indent + line for line in make().split("\n"))
            return f"{indent}{start}\n{body}\n{indent}{end}"

        readme = re.sub(r"^( *)" + re.escape(start) + r"\n.*?" + re.escape(end), block, readme, flags=re.S | re.M)
    return readme


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.write:
        path = ROOT / "README.md"
        path.write_text(write(path.read_text()))
    for name, make in BLOCKS.items():
        print(f"[{name}]\n{make()}\n")


if __name__ == "__main__":
    main()
