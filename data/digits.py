"""Turn a drawing, a photo or an uploaded file into a 28x28 digit, the way MNIST was made.

MNIST's digits were written on paper, scanned, cropped to the ink, scaled so the longer side
is 20 pixels (keeping the aspect ratio, with anti-aliasing) and pasted into a 28x28 image so
that the centre of mass of the ink sits at the centre. A model trained on that only
understands input made the same way, so every input in the explorer - the canvas, an upload,
a file given to the CLI - goes through :func:`to_mnist`.

Steps, in order:

1. :func:`to_grey`: any array or PIL image -> grey float in [0, 1], transparency flattened.
2. Polarity: the background is the median of the border; a light background is inverted
   so that ink is bright on black, as in MNIST.
3. Crop to the ink, scale to a working size, and bring the stroke width near MNIST's
   (a thick brush on a small digit would otherwise look like a blob).
4. Fit the longer side into 20 px, anti-aliased; paste into 28x28 by centre of mass.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

MNIST_SIZE = 28  # the image the models see
DIGIT_BOX = 20  # MNIST fits the longer side of the ink into 20 px
WORK_SIZE = 80  # the ink is first scaled so its longer side is 80 px (4x the box)
# Stroke width, in pixels at WORK_SIZE, of a typical MNIST digit (about 2.3 px in the 20 px box).
TARGET_STROKE = 9.0
MAX_INPUT_SIDE = 1024  # larger inputs are shrunk first: a digit needs no more detail
MAX_UPLOAD_PIXELS = 40_000_000  # refuse larger images before decoding them (decompression bombs)
INK_THRESHOLD = 0.1  # relative ink below this is background noise (paper grain, JPEG artefacts)


class NotAnImage(ValueError):
    """The input cannot be read as an image; the message says why, in plain words."""


@dataclass(frozen=True)
class PreparedDigit:
    """A digit ready for the models, and how it was found."""

    image: np.ndarray  # (28, 28) float32 in [0, 1], ink bright
    inverted: bool  # the input was dark ink on a light background
    stroke_width: float  # estimated stroke width of the input, in pixels at WORK_SIZE


# -- 1. Any image -> grey in [0, 1] ------------------------------------------------------------


def _as_unit_float(array: np.ndarray) -> np.ndarray:
    if array.dtype == bool:
        return array.astype(np.float32)
    if array.dtype.kind in "iu":  # not np.integer: NumPy counts timedelta64 as an integer type
        top = 255.0 if array.max(initial=0) <= 255 else float(np.iinfo(array.dtype).max)
        return np.clip(array.astype(np.float32) / top, 0.0, 1.0)
    if array.dtype.kind == "f":
        # Scale in float64: a float64 value beyond float32's range would overflow to inf first.
        with np.errstate(over="ignore", invalid="ignore"):
            a = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        top = float(a.max(initial=0.0))
        if top > 1.0:  # 0-255 floats, or anything else: scale to the brightest value
            a = a / (255.0 if top <= 255.0 else top)
        return np.clip(a, 0.0, 1.0).astype(np.float32)
    raise NotAnImage(f"pixel values of type {array.dtype} are not an image")


def to_grey(image) -> np.ndarray:
    """A 2-D float32 array in [0, 1] from a PIL image or an array (H,W), (H,W,1|2|3|4).

    Transparent pixels are flattened onto the colour that contrasts with the ink, so black ink
    on a transparent background and white ink on a transparent background both survive.
    """
    if isinstance(image, Image.Image):
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "L")
        factor = -(-max(image.size) // MAX_INPUT_SIDE)
        if factor > 1:  # shrink in 8-bit before the float copies: a 40-megapixel photo would need GBs
            image = image.reduce(factor)
        image = np.asarray(image)
    array = np.asarray(image)
    if array.dtype == object or array.size == 0:
        raise NotAnImage("the image is empty")
    if array.ndim == 3 and array.shape[2] in (1, 2, 3, 4):
        channels = _as_unit_float(array)
        alpha = channels[..., -1] if array.shape[2] in (2, 4) else None
        colour = channels[..., :3] if array.shape[2] >= 3 else channels[..., :1]
        grey = colour @ np.array([0.299, 0.587, 0.114], np.float32) if colour.shape[2] == 3 else colour[..., 0]
        if alpha is not None and alpha.min() < 0.98:
            opaque = alpha > 0.5
            ink_is_dark = opaque.any() and float(grey[opaque].mean()) < 0.5
            backdrop = 1.0 if ink_is_dark else 0.0
            grey = alpha * grey + (1.0 - alpha) * backdrop
        return grey.astype(np.float32)
    if array.ndim == 2:
        return _as_unit_float(array)
    raise NotAnImage(f"expected a 2-D grey image or an RGB/RGBA image, got an array of shape {array.shape}")


# -- 2-4. Grey image -> MNIST-style 28x28 -------------------------------------------------------


def _shrink(grey: np.ndarray, max_side: int) -> np.ndarray:
    h, w = grey.shape
    if max(h, w) <= max_side:
        return grey
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(grey, mode="F").resize(size, Image.Resampling.BOX))


def _ink(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """Ink in [0, 1] (bright on black) and whether the input had to be inverted."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    inverted = background > 0.5
    if inverted:
        grey, background = 1.0 - grey, 1.0 - background
    ink = np.clip(grey - background, 0.0, None)
    peak = float(ink.max(initial=0.0))
    if peak < 0.15:  # no contrast: a blank (or all-ink) picture
        return np.zeros_like(ink), inverted
    ink = np.clip((ink / peak - INK_THRESHOLD) / (1.0 - INK_THRESHOLD), 0.0, 1.0)
    return ink, inverted


