"""Where a measurement comes from: the machine, the date and the commit, saved with every result."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


# What the benchmarks write themselves: saving one result must not mark the next as "+changes".
OUTPUTS = ("benchmarks/results", "README.md")


def commit(root: Path = ROOT) -> str | None:
    """The commit the measured code is at (with "+changes" when the work tree differs, apart from
    the benchmarks' own OUTPUTS), or None outside a git checkout."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                *(f":(exclude){path}" for path in OUTPUTS)], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": commit()}


def save(section: str, results: dict, seconds: float | None = None) -> Path:
    """``benchmarks/results/SECTION.json``: the results with the machine, date and commit."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {"section": section, "machine": machine(), "seconds": seconds, "results": results}
    path = RESULTS / f"{section}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    return path


def save_cli(section: str, run, description: str) -> None:
    """The command line of a figure script: print ``run()``'s results as JSON and, with
    ``--save``, keep them in ``benchmarks/results/SECTION.json`` for the README's figures."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    results = run()
    print(json.dumps(results, indent=1))
    if args.save:
        save(section, results)
