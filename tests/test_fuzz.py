"""Fuzzing every door a user's input comes through: 10,000 generated cases, no uncaught exception.

* a drawing or any array (any shape, any dtype, NaN and inf) -> ``digits.prepare``;
* an uploaded file (random bytes, damaged real images of every format, absurd dimensions)
  -> ``digits.open_image`` then ``digits.prepare``, as on the Draw page and in the CLI;
* a typed review (any unicode, up to 1 MB) -> the pretrained review model, as the Review page reads it;
* the command line -> ``models.__main__.main(argv)`` in this process.

Every bad input must end in the project's own error with a sentence a student can read
(``NotAnImage``, or an ``error: ...`` line and a non-zero exit status), never a NumPy,
Pillow or TensorFlow exception or a traceback.
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from data import digits

CASES = {"arrays": 2500, "uploads": 3000, "reviews": 1000, "cli": 3500}  # 10,000 in all
assert sum(CASES.values()) == 10_000


def fuzz(name: str):
    return settings(max_examples=CASES[name], deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def assert_clear(message: str) -> None:
    """One line, a sentence long, written by us (no exception class names, no traceback)."""
    assert message and "\n" not in message and "Traceback" not in message, message
    assert len(message) >= 12, message


def assert_digit(prepared) -> None:
    if prepared is not None:
        image = prepared.image
        assert image.shape == (28, 28) and image.dtype == np.float32
        assert np.isfinite(image).all() and image.min() >= 0 and image.max() <= 1


# -- Digits: any array ---------------------------------------------------------------------------

DTYPES = st.one_of(hnp.boolean_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.floating_dtypes(),
                   hnp.complex_number_dtypes(), hnp.datetime64_dtypes(), hnp.timedelta64_dtypes(),
                   st.sampled_from([np.dtype("U3"), np.dtype("S2"), np.dtype(object)]))
SHAPES = st.one_of(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=12),
                   st.tuples(st.integers(1, 48), st.integers(1, 48), st.sampled_from([1, 2, 3, 4])),  # images
                   st.tuples(st.integers(1, 48), st.integers(1, 48)))


@st.composite
def arrays(draw):
    array = draw(hnp.arrays(DTYPES, SHAPES))
    if array.dtype.kind == "f" and array.size and draw(st.booleans()):  # a stroke on NaN/inf/huge noise
        array = array.copy()
        array.flat[draw(st.integers(0, array.size - 1))::draw(st.integers(1, 7))] = np.finfo(array.dtype).max
    return array


@fuzz("arrays")
@given(arrays())
def test_fuzz_any_array_gives_a_digit_none_or_a_clear_error(array):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no silent overflow or NaN either
        try:
            prepared = digits.prepare(array)
        except digits.NotAnImage as error:
            assert_clear(str(error))
            return
    assert_digit(prepared)


# -- Uploads: any bytes --------------------------------------------------------------------------


def _encode(array: np.ndarray, mode: str, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()


def _png_header(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (valid CRC), followed by ``body``."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


_rng = np.random.default_rng(6)
_SAMPLE = _rng.integers(0, 256, (24, 20, 3), np.uint8)
_SAMPLE[4:20, 8:12] = 255  # some ink
FORMATS = {"PNG": ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"], "JPEG": ["L", "RGB", "CMYK"], "GIF": ["P", "L"],
           "BMP": ["1", "L", "RGB"], "TIFF": ["1", "L", "RGB", "RGBA", "CMYK", "I;16", "F"], "WEBP": ["RGB", "RGBA"],
           "ICO": ["RGBA"], "PPM": ["L", "RGB"], "TGA": ["RGB"], "PCX": ["RGB"]}
SEEDS = [_encode(_SAMPLE, mode, fmt) for fmt, modes in FORMATS.items() for mode in modes]


@st.composite
def uploads(draw):
    kind = draw(st.sampled_from(["bytes", "truncated", "bit flips", "spliced", "huge header", "fresh image"]))
    if kind == "bytes":
        return draw(st.binary(max_size=1024))
    if kind == "huge header":  # Pillow's decompression-bomb limit and ours, and zero sizes
        size = st.integers(0, 2**31 - 1) | st.sampled_from([0, 1, 7000, 2**16, 2**31 - 1])
        return _png_header(draw(size), draw(size), draw(st.binary(max_size=64)))
    if kind == "fresh image":  # a real image of any mode, size and format
        h, w = draw(st.integers(1, 40)), draw(st.integers(1, 40))
        pixels = draw(hnp.arrays(np.uint8, (h, w, 3), elements=st.integers(0, 255)))
        fmt = draw(st.sampled_from(sorted(FORMATS)))
        return _encode(pixels, draw(st.sampled_from(FORMATS[fmt])), fmt)
    data = bytearray(draw(st.sampled_from(SEEDS)))
    if kind == "truncated":
        return bytes(data[:draw(st.integers(0, len(data) - 1))])
    if kind == "spliced":
        at = draw(st.integers(0, len(data)))
        return bytes(data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@fuzz("uploads")
@given(uploads())
def test_fuzz_uploaded_bytes_open_or_get_a_clear_error(data):
    try:
        image = digits.open_image(data)
        prepared = digits.prepare(image)
    except digits.NotAnImage as error:
        assert_clear(str(error))
        event("NotAnImage: " + str(error).split(" (")[0][:40])
        return
    event("no digit" if prepared is None else "a digit")
    assert_digit(prepared)


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (20_000, 20_000), (7_000, 7_000), (2**31 - 1, 1)])
def test_absurd_dimensions_are_refused_as_too_large_before_decoding(width, height):
    """Both our 40-megapixel limit and Pillow's own bomb limit (met while reading the header)
    say "too large", not "not an image"."""
    with pytest.raises(digits.NotAnImage, match="too large"):
        digits.open_image(_png_header(width, height))


# -- Reviews: any text, through the pretrained model the Review page uses -----------------------


@pytest.fixture(scope="module")
def reader():
    from models import registry, store
    from models.probes import reviews

    assert registry.get("imdb_lstm").pretrained_path.is_file()
    # as pages/_ui/model_cache._load builds it
    return reviews.SentimentReader(store.load_pretrained("imdb_lstm")).warm_up()


ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates too: bytes from a command line
REVIEWS = st.one_of(
    st.text(ANY_CHARACTER, max_size=200),
    st.text(st.sampled_from(list("ab '’-.!<>/\n\t\u00a0\u200b\u0301éßİ𝔤😀٣")), max_size=300),
    # up to 1 MB: a short piece repeated (the Review page's text area stops at 20,000 characters,
    # the CLI and the library do not)
    st.tuples(st.text(ANY_CHARACTER, min_size=1, max_size=12), st.integers(1, 1_000_000)).map(
        lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[:pair[1]]),
)


@fuzz("reviews")
@given(review=REVIEWS)
def test_fuzz_any_review_is_read_or_has_no_words(reader, review):
    from models.probes import reviews

    reading = reviews.read_review({"imdb_lstm": reader}, review)["imdb_lstm"]
    tokens = reading.tokens
    assert tokens.read == min(len(tokens.words), reviews.SEQUENCE_LENGTH)
    assert len(tokens.seen()) == len(tokens.read_words) == tokens.read == len(reading.trajectory)
    assert np.isfinite(reading.trajectory).all()
    assert ((reading.trajectory >= 0) & (reading.trajectory <= 1)).all()
    assert 0 <= reading.probability <= 1


# -- The command line, in this process ------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory):
    """Files a user might pass: a digit, garbage, a truncated image, an empty file, a folder,
    a missing file, a damaged .keras, a text file with odd bytes."""
    root = tmp_path_factory.mktemp("cli")
    digit = np.zeros((60, 60), np.uint8)
    digit[10:50, 27:33] = 255
    Image.fromarray(digit).save(root / "one.png")
    (root / "garbage.png").write_bytes(b"\x89PNG not really")
    (root / "half.png").write_bytes((root / "one.png").read_bytes()[:40])
    (root / "empty.jpg").write_bytes(b"")
    (root / "folder").mkdir()
    (root / "bad.keras").write_bytes(b"PK\x03\x04 not a zip")
    (root / "reviews.txt").write_bytes(b"great film\n\xff\xfe bad bytes\n\n!!!\n")
    return [str(root / name) for name in
            ["one.png", "garbage.png", "half.png", "empty.jpg", "folder", "missing.png", "bad.keras", "reviews.txt"]]


@pytest.fixture
def offline_cli(monkeypatch, tmp_path):
    """No training and no evaluation in a fuzz test: the datasets are "offline" (the CLI's
    argument checks run first), and each pretrained model is loaded once."""
    import functools

    from data import sources
    from models import store
    from models.training import loop

    def offline(*args, **kwargs):
        raise sources.DataUnavailable("The MNIST file `mnist.npz` is not on this machine (fuzz test).")

    monkeypatch.setattr(loop, "train", offline)
    monkeypatch.setattr(loop, "load_dataset", offline)
    monkeypatch.setattr(store, "load_pretrained", functools.lru_cache(store.load_pretrained))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from models import __main__ as cli

    return cli


def cli_arguments(files):
    """Mostly well-formed command lines with bad values (they reach the commands' own checks),
    some with misplaced options, some pure noise (they meet argparse)."""
    from models import registry

    # Not NUL: no shell can pass it (execve arguments are C strings).
    free_text = st.text(st.characters(exclude_categories=(), exclude_characters="\x00"), max_size=20)
    odd_numbers = ["", "0", "-1", "nan", "inf", "-inf", "1e400", "1e-4", "0x10", "٣", "4294967296"]
    number = st.one_of(st.integers(-2**40, 2**40).map(str), st.floats().map(repr), free_text,
                       st.sampled_from(odd_numbers))
    path = st.sampled_from(files) | free_text
    review = free_text | st.sampled_from(["great film", "awful", "!!!", "😀", "ok \udcff\udcfe"])

    def pair(flags, values):
        return st.tuples(st.sampled_from(flags), values).map(list)

    json_flag, data_dir = st.just(["--json"]), pair(["--data-dir"], path)
    options = {
        "list": st.one_of(json_flag, data_dir),
        "train": st.one_of(pair(["--epochs", "--batch-size", "--seed", "--limit", "--converge"], number),
                           pair(["--out"], path), data_dir),
        "evaluate": st.one_of(pair(["--model-file"], path), json_flag, data_dir),
        "predict": st.one_of(path.map(lambda p: [p]), pair(["--text"], review), pair(["--text-file"], path),
                             json_flag),
    }
    anything = st.one_of(*options.values(), st.sampled_from([["--data-dir"], ["--text"], ["--"], ["-"], ["-h"]]))
    names = st.sampled_from(sorted(registry.MODELS))

    def command_line(command):
        return st.tuples(st.one_of(names, names, free_text), st.lists(options[command] | anything, max_size=4)).map(
            lambda t: [command, t[0], *[word for words in t[1] for word in words]])

    well_formed = st.sampled_from(sorted(options)).flatmap(command_line)
    return st.one_of(well_formed, well_formed, well_formed, st.lists(free_text, max_size=4))


def run_cli(cli, argv):
    """The CLI in-process, as a shell would run it; what it changes in os.environ (``--data-dir``
    sets the data directory for the run) is put back, so no later test sees it."""
    out, err = io.StringIO(), io.StringIO()
    environment = dict(os.environ)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as stop:  # argparse: bad usage (2) or --help (0)
            code = stop.code
        finally:
            os.environ.clear()
            os.environ.update(environment)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("offline_cli")
def test_fuzz_command_line(cli_files):
    from models import __main__ as cli

    seen = collections.Counter()

    @fuzz("cli")
    @given(argv=cli_arguments(cli_files))
    def check(argv):
        code, out, err = run_cli(cli, argv)
        seen[code] += 1
        assert isinstance(code, int) and code in (0, 1, 2, 3), (argv, code)
        assert "Traceback" not in err and "Traceback" not in out
        if code:
            lines = [line for line in err.splitlines() if line.strip()]
            errors = [line for line in lines if line.startswith("error:") or ": error:" in line]
            assert errors, (argv, err)  # each failure says so, on a line of its own
            for line in errors:
                assert len(line.split("error:", 1)[1].strip()) >= 10, line

    check()
    print("exit statuses:", dict(seen))
    assert set(seen) == {0, 1, 2, 3}  # the fuzzing reached every outcome: success, bad input, unavailable
