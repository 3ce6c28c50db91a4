"""Cutting a review into sentences (the Review page's sentence-by-sentence view)."""

import pytest

from data.sentences import split_sentences


@pytest.mark.parametrize(("text", "sentences"), [
    ("The first half was good, but the ending was not good at all. Boring.",
     ["The first half was good, but the ending was not good at all.", "Boring."]),
    ("Loved it! Would I go again? Never. ", ["Loved it!", "Would I go again?", "Never."]),
    ("Great acting.<br /><br />Terrible plot", ["Great acting.", "Terrible plot"]),
    ("first line\nsecond line\r\nthird", ["first line", "second line", "third"]),
    ('She said "awful." Then it got better (a lot better.) Yes',
     ['She said "awful."', "Then it got better (a lot better.)", "Yes"]),
    ("Wow!!! Really?! ok", ["Wow!!!", "Really?!", "ok"]),
])
def test_sentences_end_at_stops_and_line_breaks(text, sentences):
    assert split_sentences(text) == sentences


@pytest.mark.parametrize("text", [
    "Mr. Smith and Dr. Jones were great, e.g. in the last scene.",
    "I give it 7.5/10 and that is generous.",
    "It was... fine, I suppose.",
    "A single sentence without a stop",
])
def test_abbreviations_numbers_and_ellipses_do_not_end_a_sentence(text):
    assert split_sentences(text) == [text]


def test_pieces_without_words_are_not_sentences():
    assert split_sentences("") == [] and split_sentences("  !!! ... -  ") == []
    assert split_sentences("Good. !!! Bad.") == ["Good.", "Bad."]


def test_every_word_is_kept_in_order():
    text = "One. Two! Three? Four... five.<br />Six\nSeven"
    assert " ".join(split_sentences(text)).replace("<br />", " ").split() == text.replace("<br />", " ").split()
