"""The class board's storage: created and migrated by the app, shared by several processes,
nothing committed lost when a server is killed mid-write, and every bad submission refused
with a message a student can read."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest
from PIL import Image

from data import class_board
from data.class_board import ClassBoard, SubmissionRefused
from tests.conftest import ROOT

DIGIT_ANSWERS = {"mnist_cnn": {"label": "7", "confidence": 0.9}, "mnist_lstm": {"label": "1", "confidence": 0.55}}
REVIEW_ANSWERS = {"imdb_lstm": {"label": "positive", "confidence": 0.8}}


def png_of(size=(280, 280), seed=0, noisy=False) -> bytes:
    """A canvas-like drawing: a white stroke on black (or random noise, which compresses badly)."""
    rng = random.Random(seed)
    image = Image.new("L", size)
    if noisy:
        image.putdata([rng.randrange(256) for _ in range(size[0] * size[1])])
    else:
        x = rng.randrange(size[0] // 4, size[0] // 2)
        image.paste(255, (x, size[1] // 6, x + max(1, size[0] // 12), size[1] * 5 // 6))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def board(tmp_path) -> ClassBoard:
    b = ClassBoard(tmp_path / "board.sqlite3")
    b.start_board("Lesson 1: CNNs")
    return b


# -- Creation and migration -----------------------------------------------------------------------

def test_created_from_an_empty_file_in_wal_mode(tmp_path):
    path = tmp_path / "empty.sqlite3"
    path.write_bytes(b"")  # what `touch` leaves: SQLite treats it as an empty database
    b = ClassBoard(path)
    assert b.schema_version() == class_board.SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"boards", "submissions"} <= tables
    assert b.active_board() is None and b.list_boards() == []
    ClassBoard(path)  # opening it again migrates nothing and changes nothing
    assert b.schema_version() == class_board.SCHEMA_VERSION


def test_default_path_is_the_variable_else_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(class_board.DB_VARIABLE, raising=False)
    assert class_board.default_path() == tmp_path / "data" / "cnn-rnn-lstm-explorer" / "class_board.sqlite3"
    monkeypatch.setenv(class_board.DB_VARIABLE, str(tmp_path / "mine.db"))
    assert ClassBoard().path == tmp_path / "mine.db" and (tmp_path / "mine.db").is_file()


def make_v1(path) -> None:
    """A database as version 1 of the schema left it: two boards marked active (v1 allowed it)."""
    with sqlite3.connect(path) as db:
        db.executescript(class_board.MIGRATIONS[0])
        db.execute("INSERT INTO boards (lesson, created, active) VALUES ('old', 1.0, 1), ('newer', 2.0, 1)")
        db.execute("INSERT INTO submissions (board_id, kind, created, session, meant, text, answers) "
                   "VALUES (2, 'review', 3.0, 'abc', 'positive', 'great', ?)", (json.dumps(REVIEW_ANSWERS),))
        db.execute("PRAGMA user_version = 1")
    db.close()


def test_migrates_a_version_1_file_keeping_its_data(tmp_path):
    path = tmp_path / "v1.sqlite3"
    make_v1(path)
    b = ClassBoard(path)
    assert b.schema_version() == 2
    assert b.active_board().lesson == "newer"  # the newest active board stays active, alone
    assert [s.text for s in b.submissions(2)] == ["great"]
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE boards SET active = 1 WHERE lesson = 'old'")  # v2: one active board at most
    assert b.start_board("next").active and [x.active for x in b.list_boards()] == [True, False, False]


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "v1.sqlite3"
    make_v1(path)
    monkeypatch.setattr(class_board, "MIGRATIONS", (class_board._V1, class_board._V2 + ";CREATE TABLE boards (x)"))
    with pytest.raises(class_board.BoardUnavailable):
        ClassBoard(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert not db.execute("SELECT name FROM sqlite_master WHERE name = 'one_active_board'").fetchall()


def test_a_newer_or_foreign_file_is_refused_clearly(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(class_board.BoardUnavailable, match="newer version"):
        ClassBoard(newer)
    foreign = tmp_path / "notes.txt"
    foreign.write_bytes(b"this is not a database" * 100)
    with pytest.raises(class_board.BoardUnavailable, match=class_board.DB_VARIABLE):
        ClassBoard(foreign)


# -- Several processes ----------------------------------------------------------------------------

def _open_fresh(path: str, barrier, results) -> None:
    barrier.wait()  # all at the same moment: the race is in the first few milliseconds
    try:
        results.put(ClassBoard(path).schema_version())
    except Exception as error:
        results.put(repr(error))


def _write_many(args) -> list[int]:
    path, writer, count = args
    b = ClassBoard(path, rate_limit=None)
    return [b.submit_drawing(f"writer-{writer}", png_of(seed=writer * 1000 + i), str(i % 10), DIGIT_ANSWERS,
                             nickname=f"w{writer}") for i in range(count)]


def test_processes_creating_the_same_file_at_once_all_succeed(tmp_path):
    """Six servers starting on a new file together. Without the retry around switching the
    file to WAL, about one round in ten failed here with 'database is locked'."""
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    for round_ in range(10):
        path = str(tmp_path / f"fresh-{round_}.sqlite3")
        barrier, results = context.Barrier(6), context.Queue()
        servers = [context.Process(target=_open_fresh, args=(path, barrier, results)) for _ in range(6)]
        for server in servers:
            server.start()
        opened = [results.get(timeout=60) for _ in servers]
        for server in servers:
            server.join(timeout=60)
        assert opened == [class_board.SCHEMA_VERSION] * 6, opened


def test_four_processes_writing_at_once_lose_nothing(board):
    writers, each = 4, 25
    with multiprocessing.get_context("spawn").Pool(writers) as pool:
        reported = pool.map(_write_many, [(str(board.path), w, each) for w in range(writers)])
    ids = [i for r in reported for i in r]
    assert len(ids) == len(set(ids)) == writers * each
    stored = board.submissions(board.active_board().id, "drawing")
    assert sorted(s.id for s in stored) == sorted(ids)
    assert {s.nickname for s in stored} == {f"w{w}" for w in range(writers)}
    expected = {png_of(seed=w * 1000 + i) for w in range(writers) for i in range(each)}
    assert {s.png for s in stored} == expected  # every picture whole, none mixed up
    assert board.active_board().drawings == writers * each


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from data.class_board import ClassBoard
    from tests.test_class_board import DIGIT_ANSWERS, png_of
    board = ClassBoard({path!r}, rate_limit=None)
    n = 0
    while True:
        n += 1
        submission = board.submit_drawing("killed-{k}", png_of(seed=n),
                                          str(n % 10), DIGIT_ANSWERS, nickname="n" + str(n))
        print(submission, flush=True)  # printed only once committed
""")


