"""Type a review in real Chromium: the verdicts, the word-by-word chart and the sentence-by-sentence
chart appear."""

import io

import numpy as np
import pytest

from benchmarks.chromium import ARTIFACTS, browser_page, running_app, wait_for_app

pytestmark = pytest.mark.browser


def coloured_pixels(element) -> int:
    """Pixels of a chart in the models' colours (saturated), not its grey axes, grid and labels:
    a chart whose marks lost their data still has every axis, and none of these."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB")).astype(int)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 80).sum())


def test_typed_review_gets_verdicts_and_a_trajectory():
    with running_app() as url, browser_page() as page:
        page.goto(url + "/review")
        wait_for_app(page)
        box = page.get_by_role("textbox", name="Your review")  # not its help button
        box.wait_for(timeout=90_000)
        box.fill("The first half was good, but the ending was not good at all. Boring.")
        box.press("Control+Enter")
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
            ".some(m => m.innerText.includes('negative'))", timeout=60_000)
        wait_for_app(page)
        values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert len(values) == 4 and all(v.strip() in ("positive", "negative") for v in values)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.wait_for(timeout=30_000)
        chart.locator("canvas, svg").first.wait_for(timeout=30_000)
        # Two sentences: each one's verdict per model, as a second chart under its heading (the
        # default example's chart was there before: wait until nothing on the page is stale).
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=60_000)
        page.get_by_text("Sentence by sentence").first.wait_for(timeout=30_000)
        sentence_chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
        sentence_chart.locator("canvas, svg").first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # the charts' marks are drawn
        assert coloured_pixels(chart) > 500, "the word-by-word chart has no lines"
        assert coloured_pixels(sentence_chart) > 200, "the sentence-by-sentence chart has no dots"
        assert page.locator('[data-testid="stCaptionContainer"]').filter(has_text="trained on").count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "review.png", full_page=True)
