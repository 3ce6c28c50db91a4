"""Let the character LSTM write: one compiled step per character, the LSTM state carried over.

The trained language model (``architectures.char_lstm``) reads a whole window at once. To
write, we need it one character at a time without re-reading everything written so far, so
:class:`CharWriter` rebuilds the same layers as a *step* network whose inputs are one
character, the sentiment asked for and the LSTMs' states (h, c) from the step before, and
whose outputs are the next character's scores and the new states. The weights are the
trained ones, so the step network gives exactly the whole-prefix probabilities (a test
checks it to 1e-5).

Sampling with temperature T: p_i = softmax(z / T)_i. T < 1 sharpens the distribution (the
likeliest characters win more often, the text gets safer and more repetitive), T > 1
flattens it (more surprising, more misspelled).

Sentiment strength g: the network is run for both sentiments at every step, and the scores
are pushed away from the sentiment *not* asked for: z = z_asked + g (z_asked - z_other)
("classifier-free guidance", Ho & Salimans 2022). g = 0 is the plain model; most characters
hardly depend on the sentiment, so without a push the model drifts between praise and
complaint, and g = 1 makes the asked sentiment come through (measured in the README).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import keras
import numpy as np

from data import characters

MAX_PROMPT = 1000  # characters of a prompt the writer reads (the last ones are kept)
MAX_LENGTH = 2000  # characters it writes in one go
DEFAULT_STRENGTH = 1.0  # sentiment strength g (see the module docstring)


@dataclass
class Step:
    """One written character and the distribution it was drawn from."""

    char: str
    probabilities: np.ndarray  # over characters.VOCABULARY, at the temperature used


@dataclass
class Prompt:
    """A prompt as the writer will read it, and what was changed on the way."""

    text: str  # cleaned, possibly cut to its last MAX_PROMPT characters
    unknown: list[str] = field(default_factory=list)  # characters the model cannot spell
    cut: int = 0  # characters dropped from the front


def prepare_prompt(text: str | None) -> Prompt:
    """Clean a user's prompt: lower case, unknown characters noted (they are read as the
    unknown character), at most MAX_PROMPT characters (the end is kept)."""
    cleaned = characters.clean(text or "")
    unknown = characters.unknown_characters(text or "")
    cut = max(0, len(cleaned) - MAX_PROMPT)
    return Prompt(cleaned[cut:], unknown, cut)


def softmax_with_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(z / T), computed stably (in float64), along the last axis."""
    if not temperature > 0:
        raise ValueError("the temperature must be greater than 0")
    z = np.asarray(logits, np.float64) / float(temperature)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def least_certain_step(probabilities: np.ndarray) -> int:
    """The step (0-based) whose next-character distribution has the highest entropy
    H = -sum p log p: where the model was least sure what comes next."""
    p = np.clip(np.asarray(probabilities, np.float64), 1e-12, 1)
    return int(np.argmax(-(p * np.log(p)).sum(axis=-1)))


