"""The command line, run as a user runs it: ``python -m models ...`` in a subprocess."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT


def cli(*args, check=False):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, "-m", "models", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_list_shows_every_model_and_its_accuracy():
    out = cli("list", "--json", check=True).stdout
    rows = {r["model"]: r for r in json.loads(out)}
    assert {"mnist_cnn", "mnist_lstm", "mnist_rnn", "mnist_gru"} <= set(rows)
    assert rows["mnist_cnn"]["pretrained"] == "yes" and rows["mnist_cnn"]["test_accuracy"].endswith("%")
    text = cli("list", check=True).stdout
    assert "mnist_gru" in text and "test accuracy" in text


def test_evaluate_json(mnist_path):
    out = json.loads(cli("evaluate", "mnist_cnn", "--json", "--data-dir", str(mnist_path.parent), check=True).stdout)
    assert set(out) == {"model", "dataset", "n", "accuracy", "confusion_matrix"}
    assert out["n"] == 10_000 and out["accuracy"] > 0.99
    assert np.array(out["confusion_matrix"]).sum() == 10_000


def test_predict_real_digits_in_both_polarities(tmp_path, mnist_test):
    x_test, y_test = mnist_test
    files, labels = [], []
    for i in range(20):
        big = Image.fromarray(x_test[i]).resize((200, 200), Image.Resampling.BICUBIC)
        if i % 2:  # dark ink on white paper, saved as RGB JPEG
            big = Image.fromarray(255 - np.asarray(big)).convert("RGB")
            path = tmp_path / f"digit{i}.jpg"
        else:
            path = tmp_path / f"digit{i}.png"
        big.save(path)
        files.append(str(path))
        labels.append(int(y_test[i]))
    out = json.loads(cli("predict", "mnist_cnn", *files, "--json", check=True).stdout)
    assert [r["file"] for r in out] == files
    assert all(len(r["probabilities"]) == 10 and abs(sum(r["probabilities"]) - 1) < 1e-3 for r in out)
    correct = sum(r["label"] == y for r, y in zip(out, labels))
    assert correct >= 19


def test_bad_files_get_a_message_and_a_nonzero_exit(tmp_path):
    good = tmp_path / "one.png"
    img = np.zeros((100, 100), np.uint8)
    img[15:85, 45:55] = 255
    Image.fromarray(img).save(good)
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG not really")
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    proc = cli("predict", "mnist_cnn", str(good), str(garbage), str(blank), str(tmp_path / "missing.png"), "--json")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "garbage.png" in proc.stderr and "blank.png" in proc.stderr and "missing.png" in proc.stderr
    results = json.loads(proc.stdout)
    assert [r["label"] for r in results] == [1]  # the good file is still classified


def test_unknown_model_and_offline_data_are_clear(tmp_path):
    proc = cli("evaluate", "mnist_nope")
    assert proc.returncode != 0 and "unknown model" in proc.stderr and "Traceback" not in proc.stderr
    env_dir = tmp_path / "empty"
    env_dir.mkdir()
    proc = subprocess.run([sys.executable, "-m", "models", "evaluate", "mnist_cnn", "--data-dir", str(env_dir)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
                               # no network here, and none wanted: point the download at nowhere
                               "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"})
    assert proc.returncode == 3
    assert "EXPLORER_DATA_DIR" in proc.stderr and "mnist.npz" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_predict_text_and_text_file(tmp_path):
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("A wonderful, moving film with a brilliant cast.\n\nDull, stupid and far too long.\n")
    out = json.loads(cli("predict", "imdb_lstm", "--text-file", str(reviews), "--text", "I loved it, great fun.",
                         "--json", check=True).stdout)
    assert [r["text"] for r in out] == ["I loved it, great fun.", "A wonderful, moving film with a brilliant cast.",
                                        "Dull, stupid and far too long."]
    assert [r["label"] for r in out] == ["positive", "positive", "negative"]
    assert all(0 <= r["probability"] <= 1 for r in out)
    assert out[2]["probability"] < 0.5 < out[1]["probability"]


def test_predict_text_bad_input():
    proc = cli("predict", "imdb_lstm", "--text", "!!! 🍿🍿", "--text", "good", "--json")
    assert proc.returncode == 1 and "no words to read" in proc.stderr and "Traceback" not in proc.stderr
    assert [r["text"] for r in json.loads(proc.stdout)] == ["good"]
    proc = cli("predict", "imdb_lstm")
    assert proc.returncode == 2 and "--text" in proc.stderr
    proc = cli("predict", "mnist_cnn", "--text", "seven")
    assert proc.returncode == 2 and "images" in proc.stderr


def test_evaluate_imdb_json(imdb_path):
    out = json.loads(cli("evaluate", "imdb_gru", "--json", check=True).stdout)
    assert out["n"] == 25_000 and out["accuracy"] > 0.85
    assert np.array(out["confusion_matrix"]).sum() == 25_000


def test_evaluate_on_another_test_set_is_checked_before_loading():
    proc = cli("evaluate", "mnist_cnn", "--on", "sst")
    assert proc.returncode == 2 and "measured on no other test set" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("evaluate", "imdb_lstm", "--on", "mnist")
    assert proc.returncode == 2 and "measured on sst" in proc.stderr
    proc = cli("evaluate", "mnist_cnn", "--negation")
    assert proc.returncode == 2 and "does not read reviews" in proc.stderr


def test_evaluate_on_sst_with_negation_pairs(imdb_path):
    from tests.conftest import require

    sst = require("sst/sst.csv.gz")
    out = json.loads(cli("evaluate", "imdb_rnn", "--on", "sst", "--negation", "--json", "--data-dir",
                         str(sst.parent.parent), check=True).stdout)
    saved = json.loads((ROOT / "pretrained" / "imdb_rnn.on_sst.json").read_text())
    assert out["dataset"] == "sst" and out["n"] == 1821 == np.array(out["confusion_matrix"]).sum()
    assert out["accuracy"] == pytest.approx(saved["test_accuracy"], abs=1e-9)
    assert out["negation_pairs"] == saved["negation_pairs"] and out["negation_pairs"][1] >= 40
