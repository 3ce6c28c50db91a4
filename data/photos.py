"""Turn a photo (an upload, a phone's camera, a file given to the CLI) into the 32x32 RGB
picture a CIFAR-10 model sees.

CIFAR-10's photos are small, square and framed around one object. So, in order:

1. :func:`open_photo`: any image file Pillow reads -> an RGB picture, safely: no
   decompression bombs, the camera's rotation (EXIF) applied, the first frame of an
   animation, transparency laid on white, CMYK / 16-bit / palette / black-and-white turned
   into RGB. Every bad input raises :class:`NotAPhoto` with a sentence a student understands.
2. :func:`to_cifar`: the largest centred square (the object is usually in the middle), shrunk
   to 32x32 with anti-aliasing (Pillow's area-averaging reduce, then Lanczos).

The CLI, the Photo page and the tests all go through :func:`prepare`, so what the page shows as
"what the model sees" is exactly what the model gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from data import digits

CIFAR_SIZE = 32
MIN_SIDE = 8  # a picture smaller than this has nothing to see
DISPLAY_SIDE = 512  # the photo as shown next to its 32x32 version (and under the heatmap)


class NotAPhoto(ValueError):
    """The input cannot be used as a photo; the message says why, in plain words."""


@dataclass
class PreparedPhoto:
    model_input: np.ndarray  # (32, 32, 3) uint8 RGB: what the model sees
    display: np.ndarray  # (<=512, <=512, 3) uint8 RGB: the same square crop, larger, for the page
    notes: list[str] = field(default_factory=list)  # what was done to the input, for the page


def _rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    """Any Pillow mode -> RGB; transparency is laid on white."""
    if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
        image.seek(0)
        notes.append("an animation: its first frame is used")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        top = array.max() if array.size else 0
        image = Image.fromarray((255 * array / top if top > 0 else array).clip(0, 255).astype(np.uint8))
        notes.append("a 16-bit or floating-point image: scaled to 8 bits")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:
            notes.append("transparent parts are shown on white")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode == "CMYK":
        notes.append("a CMYK (print) image: converted to RGB")
    return image.convert("RGB")


def open_photo(source: str | Path | bytes) -> tuple[Image.Image, list[str]]:
    """Read a photo file safely (see the module docstring); returns RGB and notes."""
    try:
        image = digits.open_image(source)
    except digits.NotAnImage as error:
        raise NotAPhoto(str(error)) from error
    width, height = image.size
    if min(width, height) < MIN_SIDE:
        raise NotAPhoto(f"the picture is only {width}x{height} pixels; use one at least "
                        f"{MIN_SIDE}x{MIN_SIDE} (a phone photo is ideal)")
    notes: list[str] = []
    if _is_animation(source):  # the opened image is already its first frame, upright
        notes.append("an animation: its first frame is used")
    try:
        return _rgb(image, notes), notes
    except (OSError, ValueError, EOFError) as error:
        raise NotAPhoto(f"the image could not be decoded ({error})") from error


def _is_animation(source) -> bool:
    """Whether a file holds several frames (read from its header only)."""
    import io

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source) as im:
            return getattr(im, "n_frames", 1) > 1
    except Exception:  # it opened once already; a second look that fails only loses the note
        return False


def centre_square(image: Image.Image) -> Image.Image:
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return image.crop((left, top, left + side, top + side))


def to_cifar(image: Image.Image) -> np.ndarray:
    """The centred square of an RGB picture as (32, 32, 3) uint8."""
    square = centre_square(image)
    small = square.reduce(max(1, square.size[0] // (4 * CIFAR_SIZE))) if square.size[0] > 4 * CIFAR_SIZE else square
    return np.asarray(small.resize((CIFAR_SIZE, CIFAR_SIZE), Image.Resampling.LANCZOS), dtype=np.uint8)


def prepare(source: str | Path | bytes | np.ndarray | Image.Image) -> PreparedPhoto:
    """A photo file, a PIL image or an (H, W, 3) array -> what the model sees, and a display copy."""
    notes: list[str] = []
    if isinstance(source, np.ndarray):
        array = np.asarray(source)
        if array.ndim != 3 or array.shape[2] not in (3, 4) or array.dtype != np.uint8:
            raise NotAPhoto(f"expected an (H, W, 3) uint8 RGB array, got shape {array.shape} and type {array.dtype}")
        image = _rgb(Image.fromarray(array), notes)
    elif isinstance(source, Image.Image):
        image = _rgb(source, notes)
    else:
        image, notes = open_photo(source)
    if min(image.size) < MIN_SIDE:
        raise NotAPhoto(f"the picture is only {image.size[0]}x{image.size[1]} pixels; use one at least "
                        f"{MIN_SIDE}x{MIN_SIDE}")
    square = centre_square(image)
    if square.size[0] > DISPLAY_SIDE:
        display = square.resize((DISPLAY_SIDE, DISPLAY_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    else:
        display = square
    if image.size[0] != image.size[1]:
        notes.append("cut to the centred square, as CIFAR-10's photos are square")
    return PreparedPhoto(to_cifar(image), np.asarray(display, dtype=np.uint8), notes)


def batch(photos: list[np.ndarray]) -> np.ndarray:
    """(N, 32, 32, 3) float32 pixel values 0-255, the CIFAR models' input."""
    return np.stack([np.asarray(p, np.float32) for p in photos]) if photos else np.zeros((0, 32, 32, 3), np.float32)


def model_input(source) -> np.ndarray:
    """What a CIFAR-10 model takes for one photo: (32, 32, 3) float32 pixel values 0-255."""
    return prepare(source).model_input.astype(np.float32)
