"""What is on a page, as URL query parameters, and back.

Every page keeps its state in the address (``st.query_params``), so copying the address
reproduces what is on screen. A page declares a small typed schema; :func:`encode` turns its
state into query parameters and :func:`decode` turns whatever is in the address back into a
state. The address is typed by anyone: a value that is missing, malformed, out of range, too
long or not one of the allowed choices falls back to the field's default, never an error.

    state = url_state.decode(st.query_params, url_state.SCHEMAS["review"])
    ...
    st.query_params.from_dict(url_state.encode(state, url_state.SCHEMAS["review"]))

Choices that live in the registry (model keys, presets) are not imported here (``data`` does
not depend on ``models``): a page narrows a field with :func:`narrow`.

No Streamlit here: the pages call this module.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

MAX_RAW_NUMBER = 32  # characters: longer "numbers" are refused before parsing
INTEGER = re.compile(r"-?[0-9]{1,18}")  # no "+", "_", spaces: one spelling per value
FLOAT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
MODEL_KEY = r"[a-z][a-z0-9_]{0,47}"


@dataclass(frozen=True)
class Str:
    default: str
    max_length: int = 100
    choices: tuple[str, ...] | None = None  # when set, only these
    pattern: str | None = None  # when set, the whole value must match
    multiline: bool = False  # allow newlines and tabs (typed text)

    def parse(self, raw: str) -> str:
        if len(raw) > self.max_length:
            raise ValueError("too long")
        keep = "\n\t" if self.multiline else ""
        if any(c not in keep and unicodedata.category(c) in ("Cc", "Cs") for c in raw):
            raise ValueError("control characters")
        if self.choices is not None and raw not in self.choices:
            raise ValueError("not a choice")
        if self.pattern is not None and not re.fullmatch(self.pattern, raw):
            raise ValueError("does not match")
        return raw

    def format(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Int:
    default: int
    low: int
    high: int

    def parse(self, raw: str) -> int:
        if not INTEGER.fullmatch(raw):
            raise ValueError("not an integer")
        value = int(raw)
        if not self.low <= value <= self.high:
            raise ValueError("out of range")
        return value

    def format(self, value: int) -> str:
        return str(int(value))


@dataclass(frozen=True)
class Float:
    default: float
    low: float
    high: float

    def parse(self, raw: str) -> float:
        if len(raw) > MAX_RAW_NUMBER or not FLOAT.fullmatch(raw):
            raise ValueError("not a number")
        value = float(raw)
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise ValueError("out of range")
        return value

    def format(self, value: float) -> str:
        return repr(float(value))  # the shortest text that reads back as exactly the same float


@dataclass(frozen=True)
class Bool:
    default: bool

    def parse(self, raw: str) -> bool:
        lowered = raw.strip().lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ValueError("not a yes/no")

    def format(self, value: bool) -> str:
        return "1" if value else "0"


Field = Str | Int | Float | Bool
Schema = dict[str, Field]


def valid(value, field: Field) -> bool:
    """Whether ``value`` is a value the field can hold (what :func:`decode` may return)."""
    try:
        if isinstance(field, Bool):
            return isinstance(value, bool)
        if isinstance(field, Int):
            return isinstance(value, int) and not isinstance(value, bool) and field.parse(field.format(value)) == value
        if isinstance(field, Float):
            return isinstance(value, float) and field.parse(field.format(value)) == value
        return isinstance(value, str) and field.parse(value) == value
    except ValueError:
        return False


def defaults(schema: Schema) -> dict:
    return {name: field.default for name, field in schema.items()}


def encode(state: Mapping, schema: Schema, *, keep_defaults: bool = False) -> dict[str, str]:
    """Query parameters for ``state``: only the schema's fields, only valid values, and (unless
    ``keep_defaults``) only those that differ from the default, which keeps links and their QR
    codes short. Raises ValueError for an invalid value: that is a bug in the page."""
    query = {}
    for name, field in schema.items():
        if name not in state:
            continue
        value = state[name]
        if not valid(value, field):
            raise ValueError(f"{name}={value!r} is not a valid value for {field}")
        if keep_defaults or value != field.default:
            query[name] = field.format(value)
    return query


def decode(query: Mapping, schema: Schema) -> dict:
    """The state in ``query`` (``st.query_params`` or any mapping of str to str or list of
    str): every field of the schema, each value valid, defaults where the address says
    nothing usable. Never raises for what is in the address."""
    state = {}
    for name, field in schema.items():
        raw = query.get(name) if hasattr(query, "get") else None
        if isinstance(raw, list | tuple):  # a repeated parameter: the last one wins, as in Streamlit
            raw = raw[-1] if raw else None
        try:
            state[name] = field.parse(raw) if isinstance(raw, str) else field.default
        except (ValueError, OverflowError):
            state[name] = field.default
    return state


def narrow(schema: Schema, **choices) -> Schema:
    """A copy of ``schema`` whose string fields accept only the given choices (e.g. the model
    keys the registry has), keeping each default if it is one of them, else the first choice."""
    narrowed = dict(schema)
    for name, options in choices.items():
        field = schema[name]
        if not isinstance(field, Str):
            raise TypeError(f"{name} is not a text field")
        options = tuple(options)
        if not options:
            raise ValueError(f"no choices for {name}")
        default = field.default if field.default in options else options[0]
        narrowed[name] = dataclasses.replace(field, choices=options, default=default,
                                             max_length=max(field.max_length, *map(len, options)))
    return narrowed


# -- The pages' schemas ---------------------------------------------------------------------------
# Names are short (they are in every shared link); defaults are what a page shows when opened.

SCHEMAS: dict[str, Schema] = {
    "draw": {
        "model": Str("mnist_lstm", 48, pattern=MODEL_KEY),  # the recurrent model shown inside
        "tab": Str("maps", choices=("maps", "memory")),  # CNN feature maps | recurrent memory
        "source": Str("draw", choices=("draw", "upload", "test")),
        "example": Int(0, 0, 9_999),  # which MNIST test digit, when source is mnist
    },
    "review": {
        "text": Str("", 2_000, multiline=True),
        "model": Str("imdb_lstm", 48, pattern=MODEL_KEY),
    },
    "gates": {
        "source": Str("sine", choices=("sine", "cosine", "sine_to_cosine", "digit", "review")),  # the wave task
        "model": Str("waves", 48, pattern=MODEL_KEY),  # "waves" (the wave lab) or an LSTM's registry key
        "t": Int(1, 1, 1_000),  # the time step, from 1 as on the page
        "text": Str("", 2_000, multiline=True),
    },
    "compare": {
        "group": Str("mnist/main", 48, pattern=r"[a-z0-9_]{1,20}/[a-z0-9_]{1,24}"),
        "metric": Str("accuracy", choices=("accuracy", "loss")),
        "normalise": Bool(False),
    },
    "train": {
        "preset": Str("", 120),  # a preset's name; narrow() to runs.PRESETS on the page
    },
    "photo": {
        "model": Str("cifar_cnn", 48, pattern=MODEL_KEY),  # the model whose Grad-CAM is shown
        "example": Int(0, 0, 9_999),  # which CIFAR-10 test photo
        "source": Str("test", choices=("test", "upload", "camera")),
    },
    "write": {  # ranges as the page's sliders: a value outside them would be an error there
        "prompt": Str("This movie was", 200, multiline=True),
        "sentiment": Str("positive", choices=("positive", "negative")),
        "temperature": Float(0.8, 0.1, 2.0),
        "length": Int(300, 20, 600),
        "strength": Float(1.0, 0.0, 3.0),
        "seed": Int(0, 0, 10_000),
    },
    "board": {
        "kind": Str("drawing", choices=("drawing", "review")),
        "model": Str("mnist_cnn", 48, pattern=MODEL_KEY),
    },
}
