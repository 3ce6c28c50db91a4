"""Real Chromium: upload a photo and see the answers and the heatmap; press Write and see the
text stream in with its probability chart."""

import io

import numpy as np
import pytest
from PIL import Image

from benchmarks.chromium import ARTIFACTS, browser_page, running_app, wait_for_app

pytestmark = pytest.mark.browser


def _phone_like_photo() -> bytes:
    """A 1200x900 JPEG: a red 'car'-like block on a grey road under a blue sky (any photo works:
    the test checks the page, not the model's opinion)."""
    array = np.zeros((900, 1200, 3), np.uint8)
    array[:450] = (110, 160, 230)
    array[450:] = (90, 90, 90)
    array[380:620, 350:850] = (200, 30, 30)
    out = io.BytesIO()
    Image.fromarray(array).save(out, "JPEG", quality=85)
    return out.getvalue()


def test_uploaded_photo_gets_every_answer_and_a_heatmap(tmp_path):
    photo = tmp_path / "phone.jpg"
    photo.write_bytes(_phone_like_photo())
    with running_app() as url, browser_page() as page:
        page.goto(url + "/photo")
        wait_for_app(page)
        page.get_by_text("Upload a photo", exact=True).click()
        wait_for_app(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stMetricLabel\"]')]"
            ".some(m => m.innerText.includes('says'))", timeout=120_000)
        wait_for_app(page)
        classes = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
        values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert values and values[0].strip() in classes
        page.get_by_text("Grad-CAM for").first.wait_for(timeout=60_000)  # the heatmap's caption
        assert page.locator('[data-testid="stImage"]').count() >= 3  # photo, 32x32 input, heatmap
        page.locator('[data-testid="stVegaLiteChart"]').first.locator("canvas, svg").first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "photo.png", full_page=True)


def test_write_streams_text_and_shows_the_next_character_chart():
    with running_app() as url, browser_page() as page:
        page.goto(url + "/write")
        wait_for_app(page)
        page.get_by_role("button", name="Write", exact=True).click()
        page.get_by_text("The guess behind each character").wait_for(timeout=120_000)
        wait_for_app(page)
        text = page.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
        assert any(t.startswith("this movie was") and len(t) > 200 for t in text)
        page.locator('[data-testid="stVegaLiteChart"]').first.locator("canvas, svg").first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "write.png", full_page=True)
