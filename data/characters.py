"""Characters for the writing LSTM: how review text becomes a stream of character ids and back.

The language model reads and writes lower-case text. Every review is cleaned the same way
(``<br />`` tags become spaces, curly quotes and dashes become plain ones, accents are dropped)
and then spelled with a fixed alphabet of 63 characters; anything else becomes the "unknown"
character, id 0. Reviews are joined with a newline, so the newline means "a new review
starts here": the model learns to begin a review after it, and generation starts from it.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

# Id 0 is the unknown character; ids 1.. are these, in this order (never reorder: saved
# models' embeddings and output layers are indexed by it).
ALPHABET = "\n !\"#$%&'()*+,-./0123456789:;<=>?@[]_abcdefghijklmnopqrstuvwxyz"
UNKNOWN = "\N{REPLACEMENT CHARACTER}"
VOCABULARY = UNKNOWN + ALPHABET
VOCAB_SIZE = len(VOCABULARY)
REVIEW_START = "\n"
SENTIMENTS = ("negative", "positive")  # the conditioning ids 0 and 1, as the review labels

_ID = {ch: i for i, ch in enumerate(VOCABULARY)}
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_SAME_AS = str.maketrans({
    "\x96": "-", "\x97": "-", "\u2013": "-", "\u2014": "-",
    "`": "'", "\u00b4": "'", "\u2019": "'", "\u2018": "'", "\x91": "'", "\x92": "'",
    "\u201c": '"', "\u201d": '"', "\x93": '"', "\x94": '"', "\u00ab": '"', "\u00bb": '"',
    "\x85": "...", "\u2026": "...", "{": "(", "}": ")", "\\": "/", "|": "/", "~": "-",
})


def clean(text: str) -> str:
    """One review as the model sees it: lower case, tags and exotic punctuation normalised,
    accents dropped, runs of spaces collapsed; newlines inside a review become spaces (a
    newline is the review separator)."""
    text = _BREAK.sub(" ", str(text)).translate(_SAME_AS).replace("\n", " ")
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip()


def encode(text: str) -> np.ndarray:
    """Character ids (int32) of already-cleaned text; characters outside the alphabet -> 0."""
    return np.fromiter((_ID.get(ch, 0) for ch in text), dtype=np.int32, count=len(text))


def decode(ids) -> str:
    return "".join(VOCABULARY[int(i)] if 0 <= int(i) < VOCAB_SIZE else UNKNOWN for i in ids)


def unknown_characters(text: str) -> list[str]:
    """The distinct characters of ``clean(text)`` the model cannot spell (shown to the user)."""
    return sorted({ch for ch in clean(text) if ch not in _ID})


def corpus(reviews, labels) -> tuple[np.ndarray, np.ndarray]:
    """All reviews as one stream of character ids, each preceded by the newline that starts a
    review, and the sentiment id (0 negative, 1 positive) of every character's review."""
    chars, sentiment = [], []
    for review, label in zip(reviews, labels):
        ids = encode(REVIEW_START + clean(review))
        chars.append(ids)
        sentiment.append(np.full(len(ids), int(label), dtype=np.int8))
    if not chars:
        return np.zeros(0, np.int8), np.zeros(0, np.int8)
    return np.concatenate(chars).astype(np.int8), np.concatenate(sentiment)


VALIDATION_REVIEWS = 1000  # the last training reviews (shuffled with a fixed seed) are held out
TEST_REVIEWS = 1000  # bits per character are measured on this many test reviews (seeded choice)


def dataset(progress=None, train_limit: int | None = None):
    """The language model's data: the training reviews as one character stream (x) with the
    sentiment of each character (y); the validation stream likewise; and, as the test set,
    TEST_REVIEWS raw IMDB test reviews (x) with their labels (y). ``train_limit`` keeps only
    that many training reviews."""
    from data import catalog, imdb, sources
    from data.dataset import Dataset

    (x_train, y_train), (x_test, y_test) = imdb.load(progress)
    order = np.random.default_rng(0).permutation(len(x_train))
    x_train, y_train = x_train[order], y_train[order]
    fit_x, fit_y = x_train[:-VALIDATION_REVIEWS], y_train[:-VALIDATION_REVIEWS]
    if train_limit:
        fit_x, fit_y = fit_x[:train_limit], fit_y[:train_limit]
    chars, sentiment = corpus(fit_x, fit_y)
    val_chars, val_sentiment = corpus(x_train[-VALIDATION_REVIEWS:], y_train[-VALIDATION_REVIEWS:])
    pick = np.random.default_rng(1).choice(len(x_test), min(TEST_REVIEWS, len(x_test)), replace=False)
    sha = sources.sha256_of(sources.ensure(catalog.IMDB_FILE, allow_download=False))
    return Dataset(catalog.IMDB_CHARACTERS, chars, sentiment, val_chars, val_sentiment,
                   np.asarray(x_test)[pick], np.asarray(y_test)[pick].astype("int32"), sha, None)
