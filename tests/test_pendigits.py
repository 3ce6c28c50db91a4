"""The UCI pen digits: the loader on the real file, the converter on a tiny synthetic one."""

import shutil
import zipfile

import numpy as np
import pytest

from data import pendigits, sources, strokes
from tests.conftest import require

# Two digits in the UCI originals' UNIPEN format: a one-stroke "1" and a two-stroke "4".
UNIPEN = """.INCLUDE        dene.doc

.LEXICON "0" "1" "2" "3" "4" "5" "6" "7" "8" "9"
.HIERARCHY      DIGIT

.SEGMENT DIGIT    0 ? "1"
.COMMENT 1 3  17
.PEN_DOWN
 100  300
 101  250
 102  200
.PEN_UP
.DT 100

.SEGMENT DIGIT    1-2 ? "4"
.COMMENT 4 3  18
.PEN_DOWN
 150  300
 100  200
 200  200
.PEN_UP
.DT 100
.PEN_DOWN
 170  260
 170  150
.PEN_UP
.DT 100
"""


def lzw_compress_9bit(data: bytes) -> bytes:
    """A minimal Unix ``compress`` writer for inputs small enough to stay at 9-bit codes."""
    table = {bytes([i]): i for i in range(256)}
    next_code, codes, word = 257, [], b""
    for byte in data:
        candidate = word + bytes([byte])
        if candidate in table:
            word = candidate
            continue
        codes.append(table[word])
        table[candidate] = next_code
        next_code += 1
        word = bytes([byte])
    codes.append(table[word])
    assert next_code < 512, "the test input must stay at 9-bit codes"
    value = sum(code << (9 * i) for i, code in enumerate(codes))
    return b"\x1f\x9d\x90" + value.to_bytes((9 * len(codes) + 7) // 8, "little")


@pytest.fixture(scope="session")
def pen_path():
    return require(pendigits.PENDIGITS.name)


def test_parse_unipen():
    arrays = pendigits.parse_unipen(UNIPEN)
    assert arrays["y"].tolist() == [1, 4]
    assert arrays["writer"].tolist() == [3, 3] and arrays["item"].tolist() == [17, 18]
    assert arrays["offsets"].tolist() == [0, 3, 8]
    assert arrays["points"][:, 2].tolist() == [0, 0, 1, 0, 0, 1, 0, 1]
    assert arrays["points"].dtype == np.float32 and arrays["offsets"].dtype == np.int64


def test_parse_unipen_refuses_surprises():
    with pytest.raises(ValueError, match="unknown directive"):
        pendigits.parse_unipen(UNIPEN.replace(".DT 100", ".SPEED 3", 1))
    with pytest.raises(ValueError, match="outside"):
        pendigits.parse_unipen(UNIPEN.replace(".PEN_DOWN", "", 1))
    with pytest.raises(ValueError, match="repeat"):
        pendigits.parse_unipen(UNIPEN.replace(".COMMENT 4 3", ".COMMENT 7 3"))


def test_uncompress_z_on_a_synthetic_file():
    raw = UNIPEN.encode("ascii")
    assert pendigits.uncompress_z(lzw_compress_9bit(raw)) == raw
    with pytest.raises(ValueError, match="compress"):
        pendigits.uncompress_z(b"PK\x03\x04")


def test_converter_builds_the_npz_layout_from_a_synthetic_archive(tmp_path, monkeypatch):
    """The DatasetFile's build, end to end: a fake UCI zip with .Z originals -> our npz."""
    archive = tmp_path / "uci.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("pendigits-orig.tra.Z", lzw_compress_9bit(UNIPEN.encode()))
        z.writestr("pendigits-orig.tes.Z", lzw_compress_9bit(UNIPEN.replace("COMMENT 4 3", "COMMENT 4 2").encode()))
        z.writestr("pendigits.names", "not used")

    def fake_download(url, target, progress=None, timeout=30):
        assert url == pendigits.UCI_ARCHIVE
        shutil.copy(archive, target)
        return target

    monkeypatch.setattr(sources, "download", fake_download)
    monkeypatch.setenv(sources.DATA_DIR_VARIABLE, str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    train, test = pendigits.load()
    assert (tmp_path / "cache" / "cnn-rnn-lstm-explorer" / pendigits.PENDIGITS.name).is_file()
    assert train.labels.tolist() == [1, 4] and train.writers.tolist() == [3, 3]
    assert test.writers.tolist() == [33, 32], "test writers are shifted past the 30 training writers"
    assert [len(d) for d in train.strokes] == [1, 2]
    np.testing.assert_array_equal(train.strokes[1][1], [[170, 260], [170, 150]])


def test_real_file_counts_and_layout(pen_path):
    train, test = pendigits.load(allow_download=False)
    assert len(train) == 7494 and len(test) == 3498
    assert np.bincount(train.labels).tolist() == [780, 779, 780, 719, 780, 720, 720, 778, 719, 719]
    assert np.bincount(test.labels).tolist() == [363, 364, 364, 336, 364, 335, 336, 364, 336, 336]
    assert set(train.writers.tolist()) == set(range(1, 31))
    assert set(test.writers.tolist()) == set(range(31, 45))
    assert sum(len(d) for d in train.strokes) == 9433 and sum(len(d) for d in test.strokes) == 4257
    assert train.labels[0] == 8 and sum(len(s) for s in train.strokes[0]) == 78


def test_real_digits_are_upright_after_the_flip(pen_path):
    """People start most digits at the top: in screen coordinates (y down) the first point lies
    in the upper half for ~95% of digits; without the flip it would be ~5%."""
    train, _ = pendigits.load(allow_download=False)
    upper = 0
    for digit in train.strokes[:1000]:
        seq = strokes.to_sequence([s * [1, -1] for s in digit])
        upper += seq.points[0, 1] < 0
    assert upper > 900


def test_real_converter_matches_the_shipped_npz(pen_path):
    """The .Z decoder on the real originals (code widths 9-16, table clears), when present."""
    original = pen_path.parent / "original" / "pendigits-orig.tes.Z"
    if not original.is_file():
        pytest.skip("the original .Z files are not beside the npz")
    plain = original.with_suffix("")
    decoded = pendigits.uncompress_z(original.read_bytes())
    if plain.is_file():
        assert decoded == plain.read_bytes()
    ours = pendigits.parse_unipen(decoded.decode("ascii"))
    shipped = pendigits.load_raw(pen_path)
    for name in ("points", "offsets", "y", "item"):
        np.testing.assert_array_equal(ours[name], shipped[f"{name}_test"])
    np.testing.assert_array_equal(ours["writer"] + pendigits.TRAIN_WRITERS, shipped["writer_test"])
