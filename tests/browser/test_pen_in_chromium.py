"""Real Chromium: draw a 4 in two strokes on the canvas, open the "Read the pen" tab; the pen models
read the strokes and the replay shows the pen LSTM's answer after every point."""

import pytest

from benchmarks.chromium import ARTIFACTS, browser_page, draw_stroke, running_app, wait_for_app

pytestmark = pytest.mark.browser


def test_two_stroke_four_is_read_by_the_pen_models():
    with running_app() as url, browser_page() as page:
        page.goto(url + "/draw")
        wait_for_app(page)
        draw_stroke(page, [(95, 45), (75, 165), (200, 165)])  # the open corner of the 4
        page.wait_for_timeout(600)
        draw_stroke(page, [(165, 60), (165, 245)])  # its stem, a second stroke
        page.get_by_role("tab", name="Read the pen, not the picture").click(timeout=120_000)
        page.get_by_text("2 stroke(s)", exact=False).first.wait_for(timeout=120_000)  # the second stroke arrived
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stMetricLabel\"]')]"
            ".some(m => m.innerText.includes('after point'))", timeout=120_000)
        wait_for_app(page)
        labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        pen = [v for label, v in zip(labels, values) if "after point" in label]
        assert pen and pen[0].strip() == "4", (labels, values)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "draw_pen.png", full_page=True)
