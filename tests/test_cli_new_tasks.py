"""The CLI on the photo, pen and writing models: predict a photo file, a stroke file, generate."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from data import catalog, strokes
from models.__main__ import main as cli


def test_predict_photo_prints_class_names(tmp_path, capsys):
    rng = np.random.default_rng(0)
    good = tmp_path / "photo.jpg"
    Image.fromarray(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)).save(good, quality=80)
    bad = tmp_path / "not_a_photo.jpg"
    bad.write_bytes(b"hello")
    code = cli(["predict", "cifar_cnn", str(good), str(bad), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # one file failed, said on stderr
    assert [r["file"] for r in out] == [str(good)]
    names = list(catalog.get(catalog.CIFAR10).class_names)
    assert out[0]["label"] in names and list(out[0]["probabilities"]) == names
    assert sum(out[0]["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)


def test_predict_strokes_reads_a_stroke_file(tmp_path, capsys):
    recorded = json.loads((Path(__file__).parent / "data" / "canvas_stroke_four.json").read_text())
    four = [stroke.tolist() for stroke in strokes.strokes_from_canvas_json(recorded)]
    path = tmp_path / "four.json"
    path.write_text(json.dumps({"strokes": four}))
    assert cli(["predict", "pen_lstm", "--strokes", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["file"] == str(path) and out[0]["label"] == 4 and len(out[0]["probabilities"]) == 10
    (tmp_path / "broken.json").write_text('{"strokes": "nope"}')
    assert cli(["predict", "pen_lstm", "--strokes", str(tmp_path / "broken.json")]) == 1
    assert cli(["predict", "mnist_cnn", "--strokes", str(path)]) == 2  # an image model refuses strokes


def test_generate_is_seeded_and_conditioned(capsys):
    def generate(*extra):
        assert cli(["generate", "char_lstm", "--prompt", "The acting", "--length", "40", "--json", *extra]) == 0
        return json.loads(capsys.readouterr().out)

    first = generate("--seed", "3")
    assert first["prompt"] == "the acting" and len(first["text"]) == 40
    assert generate("--seed", "3")["text"] == first["text"]
    assert generate("--seed", "3", "--sentiment", "negative")["text"] != first["text"]


def test_generate_refuses_a_classifier_and_bad_values(capsys):
    assert cli(["generate", "mnist_cnn"]) == 2
    with pytest.raises(SystemExit):
        cli(["generate", "char_lstm", "--temperature", "0"])
    with pytest.raises(SystemExit):
        cli(["generate", "char_lstm", "--length", "0"])


def test_evaluate_photo_model_on_the_test_set(capsys):
    from tests.conftest import require

    require("cifar10.npz")
    assert cli(["evaluate", "cifar_cnn_lab", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 10_000 and out["accuracy"] >= 0.70

