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


def mnist_cnn(filters=(32, 64), dense_units=128, dropout=(0.25, 0.5), input_shape=MNIST_SHAPE,
              num_classes=NUM_CLASSES) -> keras.Model:
    """Conv(32) > Pool > Conv(64) > Pool > Dense(128) > softmax, the Keras MNIST convnet.

    ``input_shape`` is (height, width) for grey images, (height, width, channels) for colour."""
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = inputs
    if len(input_shape) == 2:
        x = layers.Reshape((*input_shape, 1), name="add_channel")(inputs)
    for i, n in enumerate(filters, start=1):
        x = layers.Conv2D(n, kernel_size=3, activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(pool_size=2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    if dropout[0]:
        x = layers.Dropout(dropout[0], name="dropout1")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    if dropout[1]:
        x = layers.Dropout(dropout[1], name="dropout2")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn")


def mnist_rows_rnn(cell="lstm", units=128, layer_units=None, dropout=0.0, activation="tanh",
                   input_shape=MNIST_SHAPE, num_classes=NUM_CLASSES) -> keras.Model:
    """Read the image row by row: each of the 28 rows is one time step of 28 pixels.

    ``layer_units`` stacks several recurrent layers (e.g. ``(32, 16)``); ``dropout`` goes
    between them. A colour image (height, width, channels) is read as rows of width x channels.
    """
    recurrent = RECURRENT_CELLS[cell]
    sizes = list(layer_units or (units,))
    inputs = keras.Input(shape=tuple(input_shape), name="rows")
    x = inputs
    if len(input_shape) == 3:
        x = layers.Reshape((input_shape[0], input_shape[1] * input_shape[2]), name="rows_of_pixels")(x)
    for i, n in enumerate(sizes, start=1):
        last = i == len(sizes)
        x = recurrent(n, activation=activation, return_sequences=not last, name=f"{cell}{i}")(x)
        if dropout and not last:
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"mnist_{cell}")


# -- Reviews (IMDB) -----------------------------------------------------------------------------


def imdb_recurrent(cell="lstm", units=64, embed_dim=64, stacked=1, bidirectional=False, dropout=0.3,
                   embed_dropout=0.0, input_dropout=0.0, average_over_words=False, adapt_texts=None,
                   vocab_size=None, sequence_length=None) -> keras.Model:
    """Raw review text > TextVectorization > Embedding (padding masked) > recurrent layer(s) >
    P(positive). ``adapt_texts`` builds the vocabulary from the training reviews.

    ``average_over_words``: the head reads the average of the last layer's state over every
    word (padding excluded) instead of only the state after the last word, so an opinion
    voiced early in a long review still counts."""
    from models.layers import SEQUENCE_LENGTH, VOCAB_SIZE, KeepLastWords, make_vectorizer

    inputs = keras.Input(shape=(1,), dtype="string", name="review")
    vocab_size = vocab_size or VOCAB_SIZE
    x = make_vectorizer(adapt_texts, vocab_size)(inputs)
    x = KeepLastWords(sequence_length or SEQUENCE_LENGTH, name="last_words")(x)
    x = layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding")(x)
    if embed_dropout:  # drops whole embedding channels, so no single word feature is relied on
        x = layers.SpatialDropout1D(embed_dropout, name="embedding_dropout")(x)
    for i in range(1, stacked + 1):
        every_step = i < stacked or average_over_words
        layer = RECURRENT_CELLS[cell](units, dropout=input_dropout, return_sequences=every_step, name=f"{cell}{i}")
        x = layers.Bidirectional(layer, name=f"bidirectional_{cell}{i}")(x) if bidirectional else layer(x)
    if average_over_words:
        x = layers.GlobalAveragePooling1D(name="average_over_words")(x)  # uses the padding mask
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="positive")(x)
    name = f"imdb_{'bi' if bidirectional else ''}{cell}"
    return keras.Model(inputs, outputs, name=name)


# -- Sequences (LSTM gates page) ----------------------------------------------------------------


def sequence_lstm(layer_units=(16,), features: int = 1) -> keras.Model:
    """Windows of a wave > LSTM(s) > Dense(1): the next value. The time axis is left open
    (``None``), so the trained network can read a window of any length."""
    sizes = list(layer_units)
    inputs = keras.Input(shape=(None, features), name="wave")
    x = inputs
    for i, n in enumerate(sizes, start=1):
        x = layers.LSTM(n, return_sequences=i < len(sizes), name=f"lstm{i}")(x)
    outputs = layers.Dense(1, name="next_value")(x)
    return keras.Model(inputs, outputs, name=f"sequence_lstm_{'_'.join(map(str, sizes))}")


# -- Photos (CIFAR-10) --------------------------------------------------------------------------
# Every CIFAR model takes the photo's pixel values as they are (0-255, RGB) and scales them
# itself, so the page, the CLI and the tests feed one and the same 32x32 array.

CIFAR_SHAPE = (32, 32, 3)
# Per-channel mean and standard deviation of the 50,000 CIFAR-10 training images (0-255).
CIFAR_MEAN = (125.307, 122.950, 113.865)
CIFAR_STD = (62.993, 62.089, 66.705)


