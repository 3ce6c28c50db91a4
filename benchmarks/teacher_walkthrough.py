"""What a teacher does, step by step, as screenshots from the running app (docs/teacher_*.png):
the app started with a teacher token, the class board page that shows how to join (address + QR),
a student's phone drawing a digit and sending it, the Draw page in projector mode on a 1920 px
screen, and the teacher's board with the class's drawings.

    python -m benchmarks.teacher_walkthrough   # writes docs/teacher_1_join.png ... teacher_4_board.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS, draw_stroke, running_app, send_drawing_to_board, wait_for_app  # noqa: E402

DOCS = ROOT / "docs"
TOKEN = "walkthrough-token"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0 Mobile Safari/537.36")
STROKES = {"1": [[(140, 45), (138, 235)]], "7": [[(70, 60), (210, 60), (120, 240)]],
           "4": [[(80, 40), (60, 160), (220, 160)], [(170, 70), (170, 250)]]}  # a 4 in two strokes


def wait_for_spinners(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSpinner\"]')", timeout=180_000)
    wait_for_app(page)
    page.wait_for_timeout(800)


def send(page, url: str, digit: str, shot: Path | None = None) -> None:
    send_drawing_to_board(page, url, STROKES[digit], digit)
    if shot is not None:
        page.locator("canvas.upper-canvas").first.scroll_into_view_if_needed()
        page.screenshot(path=shot)


def main() -> None:
    from playwright.sync_api import sync_playwright

    DOCS.mkdir(exist_ok=True)
    board_file = Path(tempfile.mkdtemp()) / "board.sqlite3"
    os.environ["EXPLORER_TEACHER_TOKEN"] = TOKEN
    os.environ["EXPLORER_CLASS_DB"] = str(board_file)
    from data import class_board

    class_board.ClassBoard().start_board("Lesson 3: recurrent networks")
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # 1. The teacher opens the link printed at start (the token leaves the address bar at once).
        teacher = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        teacher.goto(f"{url}/board?teacher={TOKEN}")
        teacher.get_by_text("Scan with the camera app").wait_for(timeout=120_000)
        wait_for_spinners(teacher)
        teacher.screenshot(path=DOCS / "teacher_1_join.png")
        # 2. Students scan the QR code: a phone draws and sends (with the digit it meant).
        phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                    user_agent=PHONE).new_page()
        send(phone, url, "4", DOCS / "teacher_2_student_phone.png")
        laptop = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        for digit in ("1", "7"):
            send(laptop, url, digit)
        # 3. The projector: the teacher's Draw page in projector mode on a 1920 px screen.
        projector = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        projector.goto(f"{url}/draw?teacher={TOKEN}&projector=1")
        wait_for_app(projector)
        draw_stroke(projector, STROKES["7"][0])
        projector.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
        wait_for_spinners(projector)
        projector.screenshot(path=DOCS / "teacher_3_projector.png")
        # 4. The board: the class's drawings, every model's answers, the class's confusion matrix.
        teacher.goto(f"{url}/board?teacher={TOKEN}")  # (a reload is a new session: the link again)
        wait_for_spinners(teacher)
        teacher.get_by_text("How the models do on the class").first.scroll_into_view_if_needed()
        teacher.screenshot(path=DOCS / "teacher_4_board.png")
        browser.close()
    for name in sorted(DOCS.glob("teacher_*.png")):
        print(name.relative_to(ROOT))


if __name__ == "__main__":
    main()
