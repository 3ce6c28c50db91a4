"""The review pipeline inside the IMDB models: standardisation, vectorisation, masking, and the
word-by-word trajectory whose last point is the model's answer."""

import numpy as np
import pytest
import tensorflow as tf

from models import architectures
from models.probes import reviews

CORPUS = np.array([
    "I loved this film, it's great!", "I didn't like it.<br /><br />Boring and slow.",
    "Great acting, great music", "Not good at all", "the plot was bad and the film was boring",
] * 4, dtype=object)


def test_standardize_keeps_apostrophes_and_drops_markup():
    out = reviews.standardize_review(tf.constant(["I DON'T like 'it'<br />At ALL!!! Ça va... ‘quoted’ rock'n'roll"]))
    assert out.numpy()[0].decode().split() == ["i", "don't", "like", "it", "at", "all", "ça", "va", "quoted",
                                                "rock'n'roll"]


def test_clean_words_of_bad_input():
    assert reviews.clean_words("") == []
    assert reviews.clean_words("!!! ... ??? 🎬🍿") == []
    assert reviews.clean_words("<b>bold</b> move") == ["b", "bold", "b", "move"]  # tags are words, never HTML
    assert len(reviews.clean_words("word " * 100_000)) <= reviews.MAX_CHARACTERS // 5 + 1


@pytest.fixture(scope="module", params=[("lstm", False, 1, False), ("simple_rnn", False, 1, False),
                                        ("gru", False, 1, True), ("lstm", False, 1, True), ("lstm", True, 2, True),
                                        ("lstm", True, 2, False)],
                ids=["lstm", "rnn", "gru-avg", "lstm-avg", "bilstm2-avg", "bilstm2"])
def reader(request):
    cell, bidirectional, stacked, average = request.param
    tf.keras.utils.set_random_seed(1)
    model = architectures.imdb_recurrent(cell=cell, units=8, embed_dim=8, stacked=stacked,
                                         bidirectional=bidirectional, average_over_words=average,
                                         embed_dropout=0.2, adapt_texts=CORPUS, vocab_size=50, sequence_length=12)
    reader = reviews.SentimentReader(model)
    assert (reader._steps is None) == bidirectional  # one-directional models read word by word in one pass
    return reader


def test_vectorization_round_trip(reader):
    tokens = reader.tokens("I loved this great film, zebra!")
    assert tokens.words == ["i", "loved", "this", "great", "film", "zebra"]
    assert tokens.seen() == ["i", "loved", "this", "great", "film", "[UNK]"]
    assert tokens.unknown == ["zebra"] and not tokens.truncated


def test_long_reviews_keep_their_last_words(reader):
    words = ["great"] * 25 + ["i", "didn't", "like", "it", "boring", "and", "slow", "not", "good", "at", "all", "zebra"]
    tokens = reader.tokens(" ".join(words))
    assert tokens.read == 12 and tokens.truncated and len(tokens.words) == len(words)
    assert tokens.read_words == words[-12:]
    assert tokens.seen() == words[-12:-1] + ["[UNK]"] and tokens.unknown == ["zebra"]
    # The model's answer is its answer on those last words alone.
    assert reader.probability([" ".join(words)])[0] == pytest.approx(
        reader.probability([" ".join(words[-12:])])[0], abs=1e-6)


def test_trajectory_ends_at_the_models_answer(reader):
    for review in ["great film", "I didn't like it, boring and slow", "not good at all " * 5, "zebra"]:
        ids = reader.tokens(review).ids
        curve = reader.trajectory(ids)
        assert len(curve) == len(ids)
        final = float(reader.model(reviews.as_model_input(review))[0, 0])  # plain Keras, full padded input
        assert curve[-1] == pytest.approx(final, abs=1e-5)
        assert reader.probability([review])[0] == pytest.approx(final, abs=1e-5)


def test_trajectory_points_are_prefix_predictions(reader):
    """Point t is what the model answers when the review stops after word t."""
    words = ["i", "loved", "this", "great", "film"]
    curve = reader.trajectory(reader.tokens(" ".join(words)).ids)
    for t in range(1, len(words) + 1):
        prefix = float(reader.model(reviews.as_model_input(" ".join(words[:t])))[0, 0])
        assert curve[t - 1] == pytest.approx(prefix, abs=1e-5)


def test_padding_is_masked(reader):
    """A short review in a batch with a long one (more padding around it, or less) gets the same
    answer as alone; without the mask the zeros would change the state."""
    alone = reader.probability(["great film"])[0]
    together = reader.probability(["great film", "i didn't like it boring and slow not good at all"])[0]
    assert together == pytest.approx(alone, abs=1e-6)
    emb = reader.model.get_layer("embedding")
    assert emb.mask_zero
    # The padding embedding is not zero, so only the mask keeps it from moving the state.
    assert np.abs(np.asarray(emb.embeddings)[0]).sum() > 0


def test_snippets_are_short_and_keep_their_label():
    from data import imdb

    texts = np.array(["Great start. Then it dragged on. The end was wonderful! Really.",
                      "Bad. Awful acting everywhere. I left early, honestly. Never again."] * 10, dtype=object)
    labels = np.array([1, 0] * 10)
    snippets, snippet_labels = imdb.review_snippets(texts, labels, fraction=1.0)
    assert len(snippets) > 0
    for s, y in zip(snippets, snippet_labels):
        source = [t for t, lab in zip(texts, labels) if s in t]
        assert source and labels[list(texts).index(source[0])] == y
        assert len(s.split()) < len(source[0].split())


def test_a_very_long_paste_keeps_its_last_part_from_a_whole_word():
    from data.imdb import MAX_CHARACTERS, review_text

    text = "The opening was slow. " + "filler words here " * 2_000 + "In the end I loved it."
    kept = review_text(text)
    assert len(text) > MAX_CHARACTERS >= len(kept) > MAX_CHARACTERS - 100
    assert kept.endswith("In the end I loved it.") and "opening" not in kept
    assert kept.split()[0] in ("filler", "words", "here")  # no half word at the cut
    assert review_text("short and sweet") == "short and sweet"
