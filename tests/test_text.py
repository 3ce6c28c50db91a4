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


# -- The word that moved the answer, and sentence by sentence -------------------------------------


def test_flips_needs_the_verdict_to_change_between_words():
    assert reviews.flips([0.7, 0.6, 0.4])
    assert reviews.flips([0.2, 0.8])
    assert not reviews.flips([0.9, 0.6, 0.51])  # a big move that stays positive is not a flip
    assert not reviews.flips([0.3]) and not reviews.flips([])


def test_biggest_move_names_the_word_with_the_largest_change():
    # "it was not good": "not" takes 0.62 -> 0.30 (-0.32); "good" 0.30 -> 0.35; "was" 0.60 -> 0.62.
    move = reviews.biggest_move(np.array([0.60, 0.62, 0.30, 0.35]), ["it", "was", "not", "good"])
    assert (move.index, move.word) == (2, "not")
    assert move.before == pytest.approx(0.62) and move.after == pytest.approx(0.30)
    assert move.change == pytest.approx(-0.32)
    # The largest move by size, whatever its sign, and not necessarily the word that crosses 0.5:
    # "bad" crosses (0.55 -> 0.45), "great" moves most (0.45 -> 0.95).
    move = reviews.biggest_move(np.array([0.55, 0.45, 0.95]), ["x", "bad", "great"])
    assert move.word == "great" and move.change == pytest.approx(0.5)
    # The first of two equal moves.
    assert reviews.biggest_move(np.array([0.4, 0.6, 0.4]), ["a", "b", "c"]).word == "b"


def test_biggest_move_only_when_the_trajectory_flips():
    assert reviews.biggest_move(np.array([0.9, 0.55, 0.95]), ["a", "b", "c"]) is None
    assert reviews.biggest_move(np.array([0.2]), ["bad"]) is None
    with pytest.raises(ValueError):
        reviews.biggest_move(np.array([0.2, 0.8]), ["one"])


def test_biggest_move_on_a_real_trajectory(reader):
    words = "i loved this great film but not good at all boring".split()
    tokens = reader.tokens(" ".join(words))
    curve = reader.trajectory(tokens.ids)
    move = reviews.biggest_move(curve, tokens.read_words)
    if not reviews.flips(curve):
        assert move is None
        return
    steps = np.abs(np.diff(curve))
    assert move.index == int(np.argmax(steps)) + 1 and move.word == tokens.read_words[move.index]
    assert abs(move.change) == pytest.approx(steps.max(), abs=1e-6)


def test_sentence_verdicts_read_each_sentence_on_its_own(reader):
    review = "I loved this great film. Not good at all! Boring and slow"
    verdicts = reviews.sentence_verdicts({"m": reader}, review)
    assert verdicts.sentences == ["I loved this great film.", "Not good at all!", "Boring and slow"]
    assert verdicts.total == 3 and not verdicts.cut
    alone = [reader.probability([s])[0] for s in verdicts.sentences]
    np.testing.assert_allclose(verdicts.probabilities["m"], alone, atol=1e-5)


def test_sentence_verdicts_of_a_long_review_are_cut_at_forty(reader):
    sentences = [f"{word} film number {i}." for i, word in
                 enumerate(["great", "boring", "bad", "loved"] * 12)]  # 48 sentences: cut at 40
    verdicts = reviews.sentence_verdicts({"m": reader}, " ".join(sentences))
    assert verdicts.total == 48 and verdicts.cut and len(verdicts.sentences) == reviews.MAX_SENTENCES
    p = verdicts.probabilities["m"]
    assert p.shape == (reviews.MAX_SENTENCES,)
    # Sentence 17 reads as it does alone, with the full padding.
    assert p[17] == pytest.approx(reader.probability([sentences[17]])[0], abs=1e-5)
    assert reviews.sentence_verdicts({"m": reader}, "!!!").sentences == []


def test_short_probability_equals_the_full_padded_answer(reader):
    texts = ["great", "i didn't like it boring and slow not good at all", "zebra film", ""]
    np.testing.assert_allclose(reader.short_probability(texts)[:3], reader.probability(texts)[:3], atol=1e-5)


def test_disputed_sentences_are_those_the_models_disagree_on():
    verdicts = reviews.SentenceVerdicts(["a", "b", "c"], {"x": np.array([0.9, 0.2, 0.6]),
                                                          "y": np.array([0.8, 0.3, 0.4])}, 3)
    assert verdicts.disputed() == [2]
    assert reviews.SentenceVerdicts([], {}, 0).disputed() == []


def test_moves_caption_groups_models_by_word_and_escapes_it():
    m = reviews.Move
    line = reviews.moves_caption({"LSTM": m(2, "not", 0.62, 0.30), "GRU": m(2, "not", 0.6, 0.28),
                                  "SimpleRNN": m(3, "good", 0.45, 0.2), "BiLSTM": None})
    assert line == ("The verdict flips: “not” (word 3) moved P(positive) most for LSTM (62% → 30%) and "
                    "GRU (60% → 28%); “good” (word 4) for SimpleRNN (45% → 20%).")
    assert "“\\*bold\\*”" in reviews.moves_caption({"LSTM": m(0, "*bold*", 0.7, 0.2)})
    assert reviews.moves_caption({"LSTM": None}) is None