class CharWriter:
    """Step-by-step access to a trained ``char_lstm`` (thread-safe: one lock per writer)."""

    def __init__(self, model: keras.Model, compiled: bool = True):
        self.model = model
        self.lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        self.units = [layer.units for layer in self.lstms]
        self.step_model = self._build_step_model(1)
        self.reader_model = self._build_step_model(None)  # a whole prompt in one call
        self._lock = threading.Lock()
        # Compiled once for a page that writes thousands of characters; plain calls for a
        # one-off sample (compiling would cost more than it saves).
        self._step = _compiled(self.step_model) if compiled else _plain(self.step_model)
        self._read = _compiled(self.reader_model, jit=False) if compiled else _plain(self.reader_model)

    def _build_step_model(self, steps: int | None = 1) -> keras.Model:
        """The same layers, reading ``steps`` characters (None: any number) from given (h, c)
        states and returning the scores after the last one and the new states."""
        m = self.model
        char = keras.Input(shape=(steps,), dtype="int32", name="character")
        sentiment = keras.Input(shape=(steps,), dtype="int32", name="sentiment")
        x = keras.layers.Concatenate(name="char_and_sentiment")([
            m.get_layer("char_embedding")(char), m.get_layer("sentiment_embedding")(sentiment)])
        states_in, states_out = [], []
        for layer in self.lstms:
            h = keras.Input(shape=(layer.units,), name=f"{layer.name}_h")
            c = keras.Input(shape=(layer.units,), name=f"{layer.name}_c")
            stepper = keras.layers.LSTM.from_config({**layer.get_config(), "return_state": True,
                                                     "return_sequences": True, "name": f"{layer.name}_step"})
            x, h_new, c_new = stepper(x, initial_state=[h, c])
            stepper.set_weights(layer.get_weights())
            states_in += [h, c]
            states_out += [h_new, c_new]
        logits = m.get_layer("next_character")(x[:, -1, :])
        return keras.Model([char, sentiment, *states_in], [logits, *states_out], name="char_lstm_step")

    def zero_states(self, batch: int = 1) -> list[np.ndarray]:
        return [np.zeros((batch, n), np.float32) for n in self.units for _ in (0, 1)]

    def step(self, chars: np.ndarray, sentiment: np.ndarray, states: list) -> tuple[np.ndarray, list]:
        """Scores for the next character after ``chars`` (batch,), and the new states."""
        with self._lock:
            out = self._step(np.asarray(chars, np.int32).reshape(-1, 1),
                             np.asarray(sentiment, np.int32).reshape(-1, 1), *states)
        return np.asarray(out[0]), [np.asarray(s) for s in out[1:]]

    def read(self, text: str, sentiment, batch: int = 1) -> tuple[np.ndarray, list]:
        """Read a review start (``\\n`` + text) in one call; returns the scores for the
        character after it and the states, ready to write on. ``sentiment`` is one id or one
        per row of the batch."""
        ids = characters.encode(characters.REVIEW_START + text)
        chars = np.repeat(ids[None, :], batch, axis=0)
        sentiments = np.repeat(np.broadcast_to(np.asarray(sentiment, np.int32).reshape(-1, 1), (batch, 1)),
                               len(ids), axis=1)
        with self._lock:
            out = self._read(chars, sentiments, *self.zero_states(batch))
        return np.asarray(out[0]), [np.asarray(s) for s in out[1:]]

    def prefix_logits(self, text: str, sentiment: int) -> np.ndarray:
        """Scores after every character of ``\\n`` + text from ONE run of the whole-window model
        (the reference the step-by-step path must match)."""
        ids = characters.encode(characters.REVIEW_START + text)[None, :]
        with self._lock:
            return np.asarray(self.model.predict_on_batch([ids, np.full_like(ids, sentiment)]))[0]

    def write(self, prompt: str, sentiment: int, temperature: float = 0.8, length: int = 300,
              seed: int | None = None, strength: float = DEFAULT_STRENGTH) -> Iterator[Step]:
        """Yield one :class:`Step` per written character (stream it to the page as it comes)."""
        yield from self.write_many([sentiment], temperature, length, seed, prompt, strength, stream=True)

    def write_many(self, sentiments, temperature: float = 0.8, length: int = 300, seed: int | None = None,
                   prompt: str = "", strength: float = DEFAULT_STRENGTH, stream: bool = False):
        """Write one review per entry of ``sentiments`` at once (one batched step per
        character). Returns the texts (prompt included), or with ``stream`` yields a
        :class:`Step` per character of the first review."""
        if not 1 <= length <= MAX_LENGTH:
            raise ValueError(f"the length must be between 1 and {MAX_LENGTH} characters")
        softmax_with_temperature(np.zeros(1), temperature)  # refuses a bad temperature up front
        steps = self._write(np.asarray(sentiments, np.int32).reshape(-1), temperature, length, seed, prompt, strength)
        if stream:
            return (Step(characters.VOCABULARY[int(c[0])], p[0]) for c, p in steps)
        written = np.stack([c for c, _ in steps], axis=1)
        return [prompt + characters.decode(row) for row in written]

    def _write(self, sentiments, temperature, length, seed, prompt, strength):
        """Generator of (chosen ids, probabilities) per step; with a strength the batch holds
        each review twice, once with the other sentiment, for the push described above. The
        LSTM states stay in the framework's tensors between steps (no copies to NumPy)."""
        n = len(sentiments)
        rng = np.random.default_rng(seed)
        both = np.concatenate([sentiments, 1 - sentiments]) if strength else sentiments
        logits, states = self.read(prompt, both, batch=len(both))
        sentiment_column = both.reshape(-1, 1).astype(np.int32)
        for _ in range(length):
            z = (1 + strength) * logits[:n] - strength * logits[n:] if strength else logits
            p = softmax_with_temperature(z, temperature)
            u = rng.random((n, 1))
            choice = np.minimum((p.cumsum(axis=1) < u).sum(axis=1), p.shape[1] - 1)
            yield choice, p
            with self._lock:
                out = self._step(np.tile(choice, len(both) // n).reshape(-1, 1).astype(np.int32),
                                 sentiment_column, *states)
            logits, states = np.asarray(out[0]), list(out[1:])


def bits_per_character(model: keras.Model, reviews, labels, batch_size: int = 32) -> dict:
    """Bits per character and perplexity of held-out reviews, each read from its start (the
    model predicts every character after the review-start newline, the state carried through
    the whole review)."""
    streams = [characters.encode(characters.REVIEW_START + characters.clean(r)) for r in reviews]
    total_bits, total_chars = 0.0, 0
    order = np.argsort([len(s) for s in streams])  # similar lengths together: less padding
    for start in range(0, len(order), batch_size):
        chunk = [streams[i] for i in order[start:start + batch_size]]
        sentiment = np.asarray([labels[i] for i in order[start:start + batch_size]], np.int32)
        width = max(len(s) for s in chunk)
        x = np.zeros((len(chunk), width), np.int32)
        for row, s in enumerate(chunk):
            x[row, :len(s)] = s
        logits = np.asarray(model.predict_on_batch([x[:, :-1], np.repeat(sentiment[:, None], width - 1, 1)]))
        log_p = logits - logits.max(-1, keepdims=True)
        log_p = log_p - np.log(np.exp(log_p).sum(-1, keepdims=True))
        target = x[:, 1:]
        picked = np.take_along_axis(log_p, target[..., None], -1)[..., 0]
        mask = np.zeros_like(target, bool)
        for row, s in enumerate(chunk):
            mask[row, :len(s) - 1] = True
        total_bits += float(-(picked[mask]).sum() / np.log(2))
        total_chars += int(mask.sum())
    bpc = total_bits / max(total_chars, 1)
    return {"bits_per_character": bpc, "perplexity": float(2 ** bpc), "characters": total_chars,
            "reviews": len(streams)}


def _plain(model):
    """An uncompiled call (Keras refuses a mix of NumPy arrays and tensors: convert them all)."""
    return lambda *inputs: model([keras.ops.convert_to_tensor(x) for x in inputs], training=False)


def _compiled(model, jit: bool = True):
    """A compiled call of ``model`` (TensorFlow: tf.function, with XLA for fixed shapes;
    other backends: the plain call)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.function(lambda *inputs: model(list(inputs), training=False), jit_compile=jit,
                           reduce_retracing=True)
    return lambda *inputs: model(list(inputs), training=False)


def sentiment_agreement(writer: CharWriter, judge, per_sentiment: int = 100, temperature: float = 0.8,
                        length: int = 300, strength: float = DEFAULT_STRENGTH, seed: int = 0) -> dict:
    """Write ``per_sentiment`` reviews asked positive and as many asked negative, and let
    ``judge`` (texts -> P(positive) array, e.g. a sentiment model) read them: the share of
    reviews whose verdict matches the sentiment asked for."""
    asked = np.array([1] * per_sentiment + [0] * per_sentiment, np.int32)
    texts = writer.write_many(asked, temperature, length, seed=seed, strength=strength)
    verdict = (np.asarray(judge(texts)).reshape(-1) > 0.5).astype(np.int32)
    return {"agreement": float((verdict == asked).mean()), "asked_positive_judged_positive":
            float(verdict[asked == 1].mean()), "asked_negative_judged_negative": float(1 - verdict[asked == 0].mean()),
            "reviews": int(len(asked)), "temperature": temperature, "length": length, "strength": strength,
            "seed": seed}
