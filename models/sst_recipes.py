"""Recipe search: the four review models trained on IMDB reviews plus SST sentences and phrases.

    python -m models.sst_recipes RECIPE --cell lstm --out /work/sst_models/RECIPE
    python -m models.sst_recipes table /work/sst_models            # RESULTS.md from every run

Every IMDB training example is a long review with one label, so the shipped models never see a
short sentence with its own label, nor "not good" labelled as such. The Stanford Sentiment
Treebank labels every sentence and every phrase inside it; here both join the IMDB reviews.

Setup -> Prepare the data (IMDB train reviews + SST train sentences + a sample of SST train
phrases, one 20,000-word vocabulary learnt from all of it) -> Build (the course architecture,
unchanged: TextVectorization > Embedding > recurrent layer(s) > P(positive)) -> Train
(``models.training.train`` with an unregistered ``ModelSpec``) -> Evaluate.

Validation (early stopping and the choice of recipe): the SST dev sentences (872, neutral
dropped) and a held-out slice of the IMDB training reviews, never a test set. Each trained
model is then measured once on held-out data: the 1,821 SST-2 test sentences, all 25,000 IMDB
test reviews and the negation pairs of ``tests/data/negation.tsv``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from data import imdb, sources, sst
from data.dataset import Dataset
from models import negation, registry

IMDB_VALIDATION = 2500  # the last 2,500 of the shuffled training reviews (inside the shipped models' 5,000)
SEED = 0

# What varies between recipes. Everything else is the shipped model's spec (models.registry).
RECIPES = {
    # Short text from SST only (no IMDB snippets); sentences twice, 20,000 phrases of >= 2 words.
    "A": {"vocab_size": 20_000, "sequence_length": 200, "sentence_repeats": 2, "phrase_cap": 20_000,
          "phrase_min_words": 2, "imdb_snippets": 0.0, "epochs": 4},
    # A reading the shipped 400 words, single words ("awful") among 20,000 phrases, and short phrases with a
    # negation (not, n't, never, no, ...) repeated, positives more often than negatives so that both
    # weigh the same (in SST 76% of them are negative: "negation means negative" is the shortcut to avoid).
    "B": {"vocab_size": 20_000, "sequence_length": 400, "sentence_repeats": 2, "phrase_cap": 20_000,
          "phrase_min_words": 1, "imdb_snippets": 0.0, "negation_repeats": 2, "epochs": 3},
    # A with more phrases (40,000) and the shipped models' IMDB snippets.
    "C": {"vocab_size": 20_000, "sequence_length": 200, "sentence_repeats": 2, "phrase_cap": 40_000,
          "phrase_min_words": 2, "imdb_snippets": 0.5, "epochs": 4},
}
NEGATION = re.compile(r"\b(not|no|never|nothing|nobody|none|neither|nor|without)\b|n't\b", re.IGNORECASE)
NEGATION_MAX_WORDS = 10
CELLS = {"lstm": "imdb_lstm", "gru": "imdb_gru", "rnn": "imdb_rnn", "bilstm": "imdb_bilstm"}


# -- Prepare the data ---------------------------------------------------------------------------


def build_dataset(recipe: dict, seed: int = SEED) -> tuple[Dataset, dict]:
    """The combined training set, the combined validation set (also given as ``x_test`` so that
    ``train`` never touches a test set), and the parts of the validation set by name."""
    rng = np.random.default_rng(seed)
    (x_imdb, y_imdb), _ = imdb.load(allow_download=False)
    order = np.random.default_rng(0).permutation(len(x_imdb))  # as models.training does
    x_imdb, y_imdb = x_imdb[order], y_imdb[order]
    x_fit, y_fit = x_imdb[:-5000], y_imdb[:-5000]  # the shipped models' 20,000 training reviews
    x_imdb_val, y_imdb_val = x_imdb[-IMDB_VALIDATION:], y_imdb[-IMDB_VALIDATION:]
    parts_x, parts_y = [x_fit], [y_fit]
    if recipe["imdb_snippets"]:
        snippets = imdb.review_snippets(x_fit, y_fit, fraction=recipe["imdb_snippets"])
        parts_x.append(snippets[0])
        parts_y.append(snippets[1])

    x_sent, y_sent = sst.load_binary("train", allow_download=False)
    parts_x += [x_sent] * recipe["sentence_repeats"]
    parts_y += [y_sent] * recipe["sentence_repeats"]
    x_phr, y_phr = sst.load_binary("train", phrases=True, min_words=recipe["phrase_min_words"],
                                   allow_download=False)
    keep = rng.permutation(len(x_phr))[:recipe["phrase_cap"]]
    parts_x.append(x_phr[keep])
    parts_y.append(y_phr[keep])

    negation_extra = 0
    if recipe.get("negation_repeats"):
        x_neg, y_neg = negation_phrases(x_phr, y_phr)
        negatives, positives = x_neg[y_neg == 0], x_neg[y_neg == 1]
        r_neg = recipe["negation_repeats"]
        r_pos = int(round(r_neg * len(negatives) / max(len(positives), 1)))
        for texts, label, r in ((negatives, 0, r_neg), (positives, 1, r_pos)):
            parts_x += [texts] * r
            parts_y += [np.full(len(texts), label, np.int32)] * r
            negation_extra += r * len(texts)

    x_dev, y_dev = sst.load_binary("dev", allow_download=False)
    x_dev_phr, y_dev_phr = negation_phrases(*sst.load_binary("dev", phrases=True, allow_download=False))
    x_train = np.concatenate(parts_x).astype(object)
    y_train = np.concatenate(parts_y).astype(np.int32)
    x_val = np.concatenate([x_dev, x_imdb_val]).astype(object)
    y_val = np.concatenate([y_dev, y_imdb_val]).astype(np.int32)
    sha = sources.sha256_of(sources.ensure(imdb.IMDB, allow_download=False))[:32] + \
        sources.sha256_of(sources.ensure(sst.SST, allow_download=False))[:32]
    data = Dataset("imdb+sst", x_train, y_train, x_val, y_val, x_val, y_val, sha, imdb.CLASS_NAMES)
    validation = {"sst_dev": (x_dev, y_dev), "imdb_heldout": (x_imdb_val, y_imdb_val),
                  "sst_dev_negation_phrases": (x_dev_phr, y_dev_phr)}
    counts = {"imdb_reviews": len(x_fit), "imdb_snippets": sum(len(p) for p in parts_x[1:2])
              if recipe["imdb_snippets"] else 0, "sst_sentences": len(x_sent),
              "sst_sentence_repeats": recipe["sentence_repeats"], "sst_phrases": len(keep),
              "sst_negation_phrase_extra": negation_extra,
              "train_total": len(x_train), "val_sst_dev": len(x_dev), "val_imdb": len(x_imdb_val)}
    return data, {"validation": validation, "counts": counts}


def negation_phrases(texts, labels):
    """The phrases of at most NEGATION_MAX_WORDS words that hold a negation ("isn't a new idea")."""
    keep = np.array([len(t.split()) <= NEGATION_MAX_WORDS and bool(NEGATION.search(t)) for t in texts], bool)
    return texts[keep], labels[keep]


def make_spec(cell: str, recipe_name: str, recipe: dict) -> registry.ModelSpec:
    """The shipped spec of ``cell`` with this recipe's vocabulary, length and epochs."""
    shipped = registry.get(CELLS[cell])
    args = {**shipped.builder_args, "vocab_size": recipe["vocab_size"], "sequence_length": recipe["sequence_length"]}
    note = (f" SST recipe {recipe_name}: IMDB train reviews + SST train sentences x{recipe['sentence_repeats']} + "
            f"{recipe['phrase_cap']:,} SST train phrases (>= {recipe['phrase_min_words']} words, neutral dropped, "
            f"detokenised); vocabulary {recipe['vocab_size']:,} from both; last {recipe['sequence_length']} words; "
            "validated on SST dev sentences + 2,500 held-out IMDB training reviews.")
    return dataclasses.replace(shipped, builder_args=args, epochs=recipe["epochs"],
                               recipe=shipped.recipe + note)