def _stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask: 2 x area / perimeter (a stroke of width w and
    length L has area wL and a perimeter of about 2L)."""
    area = int(mask.sum())
    if area == 0:
        return 0.0
    padded = np.pad(mask, 1)
    interior = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    perimeter = int((mask & ~interior).sum())
    return 2.0 * area / max(perimeter, 1)


def _normalise_stroke(work: np.ndarray) -> tuple[np.ndarray, float]:
    """Thin a much-too-thick stroke, thicken a hairline, at WORK_SIZE."""
    width = _stroke_width(work > 0.5)
    radius = 0
    if width > 1.5 * TARGET_STROKE or 0 < width < 0.6 * TARGET_STROKE:
        radius = int(round((TARGET_STROKE - width) / 2))  # > 0 thickens, < 0 thins
    if radius == 0:
        return work, width
    radius = int(np.clip(radius, -6, 6))
    padded = np.pad(work, max(radius, 0))  # room for a thicker stroke to grow into
    img = Image.fromarray((padded * 255).astype(np.uint8))
    size = 2 * abs(radius) + 1
    img = img.filter(ImageFilter.MinFilter(size) if radius < 0 else ImageFilter.MaxFilter(size))
    changed = _crop_to_ink(np.asarray(img, np.float32) / 255.0)
    # Never erode a digit away: keep the original if too little ink survives.
    return (changed if changed.sum() > 0.25 * work.sum() else work), width


def _crop_to_ink(ink: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(ink > 0)
    if rows.size == 0:
        return ink
    return ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def _resize(array: np.ndarray, width: int, height: int) -> np.ndarray:
    return np.asarray(Image.fromarray(array.astype(np.float32), mode="F").resize(
        (width, height), Image.Resampling.LANCZOS))


def prepare(image) -> PreparedDigit | None:
    """The MNIST-style 28x28 digit in ``image``, or None when there is no ink to read."""
    grey = _shrink(to_grey(image), MAX_INPUT_SIDE)
    if min(grey.shape) < 2:
        return None
    ink, inverted = _ink(grey)
    if not (ink > 0).any():
        return None
    crop = _crop_to_ink(ink)
    h, w = crop.shape
    if max(h, w) < 2:
        return None  # a single speck is not a digit
    # Scale to the working size (longer side WORK_SIZE), fix the stroke width there.
    scale = WORK_SIZE / max(h, w)
    work = np.clip(_resize(crop, max(1, round(w * scale)), max(1, round(h * scale))), 0, 1)
    work, stroke = _normalise_stroke(work)
    # Fit the longer side into the 20 px box, anti-aliased.
    wh, ww = work.shape
    box_scale = DIGIT_BOX / max(wh, ww)
    small = np.clip(_resize(work, max(1, round(ww * box_scale)), max(1, round(wh * box_scale))), 0, 1)
    if small.sum() <= 0:
        return None
    # Paste into 28x28 so that the centre of mass lands on the centre.
    sh, sw = small.shape
    ys, xs = np.indices(small.shape)
    total = small.sum()
    com_y, com_x = (ys * small).sum() / total, (xs * small).sum() / total
    centre = (MNIST_SIZE - 1) / 2
    off_y = int(np.clip(round(centre - com_y), 0, MNIST_SIZE - sh))
    off_x = int(np.clip(round(centre - com_x), 0, MNIST_SIZE - sw))
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    out[off_y:off_y + sh, off_x:off_x + sw] = small
    peak = out.max()
    return PreparedDigit(out / peak if peak > 0 else out, inverted, stroke)


def to_mnist(image) -> np.ndarray | None:
    """Shortcut for ``prepare(image).image``; None for a blank input."""
    prepared = prepare(image)
    return None if prepared is None else prepared.image


# -- Files --------------------------------------------------------------------------------------


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel as a factor×factor block (nearest neighbour), so a 28×28 digit stays sharp
    on screen instead of being blurred by the browser's scaling."""
    return np.asarray(image).repeat(factor, axis=0).repeat(factor, axis=1)


def open_image(source: str | Path | bytes) -> Image.Image:
    """Open an image file (path or bytes) safely: clear errors, no decompression bombs,
    camera rotation applied. Raises :class:`NotAnImage` with a plain message."""
    try:
        stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else open(source, "rb")
    except (OSError, ValueError) as error:  # ValueError: a file name with a NUL byte
        raise NotAnImage(f"cannot open the file ({getattr(error, 'strerror', None) or error})") from error
    with stream:
        try:
            with Image.open(stream) as img:
                width, height = img.size
                if width * height > MAX_UPLOAD_PIXELS:
                    raise NotAnImage(f"the image is too large ({width}x{height} pixels); "
                                     f"use one under {MAX_UPLOAD_PIXELS // 1_000_000} megapixels")
                img.load()
                return ImageOps.exif_transpose(img) or img
        except NotAnImage:
            raise
        except Image.DecompressionBombError as error:  # Pillow's own limit, met while reading the header
            raise NotAnImage(f"the image is too large ({error}); "
                             f"use one under {MAX_UPLOAD_PIXELS // 1_000_000} megapixels") from error
        except UnidentifiedImageError as error:
            raise NotAnImage("this is not an image Pillow can read (try PNG or JPEG)") from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise NotAnImage(f"the image file is damaged or truncated ({error})") from error
