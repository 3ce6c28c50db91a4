"""MNIST-style preprocessing: the same digit drawn anywhere, at any size or pen width, must
give nearly the same 28x28; odd inputs must be handled, never crash."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from data import digits


def draw_seven(size=280, box=(60, 50, 220, 230), width=22, ink=255, background=0, mode="L"):
    """A '7' drawn with a round pen on a canvas, like a student would."""
    img = Image.new(mode, (size, size), background)
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    points = [(x0, y0), (x1, y0), (x0 + (x1 - x0) * 0.35, y1)]
    d.line(points, fill=ink, width=width, joint="curve")
    for p in points:
        r = width / 2
        d.ellipse((p[0] - r, p[1] - r, p[0] + r, p[1] + r), fill=ink)
    return img


def similarity(a, b):
    """Cosine similarity of two 28x28 images, after a 3x3 blur so that a one-pixel shift of a
    thin stroke does not count as a different digit."""
    def blur(x):
        p = np.pad(np.asarray(x, np.float64), 1)
        return sum(p[i:i + 28, j:j + 28] for i in range(3) for j in range(3))
    a, b = blur(a).ravel(), blur(b).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


REFERENCE = digits.to_mnist(draw_seven())


def test_output_is_mnist_like():
    out = REFERENCE
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() == pytest.approx(1.0)
    rows, cols = np.nonzero(out > 0.05)
    # The ink fits the 20x20 box (plus anti-aliasing), centre of mass near the centre.
    assert rows.max() - rows.min() + 1 <= 21 and cols.max() - cols.min() + 1 <= 21
    ys, xs = np.indices(out.shape)
    assert abs((ys * out).sum() / out.sum() - 13.5) <= 1.0
    assert abs((xs * out).sum() / out.sum() - 13.5) <= 1.0


@pytest.mark.parametrize("box", [(10, 10, 110, 120), (160, 150, 270, 270), (100, 100, 160, 170), (12, 12, 268, 268)])
def test_position_and_size_do_not_matter(box):
    assert similarity(digits.to_mnist(draw_seven(box=box)), REFERENCE) > 0.85


@pytest.mark.parametrize("width", [6, 14, 30, 40])
def test_pen_width_is_normalised(width):
    out = digits.to_mnist(draw_seven(width=width))
    assert similarity(out, REFERENCE) > 0.8
    # Ink coverage stays in MNIST's range (about 10-25% of pixels above 0.5).
    assert 0.06 < (out > 0.5).mean() < 0.3


def test_thick_pen_on_small_digit_is_thinned():
    small_thick = digits.prepare(draw_seven(box=(110, 110, 170, 180), width=30))
    assert small_thick.stroke_width > 2 * digits.TARGET_STROKE
    assert similarity(small_thick.image, REFERENCE) > 0.75
    assert (small_thick.image > 0.5).mean() < 0.3


def test_polarity_and_colour_modes_agree():
    dark_on_light = digits.prepare(draw_seven(ink=0, background=255))
    assert dark_on_light.inverted
    assert similarity(dark_on_light.image, REFERENCE) > 0.98
    rgb = digits.to_mnist(draw_seven(mode="RGB", ink=(255, 255, 255), background=(0, 0, 0)))
    assert similarity(rgb, REFERENCE) > 0.98
    # Canvas output: RGBA with opaque alpha everywhere.
    rgba = np.asarray(draw_seven(mode="RGBA", ink=(255, 255, 255, 255), background=(0, 0, 0, 255)))
    assert similarity(digits.to_mnist(rgba), REFERENCE) > 0.98


def test_transparent_background_with_either_ink():
    black_ink = np.asarray(draw_seven(mode="RGBA", ink=(0, 0, 0, 255), background=(0, 0, 0, 0)))
    white_ink = np.asarray(draw_seven(mode="RGBA", ink=(255, 255, 255, 255), background=(255, 255, 255, 0)))
    assert similarity(digits.to_mnist(black_ink), REFERENCE) > 0.98
    assert similarity(digits.to_mnist(white_ink), REFERENCE) > 0.98


def test_mnist_digits_survive_their_own_preprocessing(mnist_test):
    """A real MNIST digit, enlarged 10x as if drawn on the canvas, comes back close to itself."""
    x_test, _ = mnist_test
    scores = []
    for image in x_test[:50]:
        big = np.asarray(Image.fromarray(image).resize((280, 280), Image.Resampling.BICUBIC))
        scores.append(similarity(digits.to_mnist(big), image / 255.0))
    assert np.median(scores) > 0.85


@pytest.mark.parametrize("array", [
    np.zeros((280, 280)), np.full((280, 280), 255, np.uint8), np.ones((280, 280, 4), np.uint8) * 255,
    np.zeros((1, 1)), np.array([[255]], np.uint8), np.full((50, 50), np.nan),
])
def test_blank_all_ink_and_tiny_inputs_give_none(array):
    assert digits.prepare(array) is None


def test_one_pixel_of_ink_is_not_a_digit():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[100, 100] = 255
    assert digits.prepare(canvas) is None


def test_huge_input_is_shrunk_and_read():
    img = draw_seven(size=4000, box=(800, 700, 3200, 3300), width=300)
    out = digits.to_mnist(img)
    assert similarity(out, REFERENCE) > 0.85


def test_odd_dtypes_and_nan():
    seven = np.asarray(draw_seven(), np.float64)
    assert similarity(digits.to_mnist(seven), REFERENCE) > 0.98  # 0-255 floats
    assert similarity(digits.to_mnist(seven / 255), REFERENCE) > 0.98
    with_nan = seven.copy()
    with_nan[0, :10] = np.nan
    assert similarity(digits.to_mnist(with_nan), REFERENCE) > 0.98
    assert similarity(digits.to_mnist(seven > 127), REFERENCE) > 0.95
    assert similarity(digits.to_mnist(seven.astype(np.uint16) * 257), REFERENCE) > 0.98


@pytest.mark.parametrize("shape", [(5, 5, 5), (10,), (2, 3, 4, 5)])
def test_wrong_shapes_raise_a_clear_error(shape):
    with pytest.raises(digits.NotAnImage, match="expected"):
        digits.prepare(np.zeros(shape))


def test_open_image_rejects_garbage_and_truncated_files(tmp_path):
    with pytest.raises(digits.NotAnImage, match="not an image"):
        digits.open_image(b"definitely not a picture")
    buf = io.BytesIO()
    draw_seven().save(buf, format="PNG")
    with pytest.raises(digits.NotAnImage, match="damaged or truncated"):
        digits.open_image(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(digits.NotAnImage, match="cannot open"):
        digits.open_image(tmp_path / "missing.png")
    assert digits.open_image(buf.getvalue()).size == (280, 280)


def test_open_image_refuses_decompression_bombs():
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buf, format="PNG")  # small file, 100 megapixels
    with pytest.raises(digits.NotAnImage, match="too large"):
        digits.open_image(buf.getvalue())


def test_enlarge_makes_each_pixel_a_sharp_block():
    image = np.array([[0.0, 1.0], [0.5, 0.25]], np.float32)
    big = digits.enlarge(image, 3)
    assert big.shape == (6, 6) and big.dtype == np.float32
    assert (big[:3, 3:] == 1.0).all() and (big[3:, :3] == 0.5).all() and (big[:3, :3] == 0.0).all()