# -- Evaluate -----------------------------------------------------------------------------------


def accuracy(model, x, y) -> float:
    from models.training.loop import predict_batched

    return float(((predict_batched(model, np.asarray(x, dtype=object)).reshape(-1) > 0.5) == y).mean())


def predictor(model):
    from models.training.loop import predict_batched

    return lambda texts: predict_batched(model, np.asarray(list(texts), dtype=object)).reshape(-1)


def measure(model, validation: dict) -> dict:
    """Validation scores (for choosing), then the held-out test scores, each measured once."""
    scores = {f"val_{name}": accuracy(model, x, y) for name, (x, y) in validation.items()}
    x, y = sst.load_binary("test", allow_download=False)
    scores["test_sst2"] = accuracy(model, x, y)
    _, (x, y) = imdb.load(allow_download=False)
    start = time.perf_counter()
    scores["test_imdb"] = accuracy(model, x, y)
    scores["test_imdb_seconds"] = round(time.perf_counter() - start, 1)
    right, total, wrong = negation.score_pairs(predictor(model), negation.DEFAULT_PATH, return_wrong=True)
    scores["negation_pairs"] = [right, total]
    scores["negation_wrong_pairs"] = wrong
    return scores


# -- Train --------------------------------------------------------------------------------------


def run(recipe_name: str, cell: str, out: Path) -> dict:
    from models import store
    from models.training import loop as training

    recipe = RECIPES[recipe_name]
    data, info = build_dataset(recipe)
    print(f"[{recipe_name}/{cell}] training examples: {info['counts']}", flush=True)
    spec = make_spec(cell, recipe_name, recipe)
    result = training.train(spec, dataset=data, verbose=0,
                            callbacks=[training.PrintProgress(spec.epochs, lambda s: print(s, flush=True))])
    out.mkdir(parents=True, exist_ok=True)
    meta = result.metadata
    counts = info["counts"]
    # What the pages say it was trained on (models.about.trained_on): each part and its size.
    meta["training_data"] = {name: counts[key] for name, key in (
        ("IMDB training reviews", "imdb_reviews"), ("short IMDB snippets", "imdb_snippets"),
        ("SST sentences", "sst_sentences"), ("SST phrases", "sst_phrases")) if counts.get(key)}
    meta.update({"dataset": "imdb+sst", "sst_recipe": {"name": recipe_name, **recipe}, "sst_counts": info["counts"],
                 "test_note": "test_accuracy here is on the validation set (SST dev + held-out IMDB); see sst_scores",
                 "command": f"python -m models.sst_recipes {recipe_name} --cell {cell} --out {out}"})
    store.save_model(result.model, out / f"{spec.key}.keras")
    print(f"[{recipe_name}/{cell}] saved; measuring", flush=True)
    meta["sst_scores"] = measure(result.model, info["validation"])
    store.write_json(meta, out / f"{spec.key}.json")
    print(json.dumps({k: v for k, v in meta["sst_scores"].items() if k != "negation_wrong_pairs"}), flush=True)
    return meta


