"""UCI pen-based handwritten digits with their original pen trajectories.

10,992 digits by 44 writers: 7,494 training digits by 30 writers and 3,498 test digits by 14
other writers. Each digit is a list of pen-down strokes of raw tablet points (y points UP).

Loads ``<data dir>/pendigits/pendigits_strokes.npz`` with ``np.load`` (no pickle). When the file
is missing, :data:`PENDIGITS` downloads the official UCI archive and converts its original
UNIPEN files (``pendigits-orig.tra.Z`` / ``.tes.Z``, Unix ``compress``-ed) into the same layout:

=================  ===========  ==============================================================
``points_SPLIT``   (n, 3) f32   every point in file order: x, y, pen_up_after (1 ends a stroke)
``offsets_SPLIT``  (d + 1,) i64 digit i is ``points[offsets[i]:offsets[i + 1]]``
``y_SPLIT``        (d,) u8      label 0-9
``writer_SPLIT``   (d,) i16     writer 1-30 (train), 31-44 (test: the file's number + 30)
``item_SPLIT``     (d,) i16     the digit's number within its writer's sequence
=================  ===========  ==============================================================
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data import catalog, sources

UCI_ARCHIVE = "https://archive.ics.uci.edu/static/public/81/pen+based+recognition+of+handwritten+digits.zip"
ORIGINAL_FILES = {"train": "pendigits-orig.tra", "test": "pendigits-orig.tes"}
TRAIN_WRITERS = 30  # the test file numbers its 14 writers 1-14; they are other people: 31-44
VALIDATION_WRITERS = 3  # the last 3 training writers validate (never the test writers): 27 train
SPLITS = ("train", "validation", "test")  # training writers 1-27, 28-30, test writers 31-44
CLASS_NAMES = [str(d) for d in range(10)]
SEGMENT = re.compile(r'^\.SEGMENT DIGIT\s+(\d+)(?:-(\d+))?\s+\?\s+"([0-9])"$')


@dataclass(frozen=True)
class PenDigits:
    """One split: ``strokes[i]`` is a list of (n, 2) float32 arrays in tablet coordinates (y UP)."""

    strokes: list
    labels: np.ndarray  # (d,) int
    writers: np.ndarray  # (d,) int

    def __len__(self) -> int:
        return len(self.labels)


# -- Converting the official files ------------------------------------------------------------


def uncompress_z(data: bytes) -> bytes:
    """Decode a Unix ``compress`` (.Z, LZW) file; Python's standard library has no decoder.

    Codes are packed least-significant bit first, 9 bits wide at the start and one bit wider
    each time the table fills, up to the header's maximum. compress writes codes in groups of
    eight; when the width changes (or the table is cleared) the rest of the group is padding."""
    if len(data) < 3 or data[:2] != b"\x1f\x9d":
        raise ValueError("not a Unix compress (.Z) file")
    max_bits, block_mode = data[2] & 0x1F, bool(data[2] & 0x80)
    if not 9 <= max_bits <= 16:
        raise ValueError(f".Z file with an unsupported code width of {max_bits} bits")
    first_free = 257 if block_mode else 256
    table = [bytes([i]) for i in range(256)] + [b""] * (first_free - 256)
    bits, pos, out, previous = 9, 3, bytearray(), None
    while pos < len(data):
        group = data[pos:pos + bits]  # eight codes of ``bits`` bits fill exactly ``bits`` bytes
        pos += bits
        value, available, offset = int.from_bytes(group, "little"), len(group) * 8, 0
        while offset + bits <= available:
            code = (value >> offset) & ((1 << bits) - 1)
            offset += bits
            if block_mode and code == 256:  # CLEAR: start a fresh table, at 9 bits, in a new group
                del table[first_free:]
                bits, previous = 9, None
                break
            if code < len(table):
                entry = table[code]
            elif code == len(table) and previous is not None:  # the code being defined right now
                entry = previous + previous[:1]
            else:
                raise ValueError("corrupt .Z data")
            out += entry
            if previous is not None and len(table) < (1 << max_bits):
                table.append(previous + entry[:1])
            previous = entry
            if len(table) >= (1 << bits) and bits < max_bits:
                bits += 1
                break
    return bytes(out)


def parse_unipen(text: str) -> dict[str, np.ndarray]:
    """The UNIPEN text of one original file -> the npz arrays of that split (without suffix)."""
    rows, offsets, labels, writers, items = [], [0], [], [], []
    label = stroke = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("."):
            if stroke is None:
                raise ValueError(f"line {number}: a point outside .PEN_DOWN/.PEN_UP")
            x, y = line.split()
            stroke.append((float(x), float(y)))
            continue
        key = line.split()[0]
        if key == ".SEGMENT":
            match = SEGMENT.match(line)
            if match is None:
                raise ValueError(f"line {number}: unexpected segment {line!r}")
            if label is not None:
                offsets.append(len(rows))
            label = int(match[3])
        elif key == ".COMMENT":
            parts = line.split()
            if label is None or len(parts) != 4 or int(parts[1]) != label:
                raise ValueError(f"line {number}: a .COMMENT that does not repeat its segment's label")
            labels.append(label)
            writers.append(int(parts[2]))
            items.append(int(parts[3]))
        elif key == ".PEN_DOWN":
            if label is None or stroke is not None:
                raise ValueError(f"line {number}: misplaced .PEN_DOWN")
            stroke = []
        elif key == ".PEN_UP":
            if not stroke:
                raise ValueError(f"line {number}: .PEN_UP without a stroke")
            rows.extend((x, y, float(k == len(stroke) - 1)) for k, (x, y) in enumerate(stroke))
            stroke = None
        elif key not in (".DT", ".INCLUDE", ".LEXICON", ".HIERARCHY"):
            raise ValueError(f"line {number}: unknown directive {key}")
    if label is None:
        raise ValueError("no digits in the file")
    offsets.append(len(rows))
    if not len(labels) == len(offsets) - 1:
        raise ValueError("every .SEGMENT needs one .COMMENT")
    return {
        "points": np.asarray(rows, np.float32).reshape(-1, 3),
        "offsets": np.asarray(offsets, np.int64),
        "y": np.asarray(labels, np.uint8),
        "writer": np.asarray(writers, np.int16),
        "item": np.asarray(items, np.int16),
    }


def convert(originals: dict[str, bytes], target: Path) -> Path:
    """``{"train": text or .Z bytes, "test": ...}`` -> the npz at ``target`` (written via a part file)."""
    arrays = {}
    for split, raw in originals.items():
        if raw[:2] == b"\x1f\x9d":
            raw = uncompress_z(raw)
        parsed = parse_unipen(raw.decode("ascii"))
        if split == "test":
            parsed["writer"] = (parsed["writer"] + TRAIN_WRITERS).astype(np.int16)
        arrays.update({f"{name}_{split}": value for name, value in parsed.items()})
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    with open(part, "wb") as f:
        np.savez_compressed(f, **arrays)
    part.replace(target)
    return target


def build(tmp: Path, target: Path, progress) -> None:
    archive = sources.download(UCI_ARCHIVE, tmp / "pendigits.zip", progress)
    originals = {}
    with zipfile.ZipFile(archive) as z:
        names = {Path(n).name: n for n in z.namelist()}
        for split, name in ORIGINAL_FILES.items():
            member = names.get(name + ".Z") or names.get(name)
            if member is None:
                raise OSError(f"the UCI archive has no {name}.Z")
            originals[split] = z.read(member)
    convert(originals, target)


PENDIGITS = catalog.PENDIGITS_FILE  # declared once, in the catalog (official source, converter)


# -- Loading ----------------------------------------------------------------------------------


def split_digit(points: np.ndarray) -> list[np.ndarray]:
    """One digit's (n, 3) rows -> its strokes as (n_k, 2) arrays (still y UP)."""
    return np.split(points[:, :2], np.flatnonzero(points[:, 2])[:-1] + 1)


