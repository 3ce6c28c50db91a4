"""Text in, sentiment out: how an IMDB model reads a review, word by word.

The word-by-word trajectory (the probability of "positive" after each word, one compiled pass
per model) comes from the one step-by-step recurrent probe (``models.probes.recurrent``); the
text pipeline itself is inside each model (``models.layers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from data.imdb import MAX_CHARACTERS, review_text  # noqa: F401  (the CLI and the pages cut input with it)
from models.layers import OOV, PAD, SEQUENCE_LENGTH, VOCAB_SIZE, standardize_review  # noqa: F401
from models.probes import recurrent
from models.probes.compiled import CompiledCall


def as_model_input(texts) -> tf.Tensor:
    """A (batch, 1) string tensor, the shape the IMDB models take."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    return tf.constant(np.asarray([[review_text(t)] for t in texts], dtype=object))


def clean_words(text: str) -> list[str]:
    """The words the model reads, in order (before the vocabulary and the length cut)."""
    standardized = standardize_review(tf.constant([review_text(text)]))[0].numpy().decode("utf-8")
    return standardized.split()


@dataclass
class Tokens:
    """What the model actually sees for one review."""

    words: list[str]  # every word after standardisation
    ids: np.ndarray  # ids of the words read: the last SEQUENCE_LENGTH words at most
    vocabulary: list[str]

    @property
    def read(self) -> int:
        return len(self.ids)

    @property
    def truncated(self) -> bool:
        return len(self.words) > len(self.ids)

    @property
    def read_words(self) -> list[str]:
        """The words read, as typed (the end of the review when it is too long)."""
        return self.words[len(self.words) - self.read:]

    @property
    def unknown(self) -> list[str]:
        return [w for w, i in zip(self.read_words, self.ids) if i == OOV]

    def seen(self) -> list[str]:
        """The read words as the model knows them: unknown ones become [UNK]."""
        return [self.vocabulary[i] for i in self.ids]


