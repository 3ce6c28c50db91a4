"""Page state in the URL: every page's state survives a trip through a real query string, and
whatever is typed into the address falls back to defaults instead of breaking the page."""

from __future__ import annotations

import string
from urllib.parse import parse_qs, parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import url_state
from data.url_state import SCHEMAS, Bool, Float, Int

PAGES = sorted(SCHEMAS)
TEXT = st.characters(exclude_categories=("Cc", "Cs"))


def values(field):
    """A strategy for the valid values of one field."""
    if isinstance(field, Bool):
        return st.booleans()
    if isinstance(field, Int):
        return st.integers(field.low, field.high)
    if isinstance(field, Float):
        return st.floats(field.low, field.high, allow_nan=False, allow_infinity=False)
    if field.choices is not None:
        return st.sampled_from(field.choices)
    if field.pattern is not None:
        return st.from_regex(field.pattern, fullmatch=True).filter(lambda s: len(s) <= field.max_length)
    alphabet = st.one_of(TEXT, st.sampled_from("\n\t")) if field.multiline else TEXT
    return st.text(alphabet, max_size=field.max_length)


def states(schema):
    return st.fixed_dictionaries({name: values(field) for name, field in schema.items()})


def through_a_real_address(query: dict[str, str]) -> dict[str, str]:
    """What the browser's address bar gives back: percent-encoded, then parsed."""
    return dict(parse_qsl(urlencode(query), keep_blank_values=True, strict_parsing=False))


@pytest.mark.parametrize("page", PAGES)
def test_every_default_is_valid_and_an_empty_address_gives_the_defaults(page):
    schema = SCHEMAS[page]
    assert all(url_state.valid(field.default, field) for field in schema.values())
    assert url_state.decode({}, schema) == url_state.defaults(schema)
    assert url_state.encode(url_state.defaults(schema), schema) == {}  # a page as opened: a short link


@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_round_trip_through_a_real_address(page, data):
    schema = SCHEMAS[page]
    state = data.draw(states(schema))
    for keep in (False, True):
        query = url_state.encode(state, schema, keep_defaults=keep)
        assert all(isinstance(v, str) for v in query.values())
        assert url_state.decode(through_a_real_address(query), schema) == state


HOSTILE = ["", " ", "nan", "NaN", "inf", "-inf", "1e999", "-1e999", "9" * 5_000, "1_000", "+5", " 5", "0x10",
           "1.5", "-1", "99999999999999999999", "\x00", "\x1b[31m", "\ud800", "<script>alert(1)</script>",
           "' OR 1=1 --", "../../etc/passwd", "x" * 100_000, "%00", "true\x00", "mnist_cnn\n", "MNIST_CNN", "é"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_fall_back_to_valid_values(page, hostile):
    schema = SCHEMAS[page]
    state = url_state.decode({name: hostile for name in schema}, schema)
    assert set(state) == set(schema)
    for name, field in schema.items():
        assert url_state.valid(state[name], field)
        if len(hostile) > 2_000 or any(c in hostile for c in "\x00\x1b\ud800"):
            assert state[name] == field.default


@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_address_decodes_to_a_valid_state(page, data):
    schema = SCHEMAS[page]
    names = st.sampled_from([*schema, "other", ""])
    raw = st.one_of(st.text(max_size=300), st.text(string.digits + ".-+eE_ ", max_size=30),
                    st.lists(st.text(max_size=20), max_size=3), st.none(), st.integers(), st.floats())
    query = data.draw(st.dictionaries(names, raw, max_size=6))
    state = url_state.decode(query, schema)
    assert set(state) == set(schema) and all(url_state.valid(state[n], f) for n, f in schema.items())


def test_a_repeated_parameter_takes_the_last_value_as_streamlit_does():
    schema = SCHEMAS["compare"]
    query = parse_qs("metric=accuracy&metric=loss&normalise=1")
    assert url_state.decode(query, schema) == {"group": "mnist/main", "metric": "loss", "normalise": True}


def test_numbers_have_one_spelling_and_a_range():
    write = SCHEMAS["write"]
    assert url_state.decode({"length": "120", "temperature": "1.25"}, write)["length"] == 120
    assert url_state.decode({"temperature": "1.25"}, write)["temperature"] == 1.25
    for spelling in ("1_20", "+120", " 120", "120.0", "0b11", "5", "1001"):
        assert url_state.decode({"length": spelling}, write)["length"] == 300
    for spelling in ("0.0", "2.5", "nan", "1,2", ".5", "1e5"):
        assert url_state.decode({"temperature": spelling}, write)["temperature"] == 0.8
    assert url_state.decode({"normalise": "Yes"}, SCHEMAS["compare"])["normalise"] is True


def test_encode_refuses_what_a_page_should_never_hold():
    with pytest.raises(ValueError, match="metric"):
        url_state.encode({"metric": "precision"}, SCHEMAS["compare"])
    with pytest.raises(ValueError, match="length"):
        url_state.encode({"length": 5}, SCHEMAS["write"])
    with pytest.raises(ValueError, match="normalise"):
        url_state.encode({"normalise": 1}, SCHEMAS["compare"])
    assert url_state.encode({"unknown": "kept out", "metric": "loss"}, SCHEMAS["compare"]) == {"metric": "loss"}


def test_narrow_limits_a_field_to_the_registry_s_keys():
    review = url_state.narrow(SCHEMAS["review"], model=["imdb_gru", "imdb_lstm"])
    assert url_state.decode({"model": "imdb_gru"}, review)["model"] == "imdb_gru"
    assert url_state.decode({"model": "mnist_cnn"}, review)["model"] == "imdb_lstm"  # a real key, wrong page
    presets = ["Quick class run: CNN, 1 epoch, 10,000 digits", "RNN vs GRU: GRU(128), 3 epochs"]
    train = url_state.narrow(SCHEMAS["train"], preset=presets)
    assert train["preset"].default == presets[0]
    query = through_a_real_address(url_state.encode({"preset": presets[1]}, train))
    assert url_state.decode(query, train) == {"preset": presets[1]}
    assert SCHEMAS["review"]["model"].choices is None  # the shared schema is untouched
    with pytest.raises(TypeError):
        url_state.narrow(SCHEMAS["write"], length=["1"])
