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
        stroke = [when for when, answered in sends if not answered]
        assert len(stroke) == 1, f"the stroke went to the server {len(stroke)} times"
        assert stroke[0] >= pen_ups[-1]
        # Then, once the answer was on the page, one more message: the views below it asking to
        # follow (pages/_ui/answer_first.py), and they show this stroke.
        assert len(sends) == 2 and sends[1][1], sends
        assert page.get_by_text("Your drawing as the pen models get it: 1 stroke(s)").count() == 1


# When a stroke's answer is painted (Element Timing) and when the first of the views below it (its
# heading, which React puts in the page with the rest of the run's views) arrives, on the browser's clock.
PAINT_AND_VIEWS = """
window.__seen = {answerPainted: null, views: null};
new MutationObserver(() => {
  const seen = window.__seen;
  const value = document.querySelector('[data-testid="stMetric"] [data-testid="stMetricValue"]');
  if (value && !value.hasAttribute("elementtiming")) {
    for (const element of [value, ...value.querySelectorAll("*")]) element.setAttribute("elementtiming", "answer");
  }
  if (seen.views === null && [...document.querySelectorAll("h3")].some((h) => h.textContent.includes(VIEWS))) {
    seen.views = performance.now();
  }
}).observe(document, {subtree: true, childList: true});
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) {
    if (entry.identifier === "answer" && window.__seen.answerPainted === null) {
      window.__seen.answerPainted = entry.renderTime || entry.loadTime;
    }
  }
}).observe({type: "element", buffered: true});
""".replace("VIEWS", '"Every model\'s probabilities"')


def test_the_answer_is_on_screen_before_the_views_arrive(app_url):
    """pages/_ui/answer_first.py: the views are asked for once the answer is painted, so the
    browser never has to draw them all before the student sees the digit (every stroke)."""
    with browser_page() as page:
        page.add_init_script(PAINT_AND_VIEWS)
        page.goto(app_url + "/draw")
        wait_for_app(page)
        order = []
        for stroke in range(4):
            if stroke:
                page.get_by_role("button", name="Clear").click()
                page.get_by_text("Every model's probabilities").wait_for(state="detached", timeout=30_000)
                wait_for_app(page)
                page.wait_for_timeout(500)  # the new canvas sets up its pen after the run
            page.evaluate("window.__seen = {answerPainted: null, views: null}")
            assert not page.get_by_text("Every model's probabilities").count()  # no views yet
            draw_stroke(page, [(140, 45), (138, 235)])
            assert cnn_answer(page) == "1"
            page.get_by_text("Every model's probabilities").wait_for(timeout=60_000)
            page.wait_for_function("() => window.__seen.answerPainted !== null", timeout=10_000)
            seen = page.evaluate("window.__seen")
            order.append(round(seen["views"] - seen["answerPainted"]))
        assert all(gap > 0 for gap in order), f"the views arrived this long after the answer was painted: {order} ms"
