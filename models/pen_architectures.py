"""Builders for the pen models: read a digit as the pen wrote it, one (dx, dy, pen_up) row per point.

Each returns a fresh, uncompiled Keras model with explicit layer names, in the keras-io style.
The input is what :mod:`data.strokes` makes: ``MAX_STEPS`` rows of 3 features, zero rows after
the drawing ends; ``Masking`` makes the recurrent layers skip them, so a short digit is not
read as "digit, then a long pause".

Keep the model that drives the Draw page's replay unidirectional: then its answer after point t
uses only points up to t, which is what "the probability after every point" means.
"""

from __future__ import annotations

import keras
from keras import layers

from data.strokes import FEATURES, MAX_STEPS

NUM_CLASSES = 10
RECURRENT_CELLS = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}


def pen_recurrent(cell: str = "lstm", layer_units=(128,), dropout: float = 0.2, bidirectional: bool = False,
                  max_steps: int = MAX_STEPS) -> keras.Model:
    """Masking > one or more recurrent layers (stacked like the course's RNN/LSTM recipe) > softmax.

    ``layer_units=(64, 64)`` stacks two layers; ``dropout`` goes after each recurrent layer."""
    recurrent = RECURRENT_CELLS[cell]
    inputs = keras.Input(shape=(max_steps, FEATURES), name="pen_moves")
    x = layers.Masking(mask_value=0.0, name="skip_padding")(inputs)
    for i, units in enumerate(layer_units, start=1):
        last = i == len(layer_units)
        rnn = recurrent(units, return_sequences=not last, name=f"{cell}{i}")
        x = layers.Bidirectional(rnn, name=f"bi_{cell}{i}")(x) if bidirectional else rnn(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"pen_{cell}")
