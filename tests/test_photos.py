"""Photos -> the 32x32 picture a CIFAR-10 model sees: sizes, modes, EXIF, animations, bad input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from data import photos


def _file(image: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def _half_red_half_blue(width=200, height=100) -> Image.Image:
    array = np.zeros((height, width, 3), np.uint8)
    array[:, : width // 2] = (255, 0, 0)
    array[:, width // 2:] = (0, 0, 255)
    return Image.fromarray(array)


@pytest.mark.parametrize("size", [(8, 8), (32, 32), (640, 480), (480, 640), (4000, 3000)])
def test_any_size_becomes_32x32_rgb_uint8(size):
    prepared = photos.prepare(_file(Image.new("RGB", size, (10, 200, 30)), "PNG"))
    assert prepared.model_input.shape == (32, 32, 3) and prepared.model_input.dtype == np.uint8
    assert np.abs(prepared.model_input.astype(int) - (10, 200, 30)).max() <= 1
    assert max(prepared.display.shape[:2]) <= photos.DISPLAY_SIDE


def test_centre_square_keeps_the_middle_of_a_wide_photo():
    # A wide photo: left quarter green, middle half red, right quarter green -> the square is red.
    array = np.zeros((100, 200, 3), np.uint8)
    array[:, :] = (0, 255, 0)
    array[:, 50:150] = (255, 0, 0)
    model_input = photos.prepare(_file(Image.fromarray(array), "PNG")).model_input
    assert (model_input[..., 0] > 250).all() and (model_input[..., 1] < 5).all()


def test_exif_rotation_is_applied():
    # Stored landscape (left red, right blue), EXIF says "rotate 90° clockwise to view" (6).
    image = _half_red_half_blue(200, 100)
    exif = Image.Exif()
    exif[0x0112] = 6
    upright = photos.prepare(_file(image, "JPEG", exif=exif, quality=95)).model_input
    # Viewed upright it is portrait: red on top, blue at the bottom.
    assert upright[2, 16, 0] > 200 and upright[2, 16, 2] < 60
    assert upright[29, 16, 2] > 200 and upright[29, 16, 0] < 60


def test_transparent_png_is_laid_on_white():
    rgba = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    prepared = photos.prepare(_file(rgba, "PNG"))
    assert (prepared.model_input > 250).all()
    assert any("transparent" in note for note in prepared.notes)


def test_cmyk_and_grey_and_palette_and_16_bit_become_rgb():
    for image in (Image.new("CMYK", (40, 40), (0, 255, 255, 0)), Image.new("L", (40, 40), 128),
                  Image.new("1", (40, 40), 1), Image.new("RGB", (40, 40), (1, 2, 3)).convert("P"),
                  Image.fromarray(np.full((40, 40), 40000, np.uint16))):
        prepared = photos.prepare(_file(image, "TIFF"))
        assert prepared.model_input.shape == (32, 32, 3)
    cmyk_red = photos.prepare(_file(Image.new("CMYK", (40, 40), (0, 255, 255, 0)), "TIFF")).model_input
    assert cmyk_red[..., 0].min() > 200 and cmyk_red[..., 1].max() < 60


def test_animated_gif_uses_its_first_frame():
    frames = [Image.new("RGB", (40, 40), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    data = io.BytesIO()
    frames[0].save(data, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    prepared = photos.prepare(data.getvalue())
    assert prepared.model_input[..., 0].mean() > 200 and prepared.model_input[..., 2].mean() < 60
    assert any("first frame" in note for note in prepared.notes)


@pytest.mark.parametrize("data, words", [
    (b"", "not an image"),
    (b"this is a text file, not a photo", "not an image"),
    (_file(Image.new("RGB", (1, 1)), "PNG"), "only 1x1"),
    (_file(Image.new("RGB", (64, 64)), "PNG")[:60], "damaged"),
])
def test_bad_input_gets_a_plain_message(data, words):
    with pytest.raises(photos.NotAPhoto, match=words):
        photos.prepare(data)


def test_huge_image_is_refused_before_decoding(monkeypatch):
    from data import digits

    monkeypatch.setattr(digits, "MAX_UPLOAD_PIXELS", 100 * 100)
    with pytest.raises(photos.NotAPhoto, match="too large"):
        photos.prepare(_file(Image.new("RGB", (200, 200)), "PNG"))


def test_arrays_are_checked():
    assert photos.prepare(np.zeros((50, 60, 3), np.uint8)).model_input.shape == (32, 32, 3)
    with pytest.raises(photos.NotAPhoto, match="uint8"):
        photos.prepare(np.zeros((50, 60), np.float32))
