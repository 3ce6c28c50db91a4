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
import numpy as np
from keras import layers

from data.strokes import FEATURES, MAX_STEPS

NUM_CLASSES = 10
RECURRENT_CELLS = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}


def pen_recurrent(cell: str = "lstm", layer_units=(128,), dropout: float = 0.2, bidirectional: bool = False,
                  positions: bool = False, max_steps: int = MAX_STEPS) -> keras.Model:
    """Masking > one or more recurrent layers (stacked like the course's RNN/LSTM recipe) > softmax.

    ``layer_units=(64, 64)`` stacks two layers; ``dropout`` goes after each recurrent layer.
    ``positions=True`` adds where the pen is to each row: a fixed (untrained) linear SimpleRNN
    whose state is the running sum of the moves, i.e. the position, so the learned layers see
    both the move and the place it was made (a "bar at the top" versus "at the bottom")."""
    recurrent = RECURRENT_CELLS[cell]
    inputs = keras.Input(shape=(max_steps, FEATURES), name="pen_moves")
    x = layers.Masking(mask_value=0.0, name="skip_padding")(inputs)
    if positions:
        # One fixed linear step per point: output = (dx, dy, pen_up, x, y), where (x, y) is the
        # previous position plus this move. A plain SimpleRNN does it with set weights, so the
        # saved model needs no custom layer (safe_mode loads it).
        kernel = np.zeros((FEATURES, FEATURES + 2), "float32")
        kernel[:, :FEATURES] = np.eye(FEATURES)
        kernel[0, FEATURES], kernel[1, FEATURES + 1] = 1.0, 1.0
        keep_position = np.zeros((FEATURES + 2, FEATURES + 2), "float32")
        keep_position[FEATURES:, FEATURES:] = np.eye(2)
        integrate = layers.SimpleRNN(FEATURES + 2, activation="linear", use_bias=False, return_sequences=True,
                                     trainable=False, name="moves_and_positions")
        x = integrate(x)
        integrate.set_weights([kernel, keep_position])
    for i, units in enumerate(layer_units, start=1):
        last = i == len(layer_units)
        rnn = recurrent(units, return_sequences=not last, name=f"{cell}{i}")
        x = layers.Bidirectional(rnn, name=f"bi_{cell}{i}")(x) if bidirectional else rnn(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"pen_{cell}")
