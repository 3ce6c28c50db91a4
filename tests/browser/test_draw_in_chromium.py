"""The real thing: streamlit run app.py, Debian's headless Chromium, a mouse stroke."""

import pytest

from benchmarks.chromium import ARTIFACTS, browser_page, draw_stroke, running_app, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


def cnn_answer(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="The CNN says")
    metric.wait_for(timeout=60_000)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_direct_link_on_a_fresh_server_goes_through_the_router():
    """The very first visitor of a new server opens /draw directly: the page must still run
    inside app.py's navigation (wide layout, our page titles), not Streamlit's legacy pages/."""
    with running_app() as url, browser_page() as page:
        page.goto(url + "/draw")
        page.get_by_text("Draw a digit (0–9)").wait_for(timeout=90_000)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Draw a digit" in nav and "shared" not in nav and "charts" not in nav


def test_home_page_renders(app_url):
    with browser_page() as page:
        page.goto(app_url)
        wait_for_app(page)
        page.get_by_text("test accuracy").first.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "home.png", full_page=True)


def test_vertical_stroke_is_read_as_one(app_url):
    with browser_page() as page:
        page.goto(app_url + "/draw")
        wait_for_app(page)
        draw_stroke(page, [(140, 45), (138, 235)])
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
            ".some(m => m.innerText.includes('The CNN says'))", timeout=60_000)
        wait_for_app(page)
        assert cnn_answer(page) == "1"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=ARTIFACTS / "draw_one.png", full_page=True)


def test_drawing_a_seven_then_clearing(app_url):
    with browser_page() as page:
        page.goto(app_url + "/draw")
        wait_for_app(page)
        draw_stroke(page, [(70, 60), (210, 60), (120, 240)])
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
            ".some(m => m.innerText.includes('The CNN says'))", timeout=60_000)
        wait_for_app(page)
        assert cnn_answer(page) == "7"
        page.screenshot(path=ARTIFACTS / "draw_seven.png", full_page=True)
        page.get_by_role("button", name="Clear").click()
        page.get_by_text("Draw a digit (0–9)").wait_for(timeout=30_000)
        # The views below the answer follow it a moment later (pages/_ui/answer_first.py): they go too.
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stMetric\"]')", timeout=10_000)
        page.wait_for_timeout(500)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0


# The canvas's own send waits for 200 ms without changes (its JavaScript's debounce). Here every
# 200 ms timer of the page is dropped, so only pages/_ui/pen_up.py's send at pen-up can deliver
# the stroke; the page records each message it sends to the server.
NO_DEBOUNCE_AND_COUNT_SENDS = """
const setTimeoutOfPage = window.setTimeout;
window.setTimeout = (fn, delay, ...args) => delay === 200 ? 0 : setTimeoutOfPage(fn, delay, ...args);
window.__sends = [];
const sendOfPage = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  // when, and whether an answer was already on the page then
  window.__sends.push([performance.now(), !!document.querySelector('[data-testid="stMetric"]')]);
  return sendOfPage.call(this, data);
};
window.__penUps = [];
document.addEventListener("pointerup", () => window.__penUps.push(performance.now()), true);
"""


def test_a_stroke_is_sent_once_at_pen_up(app_url):
    with browser_page() as page:
        page.add_init_script(NO_DEBOUNCE_AND_COUNT_SENDS)
        page.goto(app_url + "/draw")
        wait_for_app(page)
        page.evaluate("window.__sends = []")
        draw_stroke(page, [(140, 45), (138, 235)])
        assert cnn_answer(page) == "1"  # delivered without the canvas's 200 ms timer
        wait_for_app(page)
        page.wait_for_timeout(500)
        sends, pen_ups = page.evaluate("[window.__sends, window.__penUps]")
        assert len(sends) == 1, f"the stroke went to the server {len(sends)} times"
        assert sends[0][0] >= pen_ups[-1]
