"""SST: PTB tokens back into typed text, the loader's counts on the real data, the converter
from the official trees, and the negation suite's file."""

from __future__ import annotations

from pathlib import Path

import pytest

from data import sst
from models import negation
from tests.conftest import require

# Real SST patterns (tokenised as in the treebank) and how a person types them.
DETOKENIZED = [
    ("Low comedy does n't come much lower .", "Low comedy doesn't come much lower."),
    ("I ca n't say it 's on par with the first one", "I can't say it's on par with the first one"),
    ("It certainly wo n't win any awards in the plot department",
     "It certainly won't win any awards in the plot department"),
    ("Ca n't get enough .", "Can't get enough."),
    ("I 'm sure if you 're a Hartley fan , you might enjoy yourself ... Me , I did n't care for it .",
     "I'm sure if you're a Hartley fan, you might enjoy yourself... Me, I didn't care for it."),
    ("judge a film like RINGU when you 've seen the remake first",
     "judge a film like RINGU when you've seen the remake first"),
    ("If you love Motown music , you 'll love this documentary .",
     "If you love Motown music, you'll love this documentary."),
    ("about what you 'd expect", "about what you'd expect"),
    ("`` Birthday Girl '' is an actor 's movie first and foremost .",
     '"Birthday Girl" is an actor\'s movie first and foremost.'),
    ("As a science fiction movie , `` Minority Report '' astounds .",
     'As a science fiction movie, "Minority Report" astounds.'),
    ("it 's in French ( well , mostly ) with English subtitles",
     "it's in French (well, mostly) with English subtitles"),
    ("it 's in French -LRB- well , mostly -RRB- with English subtitles",
     "it's in French (well, mostly) with English subtitles"),
    ("a -LSB- sic -RSB- joke", "a [sic] joke"),
    ("co-writer\\/director Peter Jackson 's expanded vision", "co-writer/director Peter Jackson's expanded vision"),
    ("as a ` very sneaky ' butler", "as a 'very sneaky' butler"),
    ("What 's next ?", "What's next?"),
    ("Hey Arnold !", "Hey Arnold!"),
    ("The film is n't gon na win .", "The film isn't gonna win."),
    ("It is worth $ 10 ; maybe 100 % .", "It is worth $10; maybe 100%."),
    ("Is n't it great ?!?", "Isn't it great?!?"),
    ("they are n't , we 're not", "they aren't, we're not"),
    ("can not adequately describe", "can not adequately describe"),  # two words in the source: kept
    ("good", "good"),
    ("'' certainly is n't dull .", "certainly isn't dull."),  # a phrase that starts after an opening quote
]


@pytest.mark.parametrize(("tokens", "typed"), DETOKENIZED)
def test_detokenize(tokens, typed):
    assert sst.detokenize(tokens) == typed


def test_detokenize_leaves_plain_text_alone():
    for text in ("The food wasn't good.", "Very Displeased.", "will never, ever go back."):
        assert sst.detokenize(text) == text


@pytest.fixture(scope="session")
def sst_path() -> Path:
    return require(sst.SST.name)


def test_sst2_counts(sst_path):
    x, y = sst.load_binary("test")
    assert len(x) == 1821 and int(y.sum()) == 909  # the standard SST-2 test sentences
    x, y = sst.load_binary("dev")
    assert len(x) == 872 and int(y.sum()) == 444
    x, y = sst.load_binary("train")
    assert len(x) == 6911  # 6,920 trees, 9 repeated non-neutral sentences collapse
    assert x.dtype == object and set(y.tolist()) == {0, 1}


def test_phrases(sst_path):
    x, y = sst.load_binary("train", phrases=True)
    assert len(x) == 31_639 + 39_066 - 2  # every non-neutral train phrase (README table) but "(" and ")"
    assert int(y.sum()) == 39_066 - 1
    assert all(any(c.isalnum() for c in t) for t in x)  # an empty review makes the warm-up average NaN
    two_words, _ = sst.load_binary("train", phrases=True, min_words=2)
    assert len(two_words) < len(x) and all(len(t.split()) >= 2 for t in two_words[:1000])
    texts = set(x.tolist())
    assert "Not good" in texts and all(" n't" not in t and "``" not in t and not t.startswith('" ') for t in texts)


def test_rows_keep_text_none(sst_path):
    assert any(text == "None" for text, *_ in sst.load_rows())


def test_converter_rebuilds_the_csv(sst_path):
    trees = sst_path.parent / "original" / "trees"
    if not trees.is_dir():
        pytest.skip("original/trees not beside sst.csv.gz")
    contents = {split: (trees / f"{split}.txt").read_text(encoding="utf-8") for split in sst.SPLITS}
    assert sst.csv_from_trees(contents) == sst_path.read_bytes()


def test_tree_nodes():
    nodes = sst.tree_nodes("(3 (2 It) (4 (2 is) (4 (2 n't) (1 bad))))")
    assert nodes[0] == ("It is n't bad", 3, True)
    assert ("n't bad", 4, False) in nodes and len(nodes) == 7


def test_negation_file_is_well_formed():
    pairs = negation.load_pairs()
    assert len(pairs) >= 40
    texts = [text for rows in pairs.values() for text, _ in rows]
    assert len(texts) == len(set(texts))  # no sentence twice


def test_score_pairs_counts_both_sides():
    pairs = negation.load_pairs()
    n = len(pairs)
    assert negation.score_pairs(lambda texts: [0.9] * len(texts)) == (0, n)  # always "positive": no pair right
    truth = {text: label for rows in pairs.values() for text, label in rows}
    assert negation.score_pairs(lambda texts: [float(truth[t]) for t in texts]) == (n, n)


def test_sst_is_a_catalog_task_that_measures_the_review_models(sst_path):
    from data import catalog

    task = catalog.get(catalog.SST)
    assert task.measures_models_of == catalog.IMDB and task.files == (sst.SST,)
    x, y = task.load_test()
    assert len(x) == 1821 and int(y.sum()) == 909
    assert not any(" n't" in t or "-LRB-" in t or "``" in t for t in x)  # typed text, not PTB tokens
    data = task.load(train_limit=500)
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (500, 100, 1821)
    assert data.name == catalog.SST and data.class_names == ["negative", "positive"]


def test_sst_test_set_offline_is_a_clear_error(tmp_path, monkeypatch):
    from data import catalog, sources

    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(sources.DataUnavailable, match="sst.csv.gz"):
        catalog.get(catalog.SST).load_test(allow_download=False)


def test_the_review_pages_negation_pairs_are_pairs_of_the_suite():
    from pages._ui import examples

    pairs = {frozenset(text for text, _ in rows): rows for rows in negation.load_pairs().values()}
    for first, second in examples.NEGATION_PAIRS:
        assert frozenset((first, second)) in pairs, (first, second)
