"""How well do the digit models read writers they never saw? Three held-out sets side by side.

- the MNIST test set: 10,000 digits by writers who are not in MNIST's training set;
- the pen test writers: the 3,498 UCI pen digits of the 14 test writers, drawn as the Draw page
  draws its canvas (``data.writers``): tablet handwriting by people in neither training set;
- drawn digits: 1,000 MNIST test digits redrawn as canvas strokes (``benchmarks/drawn_digits.py``),
  read through the CLI's preprocessing (``python -m models predict``'s, done here in-process).

    python -m benchmarks.held_out_writers [--model KEY ...] [--before REV] [--candidate FILE.keras] [--save]

``--before REV`` also measures each model as it was shipped at commit REV (its ``.keras`` file
from git), when that file differs from today's: a retrained model next to the one it replaced.
``--candidate FILE.keras`` also measures a model trained but not shipped (its ``.json`` beside it
says which model it is and the command that trained it): what was tried and left out.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DRAWN = "drawn_digits"
DRAWN_N = 1000


def test_sets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every held-out set as (images in [0, 1], labels), by name."""
    from benchmarks import drawn_digits
    from data import catalog, digits, mnist, writers

    x_test, y_test = mnist.load_test(allow_download=False)
    sets = {catalog.MNIST: (x_test.astype(np.float32) / 255.0, y_test.astype(np.int32))}
    for source in writers.sources_for(catalog.MNIST):
        sets[source] = writers.test_set(catalog.MNIST, source)
    prepare = catalog.get(catalog.MNIST).prepare_user_input
    with tempfile.TemporaryDirectory() as tmp:
        files = drawn_digits.write_drawings(x_test[:DRAWN_N], Path(tmp))  # seed 0, as the drawn-digit figure
        drawn = np.stack([prepare(digits.open_image(f)) for f in files])
    sets[DRAWN] = (drawn.astype(np.float32), y_test[:DRAWN_N].astype(np.int32))
    return sets


def accuracies(model, sets: dict) -> dict[str, float]:
    from models.training import loop

    return {name: round(loop.evaluate(model, x, y)["accuracy"], 4) for name, (x, y) in sets.items()}


def shipped_at(rev: str, key: str, folder: Path) -> Path | None:
    """``pretrained/KEY.keras`` as committed at ``rev``, or None when it is today's file."""
    from models import registry

    path = registry.get(key).pretrained_path
    old = subprocess.run(["git", "show", f"{rev}:{path.relative_to(ROOT).as_posix()}"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    if old == path.read_bytes():
        return None
    target = folder / f"{key}.keras"
    target.write_bytes(old)
    return target


def run(keys: list[str], before: str | None, candidates: tuple = ()) -> dict:
    from data import catalog
    from models import registry, store

    sets = test_sets()
    results = {"n": {name: int(len(y)) for name, (_, y) in sets.items()}, "accuracy": {}, "extra_writers": {}}
    for key in keys:
        results["accuracy"][key] = accuracies(store.load_pretrained(key), sets)
        results["extra_writers"][key] = sorted((registry.load_metadata(key) or {}).get("extra_writers") or {})
        print(key, results["accuracy"][key], file=sys.stderr)
    if before:
        commit = subprocess.run(["git", "rev-parse", "--short=10", before], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        results["before"] = {"commit": commit, "accuracy": {}}
        with tempfile.TemporaryDirectory() as tmp:
            for key in keys:
                old = shipped_at(before, key, Path(tmp))
                if old is not None:
                    results["before"]["accuracy"][key] = accuracies(store.load_model(old), sets)
                    print(f"{key} at {commit}", results["before"]["accuracy"][key], file=sys.stderr)
    if candidates:
        import json

        results["candidates"] = {}
        for path in map(Path, candidates):
            meta = json.loads(path.with_suffix(".json").read_text())
            results["candidates"][meta["model"]] = {
                "accuracy": accuracies(store.load_model(path), sets), "command": meta.get("command"),
                "extra_writers": sorted(meta.get("extra_writers") or {})}
            print(f"{meta['model']} from {path}", results["candidates"][meta["model"]]["accuracy"], file=sys.stderr)
    results["sets"] = {name: catalog.get(name).test_description if name in catalog.TASKS else
                       f"{DRAWN_N:,} MNIST test digits redrawn as canvas strokes" for name in sets}
    return results


def main() -> None:
    import json

    from data import catalog
    from models import registry

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", help="a digit model (default: all four)")
    parser.add_argument("--before", metavar="REV", help="also measure the models as shipped at this commit")
    parser.add_argument("--candidate", action="append", default=[], metavar="FILE.keras",
                        help="also measure this trained, unshipped model (its .json beside it)")
    parser.add_argument("--save", action="store_true",
                        help="write benchmarks/results/held_out_writers.json (the README's figures come from it)")
    args = parser.parse_args()
    keys = args.model or [spec.key for spec in registry.for_dataset(catalog.MNIST)]
    results = run(keys, args.before, tuple(args.candidate))
    print(json.dumps(results, indent=1))
    if args.save:
        from benchmarks import provenance

        provenance.save("held_out_writers", results)


if __name__ == "__main__":
    main()
