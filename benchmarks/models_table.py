"""The README's table of models, made from the shipped metadata (pretrained/*.json).

    python -m benchmarks.models_table           # print it
    python -m benchmarks.models_table --write   # replace the table in README.md

tests/test_readme.py checks that the README's table is the one this prints, so the README
never reports an accuracy that the shipped files do not have.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
START, END = "<!-- models-table:start -->", "<!-- models-table:end -->"


def table() -> str:
    from models import registry

    lines = ["| key | model | dataset | parameters | epochs | s/epoch | test accuracy | target |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for spec in registry.MODELS.values():
        meta = registry.load_metadata(spec.key)
        if not meta or not ("test_accuracy" in meta or "test_bits_per_character" in meta):
            continue
        seconds = sorted(meta["seconds_per_epoch"])[len(meta["seconds_per_epoch"]) // 2]
        if "test_accuracy" in meta:
            score = f"**{meta['test_accuracy']:.2%}**"
            target = f"{spec.target_accuracy:.1%}" if spec.target_accuracy else "—"
        else:  # a language model: bits per character (lower is better)
            score = f"**{meta['test_bits_per_character']:.3f} bits/char**"
            target = f"≤ {spec.target_bits_per_character:g} bits/char"
        lines.append(f"| `{spec.key}` | {spec.title} | {spec.dataset} | {meta['params']:,} | {meta['epochs']} | "
                     f"{seconds:.0f} | {score} | {target} |")
    lines += other_test_sets()
    trained_elsewhere = [s.key for s in registry.MODELS.values()
                         if "NVIDIA" in str((registry.load_metadata(s.key) or {}).get("trained_on", ""))]
    if trained_elsewhere:
        lines.append("")
        lines.append("s/epoch: on the machine that trained the model (its `trained_on` metadata); "
                     + ", ".join(f"`{k}`" for k in trained_elsewhere) + " trained on a lent GPU (NVIDIA H200).")
    return "\n".join(lines)


def other_test_sets() -> list[str]:
    """Models measured on another task's test set too (the review models on SST-2 sentences,
    with the negation pairs): a second table, from ``pretrained/KEY.on_TASK.json``."""
    from data import catalog
    from models import registry

    lines = []
    for task in catalog.TASKS.values():
        if not task.measures_models_of:
            continue
        own = catalog.get(task.measures_models_of)
        rows = []
        for spec in registry.for_dataset(own.key):
            meta, measured = registry.load_metadata(spec.key), registry.load_evaluation(spec.key, task.key)
            if not meta or not measured:
                continue
            pairs = measured.get("negation_pairs")
            negation = f"{pairs[0]} / {pairs[1]} ({pairs[0] / pairs[1]:.0%})" if pairs else "—"
            rows.append(f"| `{spec.key}` | {spec.title} | {meta['test_accuracy']:.2%} | "
                        f"**{measured['test_accuracy']:.2%}** | {negation} |")
        if rows:
            lines += ["", f"The {own.title} models on {task.test_description} and on the negation "
                      f"pairs of `tests/data/negation.tsv` (both sentences right), measured by `python -m models "
                      f"evaluate KEY --on {task.key} --negation --write-predictions`:", "",
                      f"| key | model | {own.title} test | {task.title} test | negation pairs |",
                      "|---|---|---:|---:|---:|", *rows]
    return lines


def readme_table(readme: str) -> str:
    match = re.search(re.escape(START) + r"\n(.*?)\n?" + re.escape(END), readme, re.S)
    return match.group(1).rstrip("\n") if match else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not args.write:
        print(table())
        return
    path = ROOT / "README.md"
    readme = path.read_text()
    new = re.sub(re.escape(START) + r"\n.*?" + re.escape(END), lambda _: f"{START}\n{table()}\n{END}", readme,
                 flags=re.S)
    path.write_text(new)


if __name__ == "__main__":
    main()
