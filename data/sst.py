"""Stanford Sentiment Treebank (SST): 11,855 movie-review sentences and every phrase inside
them, each with its own 0-4 sentiment label, in the official train / dev / test split.

Read from ``<data dir>/sst/sst.csv.gz`` (columns ``text``, ``label5``, ``label``, ``split``,
``kind``: one row per distinct node text of the PTB trees, ``label`` 1 for label5 >= 3, 0 for
<= 1, empty for neutral 2; ``kind`` is ``sentence`` for a tree's root, else ``phrase``). When it
is missing, the official ``trainDevTestTrees_PTB.zip`` is downloaded and converted once into
the same CSV in the user cache.

The treebank's text is PTB-tokenised ("was n't", "it 's", ``` `` ```/``''``, "-LRB-"); people
type "wasn't", "it's", '"' and "(". :func:`detokenize` turns the first into the second, so the
review models meet SST text in the form they will meet in class.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from pathlib import Path

import numpy as np

from data import catalog, sources
from data.dataset import Dataset

OFFICIAL_URL = catalog.SST_URL
SPLITS = ("train", "dev", "test")
CLASS_NAMES = ["negative", "positive"]


# -- Converter: official PTB trees -> the CSV ------------------------------------------------

_TREE_TOKEN = re.compile(r"\(|\)|[^ ()]+")  # ASCII spaces only: 3 leaves hold a no-break space
_BRACKETS = {"-LRB-": "(", "-RRB-": ")"}


def tree_nodes(line: str) -> list[tuple[str, int, bool]]:
    """``(text, label5, is_root)`` of every node of one tree, in pre-order (root first)."""
    nodes, stack, words = [], [], []
    tokens = _TREE_TOKEN.findall(line.rstrip("\n"))
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "(":
            stack.append((len(nodes), int(tokens[i + 1]), len(words)))
            nodes.append(None)
            i += 1  # the label
        elif token == ")":
            index, label, start = stack.pop()
            nodes[index] = (" ".join(_BRACKETS.get(w, w) for w in words[start:]), label, index == 0)
        else:
            words.append(token)
        i += 1
    return nodes


def csv_from_trees(tree_texts: dict[str, str]) -> bytes:
    """The gzipped CSV from the three tree files' contents (``{"train": ..., ...}``): one row
    per distinct text within a split, at its first occurrence; ``sentence`` if it is a root."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("text", "label5", "label", "split", "kind"))
    for split in SPLITS:
        rows: dict[str, list] = {}
        for line in tree_texts[split].splitlines():
            for text, label, is_root in tree_nodes(line):
                row = rows.setdefault(text, [label, "phrase"])
                if row[0] != label:
                    raise ValueError(f"{split}: two labels for {text!r}")
                if is_root:
                    row[1] = "sentence"
        for text, (label, kind) in rows.items():
            writer.writerow((text, label, "" if label == 2 else int(label >= 3), split, kind))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
        f.write(out.getvalue().encode("utf-8"))
    return buf.getvalue()


def build_csv(tmp: Path, target: Path, progress) -> None:
    archive = sources.download(OFFICIAL_URL, tmp / "trainDevTestTrees_PTB.zip", progress)
    with zipfile.ZipFile(archive) as z:
        trees = {split: z.read(f"trees/{split}.txt").decode("utf-8") for split in SPLITS}
    part = tmp / "sst.csv.gz"
    part.write_bytes(csv_from_trees(trees))
    target.parent.mkdir(parents=True, exist_ok=True)
    part.replace(target)


SST = catalog.SST_FILE  # sst/sst.csv.gz, built by build_csv


# -- PTB tokens -> typed text ----------------------------------------------------------------

_SYMBOLS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
            "``": '"', "''": '"', "`": "'"}
_CLITICS = {"'s", "'re", "'ve", "'ll", "'d", "'m", "n't"}
_CLOSING = {"%", ")", "]", "}", "-RRB-", "-RSB-", "-RCB-", "''", "'"}  # no space before
_OPENING = {"(", "[", "{", "-LRB-", "-LSB-", "-LCB-", "``", "`", "$", "#"}  # no space after
_PUNCTUATION = re.compile(r"[.,!?;:]+")  # ". , ! ? ... ?!?": no space before
_GLUED = {("gon", "na"): "gonna", ("wan", "na"): "wanna", ("got", "ta"): "gotta"}


