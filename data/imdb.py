"""IMDB movie reviews: 50,000 labelled reviews as raw text, 25,000 for training, 25,000 for test.

Read from ``<data dir>/imdb_reviews.csv.gz`` (columns ``review``, ``sentiment``, ``label``,
``split``, ``rating``, ``source_file``). When it is missing, the official
``aclImdb_v1.tar.gz`` (84 MB) is downloaded from the dataset's home page with a progress bar
and converted once into the same CSV in the user cache.
"""

from __future__ import annotations

import csv
import gzip
import re
import tarfile
from pathlib import Path

import numpy as np

from data import catalog, sources
from data.dataset import Dataset, split_validation

OFFICIAL_URL = catalog.IMDB_URL
CLASS_NAMES = list(catalog.get(catalog.IMDB).class_names)
_NAME = re.compile(r"aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


def build_csv(tmp: Path, target: Path, progress) -> None:
    """Download the official tarball and write the CSV the explorer reads."""
    archive = sources.download(OFFICIAL_URL, tmp / "aclImdb_v1.tar.gz", progress)
    rows = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            match = _NAME.search(member.name)
            if not match or not member.isfile():
                continue
            split, polarity, review_id, rating = match.groups()
            text = tar.extractfile(member).read().decode("utf-8")
            rows.append((split, polarity, int(review_id), text, int(rating), match.group(0)))
    order = {("train", "pos"): 0, ("train", "neg"): 1, ("test", "pos"): 2, ("test", "neg"): 3}
    rows.sort(key=lambda r: (order[(r[0], r[1])], r[2]))
    part = tmp / "imdb_reviews.csv.gz"
    with gzip.open(part, "wt", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["review", "sentiment", "label", "split", "rating", "source_file"])
        for split, polarity, _, text, rating, name in rows:
            writer.writerow([text, "positive" if polarity == "pos" else "negative",
                             int(polarity == "pos"), split, rating, name])
    part.replace(target)


IMDB = catalog.IMDB_FILE


def load_frame(progress=None, allow_download: bool = True):
    """All 50,000 reviews as a pandas DataFrame."""
    import pandas as pd

    return pd.read_csv(sources.ensure(IMDB, progress, allow_download))


def load(progress=None, allow_download: bool = True):
    """``(train_texts, train_labels), (test_texts, test_labels)``: object arrays of str, int32 labels."""
    frame = load_frame(progress, allow_download)
    train, test = frame[frame.split == "train"], frame[frame.split == "test"]
    return ((train.review.to_numpy(object), train.label.to_numpy(np.int32)),
            (test.review.to_numpy(object), test.label.to_numpy(np.int32)))


def dataset(progress=None, train_limit: int | None = None) -> Dataset:
    """Raw review texts. The training reviews come grouped (all positive, then all negative), so
    they are shuffled with a fixed seed before the last 5,000 become validation; snippets of
    half the remaining reviews are added to training (see :func:`review_snippets`)."""
    (x_train, y_train), (x_test, y_test) = load(progress)
    order = np.random.default_rng(0).permutation(len(x_train))
    x_fit, y_fit, x_val, y_val = split_validation(x_train[order], y_train[order], train_limit)
    snippets, snippet_labels = review_snippets(x_fit, y_fit)
    x_fit = np.concatenate([x_fit, snippets])
    y_fit = np.concatenate([y_fit, snippet_labels])
    sha = sources.sha256_of(sources.ensure(IMDB, allow_download=False))
    return Dataset(catalog.IMDB, x_fit, y_fit, x_val, y_val, x_test, y_test, sha, CLASS_NAMES)


def load_test(progress=None, allow_download: bool = True):
    """Only the test reviews and labels (the Review and Compare pages need no more)."""
    return load(progress, allow_download)[1]


MAX_CHARACTERS = 20_000  # longer input is cut before it reaches TensorFlow (200 words need far less)


def review_text(text: str) -> str:
    """At most the last MAX_CHARACTERS (the models read a review's last words, where the verdict
    usually is), starting at a whole word; valid UTF-8: a command-line argument with bytes that
    are not UTF-8 arrives as lone surrogates, which TensorFlow refuses; they become "?"."""
    if not isinstance(text, str):
        raise TypeError(f"a review must be text (str), not {type(text).__name__}")
    if len(text) > MAX_CHARACTERS:
        text = text[-MAX_CHARACTERS:]
        first_space = text.find(" ")
        if 0 <= first_space < 100:  # drop the word the cut went through
            text = text[first_space + 1:]
    return text.encode("utf-8", "replace").decode("utf-8")


def is_available() -> bool:
    return sources.find(IMDB.name) is not None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def review_snippets(texts, labels, fraction: float = 0.5, seed: int = 0, max_sentences: int = 3):
    """Short pieces (1-3 consecutive sentences) of some reviews, labelled like their review.

    People type short reviews in class; a model that only ever saw 230-word reviews reads a
    one-line review poorly. Training on snippets too teaches it to judge short text. The
    labels are a little noisy (a bad film can have one good scene), which the full reviews
    outweigh.
    """
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(texts), size=int(len(texts) * fraction), replace=False)
    out_texts, out_labels = [], []
    for i in chosen:
        sentences = [s for s in _SENTENCE_END.split(_BREAK.sub(" ", texts[i])) if s.strip()]
        if len(sentences) < 2:
            continue
        count = int(rng.integers(1, max_sentences + 1))
        start = int(rng.integers(0, max(1, len(sentences) - count + 1)))
        snippet = " ".join(sentences[start:start + count])
        if len(snippet.split()) >= 4:
            out_texts.append(snippet)
            out_labels.append(labels[i])
    return np.asarray(out_texts, dtype=object), np.asarray(out_labels, dtype=np.int32)