def _split(f, split: str) -> PenDigits:
    points, offsets = f[f"points_{split}"], f[f"offsets_{split}"]
    strokes = [split_digit(points[a:b]) for a, b in zip(offsets[:-1], offsets[1:])]
    return PenDigits(strokes, f[f"y_{split}"].astype(np.int64), f[f"writer_{split}"].astype(np.int64))


def load(progress=None, allow_download: bool = True) -> tuple[PenDigits, PenDigits]:
    """``(train, test)``: strokes per digit (tablet frame, y UP), labels and writer ids."""
    path = sources.ensure(PENDIGITS, progress, allow_download)
    with np.load(path, allow_pickle=False) as f:
        return _split(f, "train"), _split(f, "test")


def load_raw(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of an npz in this layout (for checks and tests)."""
    with np.load(io.BytesIO(Path(path).read_bytes()), allow_pickle=False) as f:
        return {name: f[name] for name in f.files}


def is_available() -> bool:
    return sources.find(PENDIGITS.name) is not None


def to_screen(split: PenDigits) -> list:
    """Every digit's strokes in the screen's frame (y down), as the canvas and the CLI give them."""
    return [[s * [1.0, -1.0] for s in digit] for digit in split.strokes]  # tablet y points up


def held_out_writers(train: PenDigits) -> np.ndarray:
    """Which training digits are by the validation writers (the last VALIDATION_WRITERS)."""
    return np.isin(train.writers, np.unique(train.writers)[-VALIDATION_WRITERS:])


def dataset(progress=None, train_limit: int | None = None):
    """Pen sequences (N, MAX_STEPS, 3), unaugmented: the last 3 training writers validate, the 14
    test writers test (the pen models' own training augments the raw strokes instead)."""
    from data import strokes
    from data.dataset import Dataset

    train, test = load(progress)
    x = strokes.to_batch(to_screen(train))
    held_out = held_out_writers(train)
    x_fit, y_fit = x[~held_out], train.labels[~held_out]
    if train_limit:
        x_fit, y_fit = x_fit[:train_limit], y_fit[:train_limit]
    return Dataset(catalog.PENDIGITS, x_fit, y_fit, x[held_out], train.labels[held_out],
                   strokes.to_batch(to_screen(test)), test.labels, file_sha256(), list(CLASS_NAMES))


def writer_images(split: str = "test", limit: int | None = None, progress=None, allow_download: bool = True):
    """The digits of one writer split drawn as pictures the way the Draw page makes one from its
    canvas (:func:`data.strokes.render_image`): ``(images, labels, writers)``, images (n, 28, 28)
    float32 in [0, 1] like MNIST's. ``split``: "train" (writers 1-27), "validation" (28-30) or
    "test" (31-44, never for training); ``limit``: only the first N digits (quick runs).

    A second, independent source of handwriting for the digit image models: 44 writers on a
    tablet, none of them in MNIST."""
    from data import strokes

    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; one of {', '.join(SPLITS)}")
    train, test = load(progress, allow_download)
    if split == "test":
        digits, labels, writers = to_screen(test), test.labels, test.writers
    else:
        chosen = held_out_writers(train) == (split == "validation")
        digits = [d for d, keep in zip(to_screen(train), chosen) if keep]
        labels, writers = train.labels[chosen], train.writers[chosen]
    if limit is not None:
        digits, labels, writers = digits[:limit], labels[:limit], writers[:limit]
    images = np.stack([strokes.render_image(d) for d in digits]) if digits else np.zeros((0, 28, 28), np.float32)
    return images.astype(np.float32), labels, writers


def load_test_images(allow_download: bool = False):
    """The test digits drawn as 28x28 pictures (for the Compare page's example cards) and labels."""
    images, labels, _ = writer_images("test", allow_download=allow_download)
    return (images * 255).round().astype(np.uint8), labels


def file_sha256() -> str:
    return sources.sha256_of(sources.ensure(PENDIGITS, allow_download=False))
