"""The writing LSTM: characters round trip, step-by-step equals whole-prefix, seeded and
conditioned generation, temperature, bad prompts."""

from __future__ import annotations

import numpy as np
import pytest

from data import characters
from models import store
from models.probes import generation


def test_vocabulary_round_trip_and_cleaning():
    text = "this movie wasn't great -- 7/10! (really?) \"ok\""
    assert characters.decode(characters.encode(text)) == text
    assert characters.clean("Great<br /><br />FILM\u2019s \u201cend\u201d \u2013 caf\u00e9") == \
        "great film's \"end\" - cafe"
    assert characters.clean("two\nlines") == "two lines"  # a newline only ever starts a review
    assert characters.unknown_characters("I \u2764 it \U0001f600") == ["\u2764", "\U0001f600"]
    assert characters.encode("\u2764")[0] == 0  # the unknown character
    ids, sentiment = characters.corpus(["Good.", "Bad!"], [1, 0])
    assert characters.decode(ids) == "\ngood.\nbad!"
    assert sentiment.tolist() == [1] * 6 + [0] * 5


@pytest.fixture(scope="module")
def writer():
    return generation.CharWriter(store.load_pretrained("char_lstm"))


def test_carrying_the_state_gives_the_whole_prefix_probabilities(writer):
    text = "this film was not as good as i hoped"
    whole = generation.softmax_with_temperature(writer.prefix_logits(text, 1), 1.0)
    states = writer.zero_states()
    stepped = []
    for i in characters.encode(characters.REVIEW_START + text):
        logits, states = writer.step(np.array([i]), np.array([1]), states)
        stepped.append(generation.softmax_with_temperature(logits[0], 1.0))
    np.testing.assert_allclose(np.array(stepped), whole, atol=1e-5)
    read_logits, _ = writer.read(text, 1)  # the one-call prompt reader agrees too
    np.testing.assert_allclose(generation.softmax_with_temperature(read_logits[0], 1.0), whole[-1], atol=1e-5)


def test_seeded_generation_is_reproducible_and_the_sentiment_changes_it(writer):
    def write(sentiment, seed):
        return "".join(step.char for step in writer.write("the acting", sentiment, 0.8, 60, seed=seed))

    assert write(1, 7) == write(1, 7)
    assert write(1, 7) != write(1, 8)
    assert write(1, 7) != write(0, 7)
    assert all(ch in characters.VOCABULARY for ch in write(0, 3))


def test_conditioning_changes_the_distribution(writer):
    positive, _ = writer.read("this movie was", 1)
    negative, _ = writer.read("this movie was", 0)
    assert np.abs(positive - negative).max() > 0.1


def test_temperature_sharpens_and_flattens():
    logits = np.array([2.0, 1.0, 0.0])
    cold, warm, hot = (generation.softmax_with_temperature(logits, t) for t in (0.2, 1.0, 1.5))
    assert cold[0] > warm[0] > hot[0] and cold[2] < warm[2] < hot[2]
    np.testing.assert_allclose(warm, np.exp(logits) / np.exp(logits).sum())
    with pytest.raises(ValueError, match="greater than 0"):
        generation.softmax_with_temperature(logits, 0)


def test_prompts_are_cleaned_and_capped():
    empty = generation.prepare_prompt("")
    assert empty.text == "" and empty.cut == 0
    emoji = generation.prepare_prompt("Loved it \U0001f600")
    assert emoji.unknown == ["\U0001f600"]
    long = generation.prepare_prompt("a" * 10_000)
    assert len(long.text) == generation.MAX_PROMPT and long.cut == 10_000 - generation.MAX_PROMPT


def test_bad_lengths_are_refused(writer):
    with pytest.raises(ValueError, match="length"):
        list(writer.write("x", 1, 0.8, 0))
    with pytest.raises(ValueError, match="temperature"):
        list(writer.write("x", 1, -1.0, 5))


def test_least_certain_step_has_the_flattest_guess():
    sure, unsure = [0.98, 0.01, 0.01], [0.34, 0.33, 0.33]
    assert generation.least_certain_step(np.array([sure, unsure, sure])) == 1
