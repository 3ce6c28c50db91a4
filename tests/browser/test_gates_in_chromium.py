"""The LSTM gates page in real Chromium: the keyboard moves the time step and the equations'
numbers follow; the Draw page opens the gates on its drawing."""

import pytest

from benchmarks.chromium import ARTIFACTS, browser_page, draw_stroke, running_app, wait_for_app

pytestmark = pytest.mark.browser

EQUATIONS = '[class*="st-key-gates_eq_"]'  # the six equation blocks


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


def equations_text(page) -> str:
    return "\n".join(page.locator(EQUATIONS).all_inner_texts())


def wait_for_equations(page):
    page.locator(".st-key-gates_eq_h").wait_for(timeout=120_000)
    wait_for_app(page)


def test_time_step_slider_moves_the_numbers(app_url):
    with browser_page(height=1400) as page:
        page.goto(app_url + "/gates")
        wait_for_app(page)
        wait_for_equations(page)
        assert page.locator(EQUATIONS).count() == 6
        slider = page.locator(".st-key-gates_step").get_by_role("slider")
        start = int(slider.get_attribute("aria-valuetext"))
        before = equations_text(page)
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([sel, old]) => [...document.querySelectorAll(sel)].map(e => e.innerText).join('\\n') !== old",
            arg=[EQUATIONS, before], timeout=30_000)
        wait_for_app(page)
        after = equations_text(page)
        assert int(slider.get_attribute("aria-valuetext")) == start + 1
        assert after != before
        # The equations now name the new step (KaTeX keeps the TeX source in an annotation).
        tex = "".join(page.locator(f'{EQUATIONS} annotation[encoding="application/x-tex"]').all_text_contents())
        assert f"i_{{{start + 1}}}" in tex and f"h_{{{start}}}" in tex
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "gates_waves.png")


def test_quick_arrow_presses_are_all_kept(app_url):
    """A student holding the arrow key: every press moves one step, none is lost to the run
    the previous press started (the page used to write the step back on every run)."""
    with browser_page(height=1400) as page:
        page.goto(app_url + "/gates")
        wait_for_app(page)
        wait_for_equations(page)
        slider = page.locator(".st-key-gates_step").get_by_role("slider")
        slider.focus()
        page.keyboard.press("Home")
        wait_for_app(page)
        page.wait_for_timeout(1500)
        wait_for_app(page)
        for _ in range(6):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(120)  # faster than a rerun of the fragment
        page.wait_for_timeout(1500)
        wait_for_app(page)
        page.wait_for_timeout(1500)
        assert int(slider.get_attribute("aria-valuetext")) == 7
        tex = "".join(page.locator(f'{EQUATIONS} annotation[encoding="application/x-tex"]').all_text_contents())
        assert "i_{7}" in tex  # and the equations show that step


def test_draw_page_opens_the_gates_on_the_drawing(app_url):
    with browser_page(height=1800) as page:
        page.goto(app_url + "/draw")
        wait_for_app(page)
        draw_stroke(page, [(140, 45), (138, 235)])
        page.get_by_text("Recurrent memory, row by row").click()
        page.get_by_label("LSTM", exact=True).check(force=True)
        wait_for_app(page)
        page.get_by_role("button", name="Watch its gates on this digit").click()
        wait_for_equations(page)
        assert page.get_by_text("Your drawing (from the Draw page)").is_visible()
        assert page.locator('[data-testid="stMetricValue"]').first.inner_text().strip() == "1"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "gates_drawing.png", full_page=True)
