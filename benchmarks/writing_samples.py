"""Three reviews written by the shipped writing LSTM, for the README (positive, negative, and
one at a high temperature), with the settings that reproduce each through the CLI.

    python -m benchmarks.writing_samples --save   # benchmarks/results/writing_samples.json
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SAMPLES = [  # (what it shows, prompt, sentiment, temperature, seed)
    ("asked for a positive review", "this movie was", "positive", 0.8, 1),
    ("asked for a negative review", "this movie was", "negative", 0.8, 1),
    ("at a high temperature (1.5)", "this movie was", "positive", 1.5, 1),
]
LENGTH = 300


def run() -> dict:
    from data import characters
    from models import store
    from models.probes import generation

    writer = generation.CharWriter(store.load_pretrained("char_lstm"))
    out = []
    for what, prompt, sentiment, temperature, seed in SAMPLES:
        text = "".join(step.char for step in writer.write(prompt, characters.SENTIMENTS.index(sentiment),
                                                             temperature, LENGTH, seed=seed))
        out.append({"what": what, "prompt": prompt, "sentiment": sentiment, "temperature": temperature,
                    "seed": seed, "length": LENGTH, "strength": generation.DEFAULT_STRENGTH, "text": prompt + text,
                    "command": f'python -m models generate char_lstm --prompt "{prompt}" --sentiment {sentiment} '
                               f"--temperature {temperature} --length {LENGTH} --seed {seed}"})
    return {"samples": out}


def main() -> None:
    from benchmarks import provenance

    provenance.save_cli("writing_samples", run, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
