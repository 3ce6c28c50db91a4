"""In real Chromium: click a confusion-matrix cell and see its digits; start a tiny run on the
Train page and watch its curve grow until the test accuracy appears."""

import pytest

from benchmarks.chromium import ARTIFACTS, browser_page, running_app, wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 1920])  # a projector; a wide screen (the page zoomed 1.3x)
def test_clicking_a_confusion_cell_shows_the_digits_behind_it(mnist_path, width):
    with running_app() as url, browser_page(width=width, height=3000) as page:
        page.goto(url + "/compare")
        page.get_by_text("Confusion matrices").wait_for(timeout=90_000)
        wait_for_app(page)
        matrices = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
        # Vega draws SVG; each cell is a path whose aria-label names its model and classes.
        cell = matrices.locator('svg g.mark-rect path[aria-label*="true: 4;"][aria-label*="predicted: 9;"]').first
        cell.wait_for(timeout=30_000)
        assert "model: CNN" in cell.get_attribute("aria-label")
        cell.click()
        page.get_by_text("examples land here for at least one model").wait_for(timeout=60_000)
        wait_for_app(page)
        heading = page.locator("h4").filter(has_text="predicted").first.inner_text()
        assert "True 4, predicted 9" in heading
        digits = page.locator('[data-testid="stImage"] img')
        assert digits.count() >= 1
        # Each example card keeps room for its digit and its words (the trial saw ~25 px cards).
        card = page.locator('[data-testid="stVerticalBlockBorderWrapper"], [data-testid="stVerticalBlock"]').filter(
            has=digits.first).last
        assert digits.first.bounding_box()["width"] >= 40
        assert card.bounding_box()["width"] >= 150
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / f"compare_cell_{width}.png", full_page=True)


def test_a_tiny_run_grows_its_curve_and_finishes(mnist_path):
    with running_app() as url, browser_page(height=2000) as page:
        page.goto(url + "/train")
        start = page.get_by_role("button", name="Train", exact=True)
        start.wait_for(timeout=90_000)
        wait_for_app(page)
        start.click()
        progress = page.locator('[data-testid="stProgress"]')
        progress.first.wait_for(timeout=120_000)
        line = page.locator('[data-testid="stVegaLiteChart"] svg g.mark-line path').first
        line.wait_for(timeout=60_000)
        first = line.get_attribute("d")
        page.wait_for_function(
            "(d) => { const p = document.querySelector('[data-testid=\"stVegaLiteChart\"] svg g.mark-line path');"
            " return p && p.getAttribute('d') !== d && p.getAttribute('d').length > d.length; }",
            arg=first, timeout=120_000)  # the line has more points: the curve grew
        page.get_by_text("Test accuracy").first.wait_for(timeout=300_000)
        wait_for_app(page)
        # The finished run is listed with its download (after the page's full rerun).
        page.locator('[data-testid="stDownloadButton"]').first.wait_for(timeout=30_000)
        assert "Download .keras" in page.locator('[data-testid="stDownloadButton"]').first.inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "train_done.png", full_page=True)
