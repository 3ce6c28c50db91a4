"""The class in real Chromium: two students (two browser contexts, so two sessions) draw a digit
each and send it; the teacher's board, opened with the token, shows both in the gallery and in the
confusion matrices. Screenshots of the teacher's board at phone to projector widths go to artifacts/."""

import os
import re
import zipfile

import pytest

from benchmarks.chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, running_app, send_drawing_to_board, wait_for_app

pytestmark = pytest.mark.browser

TOKEN = "browser-test-teacher-token"
STROKES = {"1": [(140, 45), (138, 235)], "7": [(70, 60), (210, 60), (120, 240)]}
WIDTHS = (390, 1024, 1280, 1920)


@pytest.fixture(scope="module")
def class_app(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ("EXPLORER_TEACHER_TOKEN", "EXPLORER_CLASS_DB")}
    os.environ["EXPLORER_TEACHER_TOKEN"] = TOKEN
    os.environ["EXPLORER_CLASS_DB"] = str(tmp_path_factory.mktemp("board") / "board.sqlite3")
    try:
        from data import class_board

        class_board.ClassBoard().start_board("Browser lesson")
        with running_app() as url:
            yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def student_sends(page, url: str, digit: str) -> None:
    send_drawing_to_board(page, url, [STROKES[digit]], digit)


def test_two_students_send_drawings_and_the_teacher_board_shows_them(class_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            students = [browser.new_context(viewport={"width": 1280, "height": 1600}).new_page() for _ in range(2)]
            for page, digit in zip(students, ("1", "7")):
                student_sends(page, class_app, digit)

            # A student who opens the board sees no controls.
            students[0].goto(class_app + "/board")
            students[0].get_by_text("Your teacher shows this page").wait_for(timeout=60_000)
            assert students[0].get_by_text("Join from your phone").count() == 0

            teacher = browser.new_context(viewport={"width": 1280, "height": 2400}).new_page()
            teacher.goto(f"{class_app}/board?teacher={TOKEN}")
            teacher.get_by_text("Join from your phone or laptop").wait_for(timeout=60_000)
            teacher.get_by_text(re.compile(r"The class's drawings \(2")).wait_for(timeout=30_000)
            wait_for_app(teacher)
            assert TOKEN not in teacher.url  # never left in the projected address bar
            assert teacher.get_by_text("meant 1").count() >= 1 and teacher.get_by_text("meant 7").count() >= 1
            charts = teacher.locator(".vega-embed")
            charts.first.wait_for(timeout=30_000)
            assert charts.count() >= 4  # one confusion matrix per digit model
            assert teacher.locator('[data-testid="stException"]').count() == 0
            # Export: the zip is made when clicked (a deferred download), with both drawings in it.
            with teacher.expect_download(timeout=60_000) as download:
                teacher.get_by_role("button", name="Export").click()
            with zipfile.ZipFile(download.value.path()) as exported:
                names = exported.namelist()
                rows = exported.read("submissions.csv").decode().strip().splitlines()
            assert len(rows) == 3 and sum(n.startswith("drawings/") for n in names) == 2
            ARTIFACTS.mkdir(exist_ok=True)
            for width in WIDTHS:
                teacher.set_viewport_size({"width": width, "height": 1400})
                teacher.wait_for_timeout(2500)  # the layout settles; the board refreshes every 2 s
                # Streamlit scrolls inside its main block, so a full-page shot needs a viewport as tall.
                height = teacher.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
                teacher.set_viewport_size({"width": width, "height": min(int(height) + 40, 6000)})
                teacher.wait_for_timeout(1500)
                teacher.screenshot(path=ARTIFACTS / f"board_{width}.png", full_page=True)
        finally:
            browser.close()