def detokenize(text: str) -> str:
    """PTB-tokenised text as a person would type it.

    "It is n't good ." -> "It isn't good."; "ca n't" -> "can't"; "wo n't" -> "won't";
    "it 's", "we 're", "I 've", "you 'll", "he 'd", "I 'm" are joined; ``` `` X '' ``` -> '"X"';
    "-LRB- a -RRB-" -> "(a)"; "\\/" -> "/"; no space before punctuation or after an opening
    bracket or quote.
    """
    words = text.replace("\\/", "/").replace("\\*", "*").split(" ")
    out: list[str] = []
    glue_next = False  # the previous token opens: the next one follows without a space
    for word in words:
        if not word:
            continue
        lower = word.lower()
        if not out and word in ("''", "'"):
            continue  # a phrase cut after an opening quote starts with its closing one: drop it
        if out and (out[-1].lower(), lower) in _GLUED:
            out[-1] = out[-1] + word
            continue
        shown = _SYMBOLS.get(word, word)
        attach = bool(out) and (glue_next or lower in _CLITICS or word in _CLOSING or _PUNCTUATION.fullmatch(word))
        if attach:
            out[-1] += shown
        else:
            out.append(shown)
        glue_next = word in _OPENING
    return " ".join(out)


# -- Loading -----------------------------------------------------------------------------------


def load_rows(progress=None, allow_download: bool = True) -> list[tuple[str, int, str, str, str]]:
    """Every row as ``(text, label5, label, split, kind)``, text as in the file (tokenised);
    ``label`` is "0", "1" or "" (neutral). Read with ``csv`` so the text "None" stays text."""
    path = sources.ensure(SST, progress, allow_download)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return [(text, int(label5), label, split, kind) for text, label5, label, split, kind in reader]


def load_binary(split: str, phrases: bool = False, min_words: int = 1, progress=None,
                allow_download: bool = True):
    """``(texts, labels)`` of one split with neutral rows dropped: detokenised texts (object
    array of str) and int32 labels, 1 positive, 0 negative.

    ``phrases=False``: the split's sentences (1,821 in test, 872 in dev, 6,911 distinct in train:
    the standard SST-2 sentences); ``phrases=True``: the phrases inside them (the sentences not
    included), those of at least ``min_words`` words as typed ("zero ." is one word). Rows
    without a letter or digit ("(" is labelled) are always left out: a model reads nothing in them.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
    kind = "phrase" if phrases else "sentence"
    chosen = [(typed, int(label)) for text, _, label, s, k in load_rows(progress, allow_download)
              if s == split and k == kind and label and _words(typed := detokenize(text)) >= max(min_words, 1)]
    texts = np.asarray([t for t, _ in chosen], dtype=object)
    return texts, np.asarray([y for _, y in chosen], dtype=np.int32)


def load_test(allow_download: bool = False):
    """The SST-2 test sentences (1,821, neutral dropped), as the pages and Compare read them."""
    return load_binary("test", allow_download=allow_download)


def dataset(progress=None, train_limit: int | None = None) -> Dataset:
    """The SST-2 sentences as a :class:`Dataset`: train (6,911 sentences), the official dev
    sentences as validation (872), test (1,821). ``train_limit`` keeps the first N training
    sentences (and a fifth as many, at least 100, for validation)."""
    x_train, y_train = load_binary("train", progress=progress)
    x_val, y_val = load_binary("dev")
    x_test, y_test = load_binary("test")
    if train_limit:
        n_val = max(train_limit // 5, 100)
        x_train, y_train, x_val, y_val = x_train[:train_limit], y_train[:train_limit], x_val[:n_val], y_val[:n_val]
    digest = sources.sha256_of(sources.ensure(SST, allow_download=False))
    return Dataset(catalog.SST, x_train, y_train, x_val, y_val, x_test, y_test, digest, list(CLASS_NAMES))


def _words(text: str) -> int:
    """Words as typed: pieces between spaces that hold a letter or a digit."""
    return sum(1 for piece in text.split() if _WORD.search(piece))


_WORD = re.compile(r"[^\W_]")


def is_available() -> bool:
    return sources.find(SST.name) is not None