def table(root: Path) -> str:
    """A markdown table of every run under ``root`` (one ``*.json`` per trained model)."""
    lines = ["| recipe | model | val SST dev | val IMDB held-out | val SST dev negation phrases | SST-2 test | "
             "IMDB test | negation pairs | s/epoch | epochs (best) | train examples |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for path in sorted(root.glob("*/*.json")):
        meta = json.loads(path.read_text())
        s = meta.get("sst_scores")
        if not s:
            continue
        right, total = s["negation_pairs"]
        secs = meta["seconds_per_epoch"]
        lines.append(
            f"| {meta['sst_recipe']['name']} | {meta['model']} | {s['val_sst_dev']:.2%} | {s['val_imdb_heldout']:.2%} "
            f"| {s.get('val_sst_dev_negation_phrases', float('nan')):.2%} | {s['test_sst2']:.2%} "
            f"| {s['test_imdb']:.2%} | {right}/{total} ({right / total:.0%}) "
            f"| {sum(secs) / len(secs):.0f} | {meta['epochs']} ({meta.get('best_epoch')}) | {meta['train_size']:,} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.sst_recipes", description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe", choices=[*RECIPES, "table"])
    parser.add_argument("--cell", choices=list(CELLS), default="lstm")
    parser.add_argument("--out", type=Path, required=True, help="folder for the model (table: the root of all runs)")
    args = parser.parse_args(argv)
    if args.recipe == "table":
        text = table(args.out)
        (args.out / "RESULTS.md").write_text(text)
        sys.stdout.write(text)
        return 0
    run(args.recipe, args.cell, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
