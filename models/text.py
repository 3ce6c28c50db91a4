"""Text in, sentiment out: the review pipeline every IMDB model carries inside itself.

Each saved IMDB model starts with a ``TextVectorization`` layer that uses
:func:`standardize_review`, so a ``.keras`` file takes raw strings and typed text goes
through exactly the pipeline the model was trained with:

    raw review -> lower-case, drop <br /> and punctuation (keep "don't") -> words
               -> the 10,000 most frequent training words get ids 2..; others are [UNK] (1)
               -> the LAST SEQUENCE_LENGTH ids (a long review's verdict is usually at its end,
                  as in Keras' classic pad_sequences(truncating="pre")), padded with 0 after
                  (masked: the RNN skips padding)

Also here: the word-by-word trajectory (the probability of "positive" after each word,
computed in one pass per model) and the tokens decoded back to words.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from models.inspect import layer_input

VOCAB_SIZE = 10_000  # as in the course material
SEQUENCE_LENGTH = 400  # words read per review (the material used 500 and 100); longer loses its start
PAD, OOV = 0, 1
MAX_CHARACTERS = 20_000  # longer input is cut before it reaches TensorFlow (200 words need far less)


@keras.saving.register_keras_serializable(package="explorer")
def standardize_review(text):
    """Lower-case; ``<br />`` and punctuation become spaces; apostrophes inside words stay."""
    text = tf.strings.lower(text, encoding="utf-8")
    text = tf.strings.regex_replace(text, r"<br\s*/?>", " ")
    text = tf.strings.regex_replace(text, r"[^\p{L}\p{N}']+", " ")
    return tf.strings.regex_replace(text, r"(^|\s)'+|'+(\s|$)", " ")


def make_vectorizer(texts=None, vocab_size: int = VOCAB_SIZE):
    """Text -> word ids, every word of the review (padded to the longest in the batch)."""
    layer = keras.layers.TextVectorization(
        max_tokens=vocab_size, output_sequence_length=None, standardize=standardize_review, name="vectorize")
    if texts is not None:
        layer.adapt(tf.data.Dataset.from_tensor_slices(np.asarray(texts, dtype=object).reshape(-1)).batch(1024))
    return layer


@keras.saving.register_keras_serializable(package="explorer")
class KeepLastWords(keras.layers.Layer):
    """Keep the last ``length`` word ids of each review, padded with 0 after them.

    Ids come post-padded from TextVectorization (0 is only ever padding; unknown words are 1),
    so a review's word count is its number of non-zero ids.
    """

    def __init__(self, length: int, **kwargs):
        super().__init__(**kwargs)
        self.length = int(length)

    def call(self, ids):
        ids = tf.cast(ids, tf.int64)
        count = tf.reduce_sum(tf.cast(ids != PAD, tf.int64), axis=1, keepdims=True)
        start = tf.maximum(count - self.length, 0)
        positions = start + tf.range(self.length, dtype=tf.int64)[None, :]
        room = tf.pad(ids, [[0, 0], [0, self.length]])  # so positions past the end read padding
        return tf.gather(room, positions, batch_dims=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.length)

    def get_config(self):
        return {**super().get_config(), "length": self.length}


def review_text(text: str) -> str:
    """At most MAX_CHARACTERS, valid UTF-8: a command-line argument with bytes that are not
    UTF-8 arrives as lone surrogates, which TensorFlow refuses; they become "?"."""
    if not isinstance(text, str):
        raise TypeError(f"a review must be text (str), not {type(text).__name__}")
    return text[:MAX_CHARACTERS].encode("utf-8", "replace").decode("utf-8")


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
    each word (what the model would say if the review stopped there). A bidirectional
    model's state at word t has already seen the end of the review, so it is given every
    prefix of the review instead, as one batch.
    """

    def __init__(self, model):
        self.model = model
        self.vectorizer = next(layer for layer in model.layers if isinstance(layer, keras.layers.TextVectorization))
        self.vocabulary = self.vectorizer.get_vocabulary()
        embedding = next(layer for layer in model.layers if isinstance(layer, keras.layers.Embedding))
        ids_in = layer_input(embedding)
        self.sequence_length = int(ids_in.shape[-1])
        self.words_to_ids = keras.Model(model.input, ids_in)  # string ops: run as is, not under XLA
        self.token_model = keras.Model(ids_in, model.output)  # everything from the embedding on
        recurrent = [layer for layer in model.layers
                     if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
        self.bidirectional = any(isinstance(layer, keras.layers.Bidirectional) for layer in recurrent)
        self._lock = threading.Lock()
        spec = tf.TensorSpec((None, None), tf.int64)
        self._final = tf.function(lambda ids: self.token_model(ids, training=False), input_signature=[spec],
                                  jit_compile=True)
        self._steps = self._prefixes = None
        self.steps_model = self.prefix_model = None  # what the compiled calls run (also for benchmarks)
        if not self.bidirectional and len(recurrent) == 1:
            steps = self._every_step_output(model, recurrent[0], ids_in)
            if steps is not None:
                steps_model = self.steps_model = keras.Model(ids_in, steps)
                self._steps = tf.function(lambda ids: steps_model(ids, training=False)[..., 0],
                                          input_signature=[spec], jit_compile=True)
        if self._steps is None:
            # Prefixes of a review need not be padded to the full SEQUENCE_LENGTH: the same
            # layers (a chain from the embedding on) are given ids of any length.
            ids_any = keras.Input(shape=(None,), dtype="int64", name="word_ids")
            x = ids_any
            for layer in model.layers[model.layers.index(embedding):]:
                x = layer(x)
            prefix_model = self.prefix_model = keras.Model(ids_any, x)
            # Not under XLA: XLA compiles once per shape (seconds for a BiLSTM), and n prefixes of
            # n words have a new shape for every review length; the plain graph takes any shape
            # and was as fast as XLA on padded shapes (171 ms vs 169-252 ms for 203 words).
            self._prefixes = tf.function(lambda ids: prefix_model(ids, training=False), input_signature=[spec])

    @staticmethod
    def _every_step_output(model, layer, ids_in):
        """P(positive) after every word, as one symbolic tensor, or None if this model's head
        cannot be applied word by word (then prefixes are used)."""
        following = model.layers[model.layers.index(layer) + 1:]
        if not layer.return_sequences:  # the head reads h_t: apply it to every h_t
            config = {**layer.get_config(), "return_sequences": True, "name": f"{layer.name}_every_step"}
            twin = type(layer).from_config(config)
            x = twin(layer_input(layer))
            twin.set_weights(layer.get_weights())
        elif following and isinstance(following[0], keras.layers.GlobalAveragePooling1D):
            # The head reads the average of h_1..h_n: after word t, that is the average of h_1..h_t.
            seen = keras.ops.expand_dims(keras.ops.cast(keras.ops.not_equal(ids_in, PAD), "float32"), -1)
            x = keras.ops.cumsum(layer.output * seen, axis=1) / keras.ops.maximum(keras.ops.cumsum(seen, axis=1), 1.0)
            following = following[1:]
        else:
            return None
        for f in following:
            if not isinstance(f, (keras.layers.Dense, keras.layers.Dropout)):
                return None
            x = f(x)
        return x

    def tokens(self, text: str) -> Tokens:
        ids = np.asarray(self.words_to_ids(as_model_input(text)))[0]
        return Tokens(clean_words(text), ids[ids != PAD], self.vocabulary)

    def probability(self, texts) -> np.ndarray:
        ids = self.words_to_ids(as_model_input(texts))
        with self._lock:
            return np.asarray(self._final(ids))[:, 0]

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
        with self._lock:
            if self._steps is not None:
                return np.asarray(self._steps(tf.constant(padded[None])))[0, :n]
            prefixes = np.tril(np.ones((n, n), np.int64)) * padded[None, :n]
            return np.asarray(self._prefixes(tf.constant(prefixes)))[:, 0]

    def warm_up(self):
        self.trajectory(np.array([2, 3], np.int64))
        self.probability(["warm up"])
        return self


@dataclass
class Reading:
    """One model's reading of one review."""

    tokens: Tokens
    trajectory: np.ndarray  # P(positive) after each word read

    @property
    def probability(self) -> float:
        """The model's final answer: its probability after the last word read."""
        return float(self.trajectory[-1]) if len(self.trajectory) else 0.5


def read_review(readers: dict, review: str) -> dict[str, Reading]:
    """Every model's reading of ``review``: one compiled pass per model."""
    out = {}
    for key, reader in readers.items():
        tokens = reader.tokens(review)
        out[key] = Reading(tokens, reader.trajectory(tokens.ids))
    return out


EXAMPLES = {
    "Clearly positive": "One of the best films I have seen in years. The acting is superb, the story is moving "
                        "and the music is beautiful. I loved every minute of it.",
    "Clearly negative": "A complete waste of time. The plot makes no sense, the acting is wooden and the "
                        "dialogue is painful. I wanted to leave after twenty minutes.",
    "Negation": "Everyone said it was good. It was not good at all, just boring and far too long.",
    "Sarcasm": "Oh great, another two hours of my life I will never get back. Truly a masterpiece of boredom.",
    "Mixed": "The actors do their best and the photography is lovely, but the script is weak and the "
             "ending is a mess.",
}
