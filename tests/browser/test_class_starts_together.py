"""Three students open three different pages of a freshly started server at the same moment:
every page renders, none shows an exception (their threads used to import Keras at once and
one of them saw it half-initialised)."""

import asyncio

import pytest

from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS, running_app

pytestmark = pytest.mark.browser

PAGES = {"/draw": "canvas.upper-canvas", "/review": "textarea", "/train": "text=Train a model live"}


async def open_together(url: str) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = {path: await (await browser.new_context()).new_page() for path in PAGES}
            await asyncio.gather(*(page.goto(url + path) for path, page in pages.items()))
            await asyncio.gather(*(page.locator(PAGES[path]).first.wait_for(timeout=120_000)
                                   for path, page in pages.items()))
            for page in pages.values():  # let every script run finish
                await page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
                    " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
                    timeout=120_000)
            return {path: await page.locator('[data-testid="stException"]').count() for path, page in pages.items()}
        finally:
            await browser.close()


def test_three_pages_of_a_fresh_server_open_at_once():
    with running_app() as url:
        exceptions = asyncio.run(open_together(url))
    assert exceptions == {path: 0 for path in PAGES}