def cifar_cnn_lab(filters=(32, 64), dropout=0.5) -> keras.Model:
    """The course lab's CNN, exactly: Conv(32) > Pool > Conv(64) > Pool > Flatten > Dropout 0.5 >
    Dense(10, softmax)."""
    inputs = keras.Input(shape=CIFAR_SHAPE, name="photo")
    x = layers.Rescaling(1 / 255, name="scale")(inputs)
    for i, n in enumerate(filters, start=1):
        x = layers.Conv2D(n, kernel_size=3, activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(pool_size=2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="cifar_cnn_lab")


def _conv_bn(x, filters, name, weight_decay):
    """3x3 convolution > batch normalisation > ReLU: the unit every block below is made of."""
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv",
                      kernel_regularizer=keras.regularizers.l2(weight_decay) if weight_decay else None)(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def cifar_resnet(widths=(64, 128, 192, 256), weight_decay=2.5e-4) -> keras.Model:
    """A small residual network in the style of the fast CIFAR-10 recipes (the "ResNet-9" of
    the DAWNBench entries), narrowed so the file stays under 10 MB:

    prep conv > [conv > pool > residual(conv, conv)] > [conv > pool] > [conv > pool >
    residual(conv, conv)] > global max pool > Dense(10, softmax).

    Pooling halves the picture three times (32 > 16 > 8 > 4) while the channels grow, so each
    later filter sees a larger part of the photo; the residual blocks add what two more
    convolutions find to what the block already had, which keeps a deep stack trainable."""
    prep, width1, width2, width3 = widths
    inputs = keras.Input(shape=CIFAR_SHAPE, name="photo")
    x = layers.Rescaling(1 / 255, name="scale")(inputs)
    x = layers.Normalization(mean=[m / 255 for m in CIFAR_MEAN], variance=[(s / 255) ** 2 for s in CIFAR_STD],
                             name="normalise")(x)
    x = _conv_bn(x, prep, "prep", weight_decay)
    for block, width, residual in ((1, width1, True), (2, width2, False), (3, width3, True)):
        x = _conv_bn(x, width, f"block{block}", weight_decay)
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
        if residual:
            y = _conv_bn(x, width, f"block{block}_res1", weight_decay)
            y = _conv_bn(y, width, f"block{block}_res2", weight_decay)
            x = layers.Add(name=f"block{block}_add")([x, y])
    x = layers.GlobalMaxPooling2D(name="pool_everywhere")(x)
    logits = layers.Dense(NUM_CLASSES, name="scores",
                          kernel_regularizer=keras.regularizers.l2(weight_decay) if weight_decay else None)(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(logits)
    return keras.Model(inputs, outputs, name="cifar_resnet")


# -- Writing (character language model) ---------------------------------------------------------


def char_lstm(vocab_size=None, embed_dim=32, units=(384, 384), sentiment_dim=8, dropout=0.0) -> keras.Model:
    """Characters so far (and the sentiment asked for, at every step) > Embedding > LSTM >
    LSTM > a score for every possible next character (logits; softmax(z / T) samples).

    The sentiment enters as a second embedding concatenated to each character's, so the same
    network writes a positive or a negative review depending on one switch."""
    from data import characters

    vocab_size = vocab_size or characters.VOCAB_SIZE
    chars = keras.Input(shape=(None,), dtype="int32", name="characters")
    sentiment = keras.Input(shape=(None,), dtype="int32", name="sentiment")
    x = layers.Embedding(vocab_size, embed_dim, name="char_embedding")(chars)
    s = layers.Embedding(len(characters.SENTIMENTS), sentiment_dim, name="sentiment_embedding")(sentiment)
    x = layers.Concatenate(name="char_and_sentiment")([x, s])
    for i, n in enumerate(units, start=1):
        x = layers.LSTM(n, return_sequences=True, name=f"lstm{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    logits = layers.Dense(vocab_size, dtype="float32", name="next_character")(x)
    return keras.Model([chars, sentiment], logits, name="char_lstm")


# -- Pen strokes (UCI pen digits, the Draw page's canvas) --------------------------------------
# Read a digit as the pen wrote it, one (dx, dy, pen_up) row per point (data.strokes makes
# them: MAX_STEPS rows, zero rows after the drawing ends, which Masking skips). Keep the model
# that drives the Draw page's replay unidirectional: its answer after point t then uses only
# points up to t.


def pen_recurrent(cell: str = "lstm", layer_units=(128,), dropout: float = 0.2, bidirectional: bool = False,
                  positions: bool = False, max_steps: int | None = None) -> keras.Model:
    """Masking > one or more recurrent layers (stacked like the course's RNN/LSTM recipe) > softmax.

    ``layer_units=(64, 64)`` stacks two layers; ``dropout`` goes after each recurrent layer.
    ``positions=True`` adds where the pen is to each row: a fixed (untrained) linear SimpleRNN
    whose state is the running sum of the moves, i.e. the position, so the learned layers see
    both the move and the place it was made (a "bar at the top" versus "at the bottom")."""
    import numpy as np

    from data.strokes import FEATURES, MAX_STEPS

    recurrent = RECURRENT_CELLS[cell]
    inputs = keras.Input(shape=(max_steps or MAX_STEPS, FEATURES), name="pen_moves")
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
