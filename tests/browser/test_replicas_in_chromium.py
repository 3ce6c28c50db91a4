"""Two replicas behind nginx, in real Chromium: a student's session stays on one replica through
reruns and a reload, its pages render through nginx (so the websocket upgrade works), and what it
sends to the class board is on the teacher's board served by the other replica."""

import os
import re
import secrets
import urllib.request

import pytest

from benchmarks.chromium import CHROMIUM, CHROMIUM_ARGS, draw_stroke, wait_for_app
from data import class_board, classroom
from deploy import replicas
from tests.browser.test_class_board_in_chromium import student_sends
from tests.test_deploy import nginx_or_skip

pytestmark = pytest.mark.browser

TOKEN = "replica-test-teacher-token"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    nginx_or_skip()
    db = tmp_path_factory.mktemp("board") / "board.sqlite3"
    class_board.ClassBoard(db).start_board("Replica lesson")
    env = dict(os.environ, **{classroom.TOKEN_VARIABLE: TOKEN, class_board.DB_VARIABLE: str(db)})
    with replicas.running(2, env=env, runtime=tmp_path_factory.mktemp("nginx")) as started:
        yield started


def replica_of(url: str, cookie: str) -> str:
    request = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"{replicas.COOKIE}={cookie}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
        assert not any(c.startswith(replicas.COOKIE) for c in cookies)  # a valid cookie is kept, not replaced
        return response.headers[replicas.REPLICA_HEADER]


def cookies_on_two_replicas(url: str) -> dict[str, str]:
    """A sticky cookie for each replica: {upstream address: cookie}."""
    found: dict[str, str] = {}
    for _ in range(64):
        cookie = secrets.token_hex(16)
        found.setdefault(replica_of(url, cookie), cookie)
        if len(found) == 2:
            return found
    raise AssertionError(f"64 random cookies all went to {list(found)}: the hash is not spreading sessions")


def browser_on(browser, url: str, cookie: str, height: int = 1600):
    context = browser.new_context(viewport={"width": 1280, "height": height})
    context.add_cookies([{"name": replicas.COOKIE, "value": cookie, "url": url}])
    page = context.new_page()
    answered_by: list[str] = []
    page.on("response", lambda r: answered_by.append(r.headers.get(replicas.REPLICA_HEADER.lower(), "none"))
            if r.url.startswith(url) else None)
    return page, answered_by


def test_a_session_stays_on_its_replica_and_the_board_is_shared(cluster):
    from playwright.sync_api import sync_playwright

    # Without a cookie, nginx hands one out; with it, the same replica answers every time.
    with urllib.request.urlopen(cluster.url + "/_stcore/health", timeout=10) as response:
        ours = [c for c in response.headers.get_all("Set-Cookie") if c.startswith(replicas.COOKIE + "=")]
        handed_out = re.fullmatch(rf"{replicas.COOKIE}=([0-9a-f]{{32}}); Path=/; HttpOnly; SameSite=Lax",
                                  ours[0]).group(1)
        first = response.headers[replicas.REPLICA_HEADER]
    assert {replica_of(cluster.url, handed_out) for _ in range(5)} == {first}
    on = cookies_on_two_replicas(cluster.url)
    student_replica, teacher_replica = sorted(on)
    assert {student_replica, teacher_replica} == {u.removeprefix("http://") for u in cluster.replica_urls}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            student, student_answers = browser_on(browser, cluster.url, on[student_replica])
            student_sends(student, cluster.url, "1")  # opens Draw, draws, sends: several reruns
            draw_stroke(student, [(60, 150), (220, 150)])  # one more rerun, with new images from /media
            wait_for_app(student)
            student.reload()  # a new websocket: the cookie brings it back to the same replica
            wait_for_app(student)
            student.locator("canvas.upper-canvas").first.wait_for(timeout=90_000)
            assert student.locator('[data-testid="stException"]').count() == 0

            teacher, teacher_answers = browser_on(browser, cluster.url, on[teacher_replica], height=2400)
            teacher.goto(f"{cluster.url}/board?teacher={TOKEN}")
            teacher.get_by_text("Join from your phone or laptop").wait_for(timeout=90_000)
            teacher.get_by_text(re.compile(r"The class's drawings \(1")).wait_for(timeout=60_000)
            assert teacher.get_by_text("meant 1").count() >= 1
            assert teacher.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()

    assert len(student_answers) > 10 and set(student_answers) == {student_replica}
    assert len(teacher_answers) > 5 and set(teacher_answers) == {teacher_replica}
    # The websockets (logged by nginx when they close): upgraded (101), each on its session's replica.
    streams = [line for line in cluster.access_log.read_text().splitlines() if "/_stcore/stream" in line]
    for role, replica in (("student", student_replica), ("teacher", teacher_replica)):
        mine = [line for line in streams if f"replica={on[replica]}" in line]
        assert len(mine) >= (2 if role == "student" else 1), (role, streams)  # the student reloaded once
        assert all('" 101 ' in line and f"upstream={replica} " in line for line in mine), (role, mine)
    # The submission went through the student's replica into the one database both replicas use.
    board = class_board.ClassBoard(cluster.database_url)
    assert [s.meant for s in board.submissions(board.active_board().id)] == ["1"]
