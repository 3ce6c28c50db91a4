"""The gate recomputation equals Keras's own LSTM, and the view works on any LSTM model.

Keras returns only h_t (every step, with ``return_sequences``) and the last c_t (with
``return_state``); if the NumPy recomputation of i, f, c̃, o is wrong anywhere, h or c differ.
"""

import keras
import numpy as np
import pytest

from models import registry
from models.probes import gates
from pages._ui import equations

TOLERANCE = 1e-5


def keras_lstm(features: int, units: int, **options):
    """A model returning (every h_t, last h, last c) of one LSTM layer, and the layer."""
    inputs = keras.Input((None, features))
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True, **options)
    sequence, h, c = layer(inputs)
    return keras.Model(inputs, [sequence, h, c]), layer


def randomise(layer, rng, scale=1.5):
    """Weights far from the initialiser's: matrices about twice Glorot's spread (scaled by the
    fan-in, as trained weights are), biases of either sign (forget gates not at 1)."""
    layer.set_weights([rng.normal(0, scale / np.sqrt(w.shape[0]) if w.ndim == 2 else 0.6, w.shape).astype("float32")
                       for w in layer.get_weights()])


def assert_matches_keras(model, layer, x):
    sequence, h_last, c_last = (np.asarray(a)[0] for a in model(x[None]))
    trace = gates.recompute(gates.LSTMWeights.from_layer(layer), x)
    np.testing.assert_allclose(trace.h, sequence, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(trace.h[-1], h_last, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(trace.c[-1], c_last, atol=TOLERANCE, rtol=0)
    return trace


@pytest.mark.parametrize("units", [1, 3, 8, 16, 64])
@pytest.mark.parametrize("features", [1, 5])
def test_random_weights_match_keras(units, features):
    rng = np.random.default_rng(units * 10 + features)
    model, layer = keras_lstm(features, units)
    randomise(layer, rng)
    x = rng.normal(0, 1.5, (37, features)).astype("float32")
    trace = assert_matches_keras(model, layer, x)
    # The gates really are what the equations say, step by step.
    assert trace.i.shape == trace.f.shape == trace.g.shape == trace.o.shape == (37, units)
    np.testing.assert_allclose(trace.c, trace.f * trace.c_prev + trace.i * trace.g, atol=1e-12)
    np.testing.assert_allclose(trace.h, trace.o * np.tanh(trace.c), atol=1e-12)
    np.testing.assert_array_equal(trace.c_prev[1:], trace.c[:-1])
    assert ((trace.i >= 0) & (trace.i <= 1)).all() and (np.abs(trace.g) <= 1).all()


def test_gate_order_is_keras_i_f_c_o():
    """Push only the forget gate's bias very negative: f ~ 0 everywhere, the others untouched.
    A recomputation that took the blocks in another order would put the ~0 elsewhere."""
    units = 4
    model, layer = keras_lstm(2, units)
    kernel, recurrent, bias = layer.get_weights()
    bias[:] = 0.0
    bias[units:2 * units] = -30.0  # block 1 of i, f, c, o
    layer.set_weights([kernel, recurrent, bias])
    x = np.random.default_rng(0).normal(size=(6, 2)).astype("float32")
    trace = assert_matches_keras(model, layer, x)
    assert trace.f.max() < 1e-9 and trace.i.min() > 0.01 and trace.o.min() > 0.01


def test_other_activations_and_reading_backwards_match_keras():
    rng = np.random.default_rng(7)
    for options in ({"activation": "relu", "recurrent_activation": "hard_sigmoid"},
                    {"go_backwards": True}, {"use_bias": False}):
        model, layer = keras_lstm(3, 6, **options)
        if "use_bias" not in options:
            randomise(layer, rng)
        x = rng.normal(size=(12, 3)).astype("float32")
        sequence, _, c_last = (np.asarray(a)[0] for a in model(x[None]))
        trace = gates.recompute(gates.LSTMWeights.from_layer(layer), x)
        np.testing.assert_allclose(trace.h, sequence, atol=TOLERANCE, rtol=0, err_msg=str(options))
        np.testing.assert_allclose(trace.c[-1], c_last, atol=TOLERANCE, rtol=0, err_msg=str(options))
    # go_backwards: the trace is in reading order, and says which input step each row was.
    model, layer = keras_lstm(3, 2, go_backwards=True)
    trace = gates.recompute(gates.LSTMWeights.from_layer(layer), np.arange(15.0).reshape(5, 3))
    np.testing.assert_array_equal(trace.steps, [4, 3, 2, 1, 0])
    np.testing.assert_array_equal(trace.x[0], [12.0, 13.0, 14.0])


def test_an_unsupported_activation_is_a_clear_error():
    model, layer = keras_lstm(2, 3, activation="selu")
    with pytest.raises(ValueError, match="selu.*not supported"):
        gates.LSTMWeights.from_layer(layer)


@pytest.fixture(scope="module")
def trained_sine():
    """An LSTM trained here for a few epochs (trained weights, not the initialiser's)."""
    from data import sequences
    from models.training import loop

    data = sequences.make_windows(sequences.Signal("sine", window=15))
    return loop.train("sine_lstm", epochs=4, dataset=data, convergence_threshold=0,
                          build_overrides={"layer_units": (8,)})


def test_trained_weights_match_keras(trained_sine):
    model = trained_sine.model
    layer = gates.lstm_layers(model)[0]
    twin, twin_layer = keras_lstm(1, layer.units)
    twin_layer.set_weights(layer.get_weights())
    x = np.sin(np.linspace(0, 9, 40)).astype("float32")[:, None]
    assert_matches_keras(twin, twin_layer, x)
    # And through the whole model: the Dense head on our final h is the model's prediction.
    reading = gates.GateView(model)(x)
    dense = model.layers[-1]
    w, b = (np.asarray(a) for a in dense.get_weights())
    np.testing.assert_allclose(reading.traces[0].h[-1] @ w + b, reading.output, atol=TOLERANCE)


@pytest.mark.parametrize("key", ["sine_lstm", "cosine_lstm", "mnist_lstm"])
def test_every_shipped_lstm_matches_keras(key):
    from models import store

    model = store.load_pretrained(key)  # every shipped model is present (tests/test_pretrained.py)
    view = gates.GateView(model)
    rng = np.random.default_rng(1)
    shape = model.input_shape[1:]
    x = rng.uniform(0, 1, (28, 28) if shape == (28, 28) else (25, 1)).astype("float32")
    reading = view(x)
    for layer, trace, weights in zip(view.layers, reading.traces, view.weights):
        twin, twin_layer = keras_lstm(weights.features, weights.units)
        twin_layer.set_weights(layer.get_weights())
        assert_matches_keras(twin, twin_layer, trace.x.astype("float32"))
    # A stack: the second layer reads exactly the first layer's hidden sequence.
    for below, above in zip(reading.traces, reading.traces[1:]):
        np.testing.assert_allclose(above.x, below.h, atol=TOLERANCE)
    # The head applied to the last layer's final h is the model's own output.
    dense = model.layers[-1]
    w, b = (np.asarray(a) for a in dense.get_weights())
    logits = reading.traces[-1].h[-1] @ w + b
    expected = np.asarray(model(x[None]))[0]
    if dense.get_config()["activation"] == "softmax":
        logits = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(logits, expected, atol=TOLERANCE)


def test_two_layer_stack_from_our_own_first_layer():
    """Recompute layer 2 from *our* layer-1 h (not Keras's): still Keras's final output."""
    rng = np.random.default_rng(3)
    inputs = keras.Input((None, 2))
    first = keras.layers.LSTM(8, return_sequences=True)
    second = keras.layers.LSTM(5, return_sequences=True, return_state=True)
    sequence, h, c = second(first(inputs))
    model = keras.Model(inputs, [sequence, h, c])
    randomise(first, rng)
    randomise(second, rng)
    x = rng.normal(size=(30, 2)).astype("float32")
    keras_sequence, _, keras_c = (np.asarray(a)[0] for a in model(x[None]))
    ours1 = gates.recompute(gates.LSTMWeights.from_layer(first), x)
    ours2 = gates.recompute(gates.LSTMWeights.from_layer(second), ours1.h)
    np.testing.assert_allclose(ours2.h, keras_sequence, atol=TOLERANCE, rtol=0)
    np.testing.assert_allclose(ours2.c[-1], keras_c, atol=TOLERANCE, rtol=0)


def text_model(mask_zero=True, stacked=False):
    texts = ["the film was good", "the film was not good at all", "great actors and a great story",
             "bad plot", "not bad"]
    vectorizer = keras.layers.TextVectorization(max_tokens=50, output_sequence_length=12)
    vectorizer.adapt(texts)
    inputs = keras.Input((1,), dtype="string")
    x = keras.layers.Embedding(50, 6, mask_zero=mask_zero)(vectorizer(inputs))
    if stacked:
        x = keras.layers.LSTM(5, return_sequences=True)(x)
    x = keras.layers.LSTM(4)(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
    rng = np.random.default_rng(5)
    for layer in model.layers:
        if isinstance(layer, (keras.layers.LSTM, keras.layers.Embedding)):
            randomise(layer, rng)
    return model


@pytest.mark.parametrize("stacked", [False, True])
@pytest.mark.parametrize("mask_zero", [True, False])
def test_text_models_word_by_word(mask_zero, stacked):
    """TextVectorization + Embedding in front (the IMDB recipe): the words label the steps,
    padding is hidden, and the last word's h through the head is the model's answer."""
    model = text_model(mask_zero, stacked)
    view = gates.GateView(model)
    assert view.text_input
    reading = view("The film was NOT good!")
    assert reading.words[:5] == ["the", "film", "was", "not", "good"]
    assert reading.visible.tolist() == [True] * 5 + [False] * 7
    shown = reading.shown(len(view.layers) - 1)
    assert len(shown) == 5 and shown.steps.tolist() == [0, 1, 2, 3, 4]
    dense = model.layers[-1]
    w, b = (np.asarray(a) for a in dense.get_weights())
    # With a mask the layer stops at the last word; without, it also reads the 7 pads.
    final_h = reading.traces[-1].h[-1]
    if mask_zero:
        np.testing.assert_allclose(final_h, shown.h[-1], atol=1e-12)
        assert np.isnan(reading.traces[-1].i[-1]).all()  # a skipped step computes no gates
    expected = np.asarray(model(np.array([["The film was NOT good!"]], dtype=object)))[0]
    np.testing.assert_allclose(1 / (1 + np.exp(-(final_h @ w + b))), expected, atol=TOLERANCE)


def test_step_numbers_are_the_equations():
    rng = np.random.default_rng(11)
    model, layer = keras_lstm(2, 5)
    randomise(layer, rng)
    trace = gates.recompute(gates.LSTMWeights.from_layer(layer), rng.normal(size=(9, 2)))
    v = trace.step(4, 3)
    sig = lambda z: 1 / (1 + np.exp(-z))
    for gate in ("i", "f", "o"):
        assert v[gate]["z"] == pytest.approx(v[gate]["wx"] + v[gate]["uh"] + v[gate]["b"])
        assert v[gate]["value"] == pytest.approx(sig(v[gate]["z"]))
    assert v["c~"]["value"] == pytest.approx(np.tanh(v["c~"]["z"]))
    assert v["c"] == pytest.approx(v["f"]["value"] * v["c_prev"] + v["i"]["value"] * v["c~"]["value"])
    assert v["h"] == pytest.approx(v["o"]["value"] * np.tanh(v["c"]))
    assert v["c_prev"] == pytest.approx(trace.c[3, 3]) and v["h_prev"] == pytest.approx(trace.h[3, 3])
    # The LaTeX shows these very numbers, at this step.
    tex = equations.lstm_step(v, 5)
    assert set(tex) == {"i", "f", "c~", "o", "c", "h"}
    assert "i_{5}" in tex["i"] and "h_{4}" in tex["i"]
    for gate in ("i", "f", "c~", "o"):
        assert f"{v[gate]['value']:.3f}" in tex[gate] and f"{abs(v[gate]['z']):.3f}" in tex[gate]
    assert f"{v['c']:.3f}" in tex["c"] and f"{abs(v['c_prev']):.3f}" in tex["c"]
    assert f"{v['h']:.3f}" in tex["h"]


def test_masked_steps_keep_the_state():
    model, layer = keras_lstm(2, 3)
    trace = gates.recompute(gates.LSTMWeights.from_layer(layer), np.ones((4, 2)), mask=[True, False, True, False])
    np.testing.assert_array_equal(trace.c[1], trace.c[0])
    np.testing.assert_array_equal(trace.h[3], trace.h[2])
    assert trace.step(1, 0)["skipped"] and "padding" in equations.lstm_step(trace.step(1, 0), 2)["c"]


def test_models_with_lstm_are_found_from_metadata_alone():
    assert gates.has_lstm([{"type": "InputLayer"}, {"type": "LSTM"}, {"type": "Dense"}])
    assert not gates.has_lstm([{"type": "GRU"}, {"type": "Bidirectional"}])
    assert not gates.has_lstm(None)
    assert gates.has_lstm(registry.load_metadata("mnist_lstm")["layers"])
    assert not gates.has_lstm(registry.load_metadata("mnist_gru")["layers"])


def test_a_model_without_lstm_is_refused():
    inputs = keras.Input((5, 2))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.GRU(3)(inputs)))
    with pytest.raises(ValueError, match="no LSTM"):
        gates.GateView(model)


def test_the_registry_text_lstm_recipe_word_by_word():
    """The IMDB LSTM's own builder (raw text in, its vocabulary adapted here on a few
    sentences): the words label the steps and the head on the last word's h is its answer."""
    import tensorflow as tf

    specs = [s for s in registry.MODELS.values() if s.dataset == "imdb" and s.builder_args.get("cell") == "lstm"
             and not s.builder_args.get("bidirectional")]
    if not specs:
        pytest.skip("no text LSTM in the registry")
    texts = np.array(["a good film", "not good at all", "great actors", "a bad plot", "bad, really bad"], dtype=object)
    model = specs[0].build(adapt_texts=texts)
    reading = gates.GateView(model)("This film was NOT good, really!")
    words = [reading.words[s] for s in reading.shown(0).steps]
    assert words == ["[UNK]", "film", "[UNK]", "not", "good", "really"]
    dense = model.layers[-1]
    w, b = (np.asarray(a) for a in dense.get_weights())
    expected = np.asarray(model(tf.constant([["This film was NOT good, really!"]])))[0]
    np.testing.assert_allclose(1 / (1 + np.exp(-(reading.traces[-1].h[-1] @ w + b))), expected, atol=TOLERANCE)
