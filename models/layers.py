"""The layers saved inside the review models' ``.keras`` files, and their settings.

Each saved IMDB model starts with a ``TextVectorization`` layer that uses
:func:`standardize_review`, then :class:`KeepLastWords`, so a ``.keras`` file takes raw strings:

    raw review -> lower-case, drop <br /> and punctuation (keep "don't") -> words
               -> the 10,000 most frequent training words get ids 2..; others are [UNK] (1)
               -> the LAST SEQUENCE_LENGTH ids (a long review's verdict is usually at its end,
                  as in Keras' classic pad_sequences(truncating="pre")), padded with 0 after
                  (masked: the RNN skips padding)

Their registered names (package "explorer") are written into the shipped model files: keep
them, or the files in ``pretrained/`` no longer load. ``models.store`` imports this module
before loading any model.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

VOCAB_SIZE = 10_000  # as in the course material
SEQUENCE_LENGTH = 400  # words read per review (the material used 500 and 100); longer loses its start
PAD, OOV = 0, 1


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