class SentimentReader:
    """Reads reviews with one IMDB model: the final probability of "positive" and the
    probability after every word, in one compiled pass.

    For a one-directional recurrent model the head is applied to the hidden state after
    each word (what the model would say if the review stopped there: the step-by-step probe of
    ``models.probes.recurrent``). A bidirectional model's state at word t has already seen the
    end of the review, so it is given every prefix of the review instead, as one batch.
    """

    def __init__(self, model):
        self.model = model
        self.vectorizer = next(layer for layer in model.layers if isinstance(layer, keras.layers.TextVectorization))
        self.vocabulary = self.vectorizer.get_vocabulary()
        embedding = next(layer for layer in model.layers if isinstance(layer, keras.layers.Embedding))
        ids_in = recurrent.layer_input(embedding)
        self.sequence_length = int(ids_in.shape[-1])
        words_to_ids = keras.Model(model.input, ids_in)
        # String ops: a graph, not XLA (an eager Keras call cost ~3 ms of Python a review, per model).
        self.words_to_ids = CompiledCall(lambda texts: words_to_ids(texts, training=False), (1,), jit=False,
                                         dtype=tf.string)
        self.token_model = keras.Model(ids_in, model.output)  # everything from the embedding on
        layers = [layer for layer in model.layers
                  if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
        self.bidirectional = any(isinstance(layer, keras.layers.Bidirectional) for layer in layers)
        token_model = self.token_model
        self._final = CompiledCall(lambda ids: token_model(ids, training=False), (None,), jit=True,
                                   dtype=tf.int64)
        self._steps = self._prefixes = None
        self.steps_model = self.prefix_model = None  # what the compiled calls run (also for benchmarks)
        if not self.bidirectional and len(layers) == 1:
            answers = recurrent.answer_every_step(model, layers[0], ids=ids_in, pad=PAD)
            if answers is not None:
                self._steps = recurrent.StepProbe(model, answers[..., 0], inputs=ids_in, jit=True)
                self.steps_model = self._steps.sub
        # Short texts (prefixes of a review, single sentences) need not be padded to the full
        # SEQUENCE_LENGTH: the same layers (a chain from the embedding on) are given ids of any length.
        ids_any = keras.Input(shape=(None,), dtype="int64", name="word_ids")
        x = ids_any
        for layer in model.layers[model.layers.index(embedding):]:
            x = layer(x)
        any_length = self.any_length_model = keras.Model(ids_any, x)
        # Not under XLA: XLA compiles once per shape (seconds for a BiLSTM), and short texts have a
        # new shape for every length; the plain graph takes any shape and was as fast as XLA on
        # padded shapes (171 ms vs 169-252 ms for a BiLSTM's prefixes of 203 words).
        self._any_length = CompiledCall(lambda ids: any_length(ids, training=False), (None,), jit=False,
                                        dtype=tf.int64)
        if self._steps is None:
            self.prefix_model = any_length
            self._prefixes = self._any_length

    def tokens(self, text: str) -> Tokens:
        ids = np.asarray(self.words_to_ids(as_model_input(text)))[0]
        return Tokens(clean_words(text), ids[ids != PAD], self.vocabulary)

    def probability(self, texts) -> np.ndarray:
        ids = self.words_to_ids(as_model_input(texts))
        return np.asarray(self._final(ids))[:, 0]

    def short_probability(self, texts) -> np.ndarray:
        """The same answers as :meth:`probability` for a batch of short texts (sentences), without
        reading the padding: the ids are cut after the longest text's last word (padding follows
        the words and is masked, so the answers are unchanged)."""
        ids = np.asarray(self.words_to_ids(as_model_input(texts)))
        longest = max(1, int((ids != PAD).sum(axis=1).max()))
        return np.asarray(self._any_length(ids[:, :longest]))[:, 0]

    def trajectory(self, ids: np.ndarray) -> np.ndarray:
        """P(positive) after each of the ``len(ids)`` words; the last one is the final answer.

        One-directional models: the review is padded to the sequence length, so the XLA-compiled
        call is compiled once. Bidirectional models: the n prefixes of the n words, one batch.
        """
        n = min(len(ids), self.sequence_length)
        if n == 0:
            return np.zeros(0, np.float32)
        padded = np.zeros(self.sequence_length, np.int64)
        padded[:n] = ids[:n]
        if self._steps is not None:
            return self._steps(padded[None])[0][0, :n]
        prefixes = np.tril(np.ones((n, n), np.int64)) * padded[None, :n]
        return np.asarray(self._prefixes(prefixes))[:, 0]

    def warm_up(self):
        self.trajectory(np.array([2, 3], np.int64))
        self.probability(["warm up"])
        self.short_probability(["warm up", "the sentence by sentence view"])
        return self


@dataclass
class ReviewReading:
    """One model's reading of one review."""

    tokens: Tokens
    trajectory: np.ndarray  # P(positive) after each word read

    @property
    def probability(self) -> float:
        """The model's final answer: its probability after the last word read."""
        return float(self.trajectory[-1]) if len(self.trajectory) else 0.5


def read_review(readers: dict, review: str) -> dict[str, ReviewReading]:
    """Every model's reading of ``review``: one compiled pass per model."""
    out = {}
    for key, reader in readers.items():
        tokens = reader.tokens(review)
        out[key] = ReviewReading(tokens, reader.trajectory(tokens.ids))
    return out


# -- Which word moved the answer ------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """The biggest change of P(positive) from one word to the next in a trajectory."""

    index: int  # the word read (0-based, among the words read) that caused it
    word: str
    before: float  # P(positive) after the previous word
    after: float  # P(positive) after this word

    @property
    def change(self) -> float:
        return self.after - self.before


def flips(trajectory: np.ndarray) -> bool:
    """Whether the verdict changes while the model reads: P(positive) crosses 0.5 between two
    consecutive words."""
    positive = np.asarray(trajectory) > 0.5
    return bool(len(positive) > 1 and (positive[1:] != positive[:-1]).any())


def biggest_move(trajectory: np.ndarray, words: list[str]) -> Move | None:
    """The word after which P(positive) changed most (the largest |p_t - p_(t-1)|, the first such
    word on a tie), when the trajectory flips; None when it does not (or has one word: there is
    no "before" the first word). ``words``: the words read, one per point."""
    p = np.asarray(trajectory, dtype=np.float64)
    if len(p) != len(words):
        raise ValueError(f"{len(p)} points for {len(words)} words")
    if not flips(p):
        return None
    t = int(np.argmax(np.abs(np.diff(p)))) + 1
    return Move(t, words[t], float(p[t - 1]), float(p[t]))


def moves_caption(moves: dict[str, Move | None]) -> str | None:
    """One line naming the word that moved P(positive) most, for the models (by title) whose
    verdict flipped; models that agree on the word share it. None when no model flipped.

    "The verdict flips: “not” (word 3) moved P(positive) most for LSTM (62% → 30%) and GRU (60% → 28%);
    “good” (word 4) for SimpleRNN (45% → 20%)." Words are shown as text, never as Markdown."""
    groups: dict[tuple[int, str], list[tuple[str, Move]]] = {}
    for title, move in moves.items():
        if move is not None:
            groups.setdefault((move.index, move.word), []).append((title, move))
    if not groups:
        return None
    parts = []
    for n, ((index, word), members) in enumerate(sorted(groups.items(), key=lambda g: (-len(g[1]), g[0][0]))):
        shown = [f"{title} ({m.before:.0%} → {m.after:.0%})" for title, m in members]
        who = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        verb = " moved P(positive) most for " if n == 0 else " for "
        parts.append(f"“{_markdown_text(word)}” (word {index + 1}){verb}{who}")
    return "The verdict flips: " + "; ".join(parts) + "."


def _markdown_text(text: str) -> str:
    """``text`` shown literally in Markdown (a typed word is never markup)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|>~$<])", r"\\\1", text)


# -- Sentence by sentence ----------------------------------------------------------------------------

MAX_SENTENCES = 40  # a longer review is shown up to its 40th sentence


@dataclass
class SentenceVerdicts:
    sentences: list[str]  # the sentences read (at most MAX_SENTENCES)
    probabilities: dict  # model key -> P(positive) of each sentence read on its own
    total: int  # sentences in the review

    @property
    def cut(self) -> bool:
        return self.total > len(self.sentences)

    def disputed(self) -> list[int]:
        """The sentences (indices) some models read as positive and others as negative."""
        if not self.probabilities:
            return []
        positive = np.stack([np.asarray(p) > 0.5 for p in self.probabilities.values()])
        return [int(i) for i in np.flatnonzero(positive.any(axis=0) & ~positive.all(axis=0))]


def sentence_verdicts(readers: dict, review: str) -> SentenceVerdicts:
    """Every model's P(positive) for each sentence of ``review`` read on its own (sentences as
    ``data.sentences`` cuts them): one call per model for all the sentences."""
    from data.sentences import split_sentences

    every = split_sentences(review)
    sentences = every[:MAX_SENTENCES]
    out = {key: (reader.short_probability(sentences) if sentences else np.zeros(0, np.float32))
           for key, reader in readers.items()}
    return SentenceVerdicts(sentences, out, len(every))
