"""The SST recipe search: specs keep the shipped architecture, the data mix is what the recipe
says, and the results table reads what a run writes (no training here)."""

from __future__ import annotations

import json

import pytest

from models import registry, sst_recipes
from tests.conftest import require


@pytest.mark.parametrize("cell", list(sst_recipes.CELLS))
def test_spec_keeps_the_shipped_architecture(cell):
    shipped = registry.get(sst_recipes.CELLS[cell])
    spec = sst_recipes.make_spec(cell, "A", sst_recipes.RECIPES["A"])
    assert spec.key == shipped.key and spec.builder == shipped.builder
    assert spec.key in registry.MODELS and registry.MODELS[spec.key] is shipped  # nothing registered
    for name, value in shipped.builder_args.items():
        assert spec.builder_args[name] == value
    assert spec.builder_args["vocab_size"] == 20_000 and "SST recipe A" in spec.recipe


def test_dataset_mix(imdb_path):
    require("sst/sst.csv.gz")
    recipe = sst_recipes.RECIPES["A"]
    data, info = sst_recipes.build_dataset(recipe)
    counts = info["counts"]
    assert counts["imdb_reviews"] == 20_000 and counts["sst_phrases"] == recipe["phrase_cap"]
    assert len(data.x_train) == 20_000 + 2 * 6911 + recipe["phrase_cap"] == counts["train_total"]
    assert len(data.x_val) == 872 + sst_recipes.IMDB_VALIDATION
    assert len(info["validation"]["sst_dev_negation_phrases"][0]) == 443
    assert set(data.x_val[:872]).isdisjoint(data.x_train)  # SST dev sentences never trained on


def test_table(tmp_path):
    run = tmp_path / "A"
    run.mkdir()
    meta = {"model": "imdb_lstm", "sst_recipe": {"name": "A"}, "seconds_per_epoch": [10.0, 20.0], "epochs": 2,
            "best_epoch": 2, "train_size": 53822,
            "sst_scores": {"val_sst_dev": 0.81, "val_imdb_heldout": 0.88, "val_sst_dev_negation_phrases": 0.7,
                           "test_sst2": 0.8, "test_imdb": 0.875,
                           "negation_pairs": [40, 52]}}
    (run / "imdb_lstm.json").write_text(json.dumps(meta))
    table = sst_recipes.table(tmp_path)
    assert "| A | imdb_lstm | 81.00% | 88.00% | 70.00% | 80.00% | 87.50% | 40/52 (77%) | 15 | 2 (2) | 53,822 |" in table
