"""Builders for the course recipes. Each returns a fresh, uncompiled Keras model.

Written in the keras-io style: the layers read top to bottom as the recipe does. Every model
starts with an explicit ``keras.Input`` so the pages can walk its layers and build
sub-models for feature maps and hidden states.
"""

from __future__ import annotations

import keras
from keras import layers

MNIST_SHAPE = (28, 28)  # also "28 time steps of 28 features" for the recurrent models
NUM_CLASSES = 10

RECURRENT_CELLS = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}


def mnist_cnn(filters=(32, 64), dense_units=128, dropout=(0.25, 0.5)) -> keras.Model:
    """Conv(32) > Pool > Conv(64) > Pool > Dense(128) > softmax, the Keras MNIST convnet."""
    inputs = keras.Input(shape=MNIST_SHAPE, name="image")
    x = layers.Reshape((*MNIST_SHAPE, 1), name="add_channel")(inputs)
    for i, n in enumerate(filters, start=1):
        x = layers.Conv2D(n, kernel_size=3, activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(pool_size=2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    if dropout[0]:
        x = layers.Dropout(dropout[0], name="dropout1")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    if dropout[1]:
        x = layers.Dropout(dropout[1], name="dropout2")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn")


def mnist_rows_rnn(cell="lstm", units=128, layer_units=None, dropout=0.0, activation="tanh") -> keras.Model:
    """Read the image row by row: each of the 28 rows is one time step of 28 pixels.

    ``layer_units`` stacks several recurrent layers (e.g. ``(32, 16)``); ``dropout`` goes
    between them.
    """
    recurrent = RECURRENT_CELLS[cell]
    sizes = list(layer_units or (units,))
    inputs = keras.Input(shape=MNIST_SHAPE, name="rows")
    x = inputs
    for i, n in enumerate(sizes, start=1):
        last = i == len(sizes)
        x = recurrent(n, activation=activation, return_sequences=not last, name=f"{cell}{i}")(x)
        if dropout and not last:
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"mnist_{cell}")