def test_sigkill_during_a_write_loop_loses_nothing_committed(board):
    """Three writers, each SIGKILLed at a random moment of a tight write loop (writing is
    all they do, so mostly inside a transaction or its fsync). The file must pass SQLite's
    integrity check, hold every submission a writer reported as committed, and hold no row
    that is not whole."""
    rng = random.Random()
    reported: list[int] = []
    for k in range(3):
        writer = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(board.path), k=k)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first = writer.stdout.readline()
            assert first.strip().isdigit(), writer.stderr.read()
            time.sleep(rng.uniform(0.05, 0.5))
            assert writer.poll() is None
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=30)
            assert writer.returncode == -signal.SIGKILL
            reported += [int(first)] + [int(line) for line in writer.stdout.read().split()]
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    assert len(reported) >= 3
    with sqlite3.connect(board.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    stored = {s.id: s for s in board.submissions(board.active_board().id)}
    assert set(reported) <= set(stored)
    for s in stored.values():  # whole rows only: each one's picture, label and answers read back
        class_board.check_png(s.png)
        assert s.nickname.startswith("n") and s.meant in class_board.LABELS["drawing"] and s.answers == DIGIT_ANSWERS
    assert board.submit_review("after", "Still works after the kills.", "positive", REVIEW_ANSWERS)


HOLDER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from data.class_board import ClassBoard
    board = ClassBoard({path!r})
    with board._write() as db:
        db.execute("INSERT INTO submissions (board_id, kind, created, session, meant, text, answers) "
                   "VALUES (1, 'review', 0, 'x', 'positive', 'half-written', '{{}}')")
        print("holding", flush=True)
        import time
        time.sleep(60)
""")


def test_a_writer_killed_inside_its_transaction_leaves_no_trace_and_no_lock(board):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(ROOT), path=str(board.path))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert board.submissions(board.active_board().id) == []  # the uncommitted row is gone
    started = time.perf_counter()
    board.submit_review("next", "A fine film.", "positive", REVIEW_ANSWERS)  # and the lock with it
    assert time.perf_counter() - started < 5


# -- Refusals -------------------------------------------------------------------------------------

def _too_wide() -> bytes:
    return png_of(size=(2000, 8))


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("L", (28, 28)).save(out, "JPEG")
    return out.getvalue()


BAD_DRAWINGS = {
    "too many bytes": (lambda: png_of(size=(300, 300), noisy=True), "too large"),
    "a JPEG": (_jpeg, "not a PNG"),
    "a PNG signature then junk": (lambda: class_board.PNG_SIGNATURE + os.urandom(500), "could not be read"),
    "a truncated PNG": (lambda: png_of(noisy=True, size=(100, 100))[:3000], "could not be read"),
    "too wide": (_too_wide, "2000×8 pixels"),
    "too small": (lambda: png_of(size=(4, 4)), "4×4 pixels"),
    "text": (lambda: "iVBORw0KGgo=", "must be a PNG"),
    "nothing": (lambda: b"", "not a PNG"),
}


@pytest.mark.parametrize("bad", list(BAD_DRAWINGS))
def test_bad_drawings_are_refused_with_a_message(board, bad):
    make, message = BAD_DRAWINGS[bad]
    with pytest.raises(SubmissionRefused, match=message):
        board.submit_drawing("s", make(), "7", DIGIT_ANSWERS)
    assert board.active_board().drawings == 0


BAD_FIELDS = {
    "a nickname too long": (dict(nickname="x" * 25), "nickname is too long"),
    "a nickname that is not text": (dict(nickname=["a"]), "nickname must be text"),
    "a digit that is not one": (dict(meant="12"), "Choose what you meant"),
    "no answers": (dict(answers={}), "answers are missing"),
    "a confidence above 1": (dict(answers={"mnist_cnn": {"label": "7", "confidence": 1.5}}), "between 0 and 1"),
    "a confidence that is NaN": (dict(answers={"mnist_cnn": {"label": "7", "confidence": float("nan")}}),
                                 "between 0 and 1"),
    "a hostile model key": (dict(answers={"<script>": {"label": "7", "confidence": 0.5}}), "model's name"),
    "no session": (dict(session=""), "reload the page"),
}


@pytest.mark.parametrize("bad", list(BAD_FIELDS))
def test_bad_fields_are_refused_with_a_message(board, bad):
    change, message = BAD_FIELDS[bad]
    fields = dict(session="s", png=png_of(), meant="7", answers=DIGIT_ANSWERS) | change
    with pytest.raises(SubmissionRefused, match=message):
        board.submit_drawing(**fields)
    assert board.active_board().drawings == 0


def test_bad_reviews_are_refused_and_nicknames_cleaned(board):
    for text, message in [("x" * 5_001, "too long"), ("  \n ", "empty"), (None, "must be text")]:
        with pytest.raises(SubmissionRefused, match=message):
            board.submit_review("s", text, "positive", REVIEW_ANSWERS)
    with pytest.raises(SubmissionRefused, match="negative, positive"):
        board.submit_review("s", "fine", "neutral", REVIEW_ANSWERS)
    ok = board.submit_review("s", "x" * 5_000, "positive", REVIEW_ANSWERS, nickname="\u202eAda\x00 \x1b[31m ")
    stored = board.submissions(board.active_board().id)[0]
    assert stored.id == ok and stored.nickname == "Ada [31m" and len(stored.text) == 5_000
    assert stored.session != "s" and len(stored.session) == 32  # a hash, never the session id


def test_nothing_is_accepted_before_the_teacher_starts_a_board(tmp_path):
    b = ClassBoard(tmp_path / "b.sqlite3")
    with pytest.raises(SubmissionRefused, match="not open yet"):
        b.submit_review("s", "A good film.", "positive", REVIEW_ANSWERS)
    with pytest.raises(SubmissionRefused, match="lesson a name"):
        b.start_board("  ")


def test_the_rate_limit_holds_across_connections(tmp_path):
    now = [1_000.0]
    path = tmp_path / "b.sqlite3"
    first, second = (ClassBoard(path, clock=lambda: now[0]) for _ in range(2))  # two servers, one file
    first.start_board("Lesson")
    for i in range(class_board.RATE_LIMIT):
        (first if i % 2 else second).submit_review("student", f"review {i}", "positive", REVIEW_ANSWERS)
        now[0] += 1
    for b in (first, second):
        with pytest.raises(SubmissionRefused, match="at most 6 a minute"):
            b.submit_review("student", "one too many", "positive", REVIEW_ANSWERS)
    second.submit_review("another student", "fine", "negative", REVIEW_ANSWERS)  # others are not held back
    now[0] += class_board.RATE_WINDOW_S
    first.submit_review("student", "a minute later", "positive", REVIEW_ANSWERS)
    assert first.active_board().reviews == class_board.RATE_LIMIT + 2


# -- What the teacher sees ------------------------------------------------------------------------

def answers(cnn: str, lstm: str) -> dict:
    return {"mnist_cnn": {"label": cnn, "confidence": 0.9}, "mnist_lstm": {"label": lstm, "confidence": 0.6}}


KNOWN = [("7", answers("7", "1")), ("7", answers("7", "7")), ("1", answers("1", "1")), ("3", answers("8", "3")),
         ("3", {"mnist_cnn": {"label": "3", "confidence": 0.5}})]


def fill(board) -> tuple[int, list[int]]:
    board_id = board.active_board().id
    ids = [board.submit_drawing(f"s{i}", png_of(seed=i), meant, a) for i, (meant, a) in enumerate(KNOWN)]
    board.submit_review("r", "Loved it.", "positive", REVIEW_ANSWERS)
    return board_id, ids


def test_confusion_matrix_and_accuracy_on_a_known_set(board):
    board_id, ids = fill(board)
    cnn = board.class_confusion(board_id, "drawing", "mnist_cnn")
    assert cnn.class_names == tuple("0123456789") and cnn.matrix.sum() == 5 and cnn.skipped == 0
    assert cnn.matrix[7, 7] == 2 and cnn.matrix[1, 1] == 1 and cnn.matrix[3, 8] == 1 and cnn.matrix[3, 3] == 1
    assert cnn.ids[(7, 7)] == ids[:2] and cnn.ids[(3, 8)] == [ids[3]]
    lstm = board.class_confusion(board_id, "drawing", "mnist_lstm")
    assert lstm.matrix.sum() == 4 and lstm.skipped == 1 and lstm.ids[(7, 1)] == [ids[0]]
    accuracy = board.class_accuracy(board_id, "drawing")
    assert (accuracy["mnist_cnn"].correct, accuracy["mnist_cnn"].total) == (4, 5)
    assert accuracy["mnist_lstm"].accuracy == pytest.approx(3 / 4)
    reviews = board.class_confusion(board_id, "review", "imdb_lstm")
    assert reviews.class_names == ("negative", "positive") and reviews.matrix.tolist() == [[0, 0], [0, 1]]


def test_incremental_refresh_and_clear(board):
    board_id, ids = fill(board)
    assert [s.id for s in board.submissions(board_id, "drawing", since_id=ids[2])] == ids[3:]
    assert board.submissions(board_id, "drawing", since_id=ids[-1]) == []
    other = board.start_board("Lesson 2")
    kept = board.submit_review("x", "Another lesson.", "negative", REVIEW_ANSWERS)
    assert board.clear(board_id) == len(KNOWN) + 1
    assert board.submissions(board_id) == [] and board.board(board_id).lesson == "Lesson 1: CNNs"
    assert [s.id for s in board.submissions(other.id)] == [kept]
    after = board.submit_review("y", "After the clear.", "positive", REVIEW_ANSWERS)
    assert after > kept  # ids are never reused: a board refreshing with since_id misses nothing


def test_export_zip_holds_the_csv_and_every_drawing(board):
    board_id, ids = fill(board)
    board.submit_review("z", "=HYPERLINK(\"http://evil\")", "negative", REVIEW_ANSWERS, nickname="@me")
    archive = zipfile.ZipFile(io.BytesIO(board.export_zip(board_id)))
    assert sorted(archive.namelist()) == sorted(["submissions.csv", "board.json", *[f"drawings/{i}.png" for i in ids]])
    rows = list(csv.DictReader(io.StringIO(archive.read("submissions.csv").decode())))
    assert [r["kind"] for r in rows] == ["drawing"] * 5 + ["review"] * 2
    assert rows[3]["meant"] == "3" and rows[3]["mnist_cnn_label"] == "8" and rows[3]["mnist_lstm_label"] == "3"
    assert rows[4]["mnist_lstm_label"] == "" and rows[0]["drawing"] == f"drawings/{ids[0]}.png"
    assert rows[-1]["text"].startswith("'=") and rows[-1]["nickname"] == "'@me"  # no formulas in a spreadsheet
    for s in board.submissions(board_id, "drawing"):
        assert archive.read(f"drawings/{s.id}.png") == s.png
    meta = json.loads(archive.read("board.json"))
    assert meta["lesson"] == "Lesson 1: CNNs" and meta["submissions"] == 7


def test_a_board_locked_past_the_busy_timeout_refuses_with_a_message(board, monkeypatch):
    monkeypatch.setattr(class_board, "BUSY_TIMEOUT_MS", 200)
    other_server = ClassBoard(board.path)
    with board._write():  # another process holding the write lock far too long
        with pytest.raises(SubmissionRefused, match="busy"):
            other_server.submit_review("s", "A good film.", "positive", REVIEW_ANSWERS)
    assert other_server.submit_review("s", "A good film.", "positive", REVIEW_ANSWERS)
