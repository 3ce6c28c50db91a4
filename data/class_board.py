"""The class board: what students send to the teacher's screen, in an SQLite database.

Students send a drawing (and the digit they meant) or a review (and the sentiment they
meant) with every model's answer; the teacher's board shows them live, with a confusion
matrix of the class's own data per model. Boards are named by lesson; one is active.

Where it lives: ``EXPLORER_CLASS_DB``, a file path or a database URL (``sqlite:///relative.db``,
``sqlite:////absolute/path.db``), else the user data folder
(``$XDG_DATA_HOME/cnn-rnn-lstm-explorer/class_board.sqlite3``, usually under
``~/.local/share``). Not the cache folder: a board is the class's work, not a download. SQLite is
the only backend built in; a URL of another scheme (``postgresql://``, for replicas on several
hosts, see the README) is refused with a clear :class:`BoardUnavailable`, never guessed at.

Why it holds up in a classroom:

* SQLite in WAL mode: readers (the teacher's board refreshing) never block writers, and
  several server processes on one machine can share the file (not over a network drive:
  WAL needs shared memory on one host).
* Every write is one ``BEGIN IMMEDIATE`` transaction: a server killed mid-write loses nothing
  committed and never leaves half a row (``synchronous=NORMAL``: in WAL mode a commit is in
  the WAL file before it returns; only a power cut could lose the last few seconds).
* The schema is created and migrated by the app (``PRAGMA user_version``).
* Everything a student sends is checked here, whatever the page did: sizes, a PNG that
  really decodes, labels, and a per-session rate limit counted in the database, so it holds
  across processes. Each refusal is a :class:`SubmissionRefused` whose message can be shown
  to the student as it is.

No Streamlit here: the pages call this module.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import sqlite3
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

DB_VARIABLE = "EXPLORER_CLASS_DB"
FILE_NAME = "class_board.sqlite3"
SCHEMA_VERSION = 2

KINDS = ("drawing", "review")
LABELS = {"drawing": tuple("0123456789"), "review": ("negative", "positive")}

MAX_PNG_BYTES = 64 * 1024  # a 280x280 canvas PNG is 5-20 KB
MIN_IMAGE_SIDE, MAX_IMAGE_SIDE = 8, 1024  # pixels; anything else is not a drawing from our canvas
MAX_REVIEW_CHARS = 5_000
MAX_NICKNAME_CHARS = 24
MAX_LESSON_CHARS = 80
MAX_MODELS = 32  # answers per submission
MAX_MODEL_KEY_CHARS = 64
MAX_LABEL_CHARS = 40
MAX_SESSION_CHARS = 256

RATE_LIMIT = 6  # submissions per session ...
RATE_WINDOW_S = 60.0  # ... per this many seconds
BUSY_TIMEOUT_MS = 15_000  # a writer waits this long for another process's transaction
# NORMAL, not FULL: in WAL mode both keep every commit when the server process is killed;
# FULL also survives a power cut but fsyncs inside the write lock on every commit. With thirty
# students sending at once (python -m benchmarks.class_board, 2 cores) FULL made the slowest
# sends wait seconds for the lock; NORMAL keeps them well under a second.
SYNCHRONOUS = "NORMAL"

MODEL_KEY = re.compile(rf"[A-Za-z0-9_.\-]{{1,{MAX_MODEL_KEY_CHARS}}}")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class SubmissionRefused(ValueError):
    """A submission (or a board name) that is not stored; the message is for the student."""


class BoardUnavailable(RuntimeError):
    """The database file cannot be opened or is from a newer version of the explorer."""


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "cnn-rnn-lstm-explorer"


URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
SQLITE_PREFIX = "sqlite:///"
BUILT_IN_SCHEMES = ("sqlite",)


def sqlite_path(location: str | Path) -> Path:
    """The SQLite file of a path or a ``sqlite:///`` URL (SQLAlchemy's form: three slashes and
    a relative path, four for an absolute one). Raises :class:`BoardUnavailable` for any other
    database URL: those backends are not built in."""
    if isinstance(location, Path):
        return location.expanduser()
    location = location.strip()
    scheme = URL_SCHEME.match(location)
    if scheme is None or len(scheme.group(1)) == 1:  # a plain path (C:\... is a Windows drive, not a scheme)
        return Path(location).expanduser()
    name = scheme.group(1).lower()
    if name == "sqlite" and location.startswith(SQLITE_PREFIX) and len(location) > len(SQLITE_PREFIX):
        return Path(location[len(SQLITE_PREFIX):].split("?", 1)[0]).expanduser()
    if name == "sqlite":
        raise BoardUnavailable(f"{DB_VARIABLE}: write a SQLite URL as sqlite:///relative/file.sqlite3 or "
                               "sqlite:////absolute/file.sqlite3.")
    # Never echo the URL: it may hold a password.
    raise BoardUnavailable(f"{DB_VARIABLE} names a {name} database; this explorer stores the class board in "
                           f"SQLite only ({', '.join(BUILT_IN_SCHEMES)}). See the README's 'Several hosts'.")


def default_path(environ=None) -> Path:
    """The SQLite file of ``EXPLORER_CLASS_DB`` (a path or a ``sqlite:///`` URL), else the user
    data folder's. ``environ``: another environment than this process's."""
    configured = (os.environ if environ is None else environ).get(DB_VARIABLE, "").strip()
    return sqlite_path(configured) if configured else user_data_dir() / FILE_NAME


def database_url(environ=None) -> str:
    """The board's database as an absolute URL (``sqlite:////abs/path``): what every replica of
    the explorer is given, so that they open the same database whatever their working folder."""
    return SQLITE_PREFIX + str(default_path(environ).resolve())


# -- Schema and migrations ------------------------------------------------------------------------
# Each step takes the database from version i to i + 1, inside the migrating transaction.
# Never edit a released step: add the next one.

_V1 = """
CREATE TABLE boards (
    id INTEGER PRIMARY KEY,
    lesson TEXT NOT NULL,
    created REAL NOT NULL,
    active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so since_id refreshes stay right
    board_id INTEGER NOT NULL REFERENCES boards(id),
    kind TEXT NOT NULL CHECK (kind IN ('drawing', 'review')),
    created REAL NOT NULL,
    session TEXT NOT NULL,
    nickname TEXT,
    meant TEXT NOT NULL,
    png BLOB,
    text TEXT,
    answers TEXT NOT NULL,
    CHECK ((kind = 'drawing' AND png IS NOT NULL AND text IS NULL)
        OR (kind = 'review' AND text IS NOT NULL AND png IS NULL))
);
CREATE INDEX submissions_by_board ON submissions (board_id, kind, id);
"""

# v2: at most one active board, enforced by the database (two teachers' tabs starting lessons
# at once cannot both win), and an index for the per-session rate limit.
_V2 = """
UPDATE boards SET active = 0
    WHERE active = 1 AND id <> (SELECT max(id) FROM boards WHERE active = 1);
CREATE UNIQUE INDEX one_active_board ON boards (active) WHERE active = 1;
CREATE INDEX submissions_by_session ON submissions (session, created);
"""

MIGRATIONS = (_V1, _V2)
assert len(MIGRATIONS) == SCHEMA_VERSION


def _executescript_in_transaction(db: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first; run the statements one by one inside our transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


# -- What the board returns -----------------------------------------------------------------------

@dataclass(frozen=True)
class Board:
    id: int
    lesson: str
    created: float  # Unix time
    active: bool
    drawings: int = 0
    reviews: int = 0


@dataclass(frozen=True)
class Submission:
    id: int
    board_id: int
    kind: str
    created: float
    session: str  # a hash of the student's session, never the session id itself
    nickname: str | None
    meant: str
    png: bytes | None
    text: str | None
    answers: dict  # {model key: {"label": str, "confidence": float}}


@dataclass(frozen=True)
class Confusion:
    class_names: tuple[str, ...]
    matrix: np.ndarray  # [meant, predicted] counts
    ids: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (meant, predicted) -> ids
    skipped: int = 0  # submissions without this model's answer or with a label outside class_names


@dataclass(frozen=True)
class Accuracy:
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else float("nan")


# -- Checks on what students send -----------------------------------------------------------------

def _without_controls(value: str, keep: str = "") -> str:
    """Drops control, format (bidi overrides, zero-width), surrogate and unassigned characters."""
    return "".join(c for c in value if c in keep or not unicodedata.category(c).startswith("C"))


def clean_nickname(nickname) -> str | None:
    if nickname is None:
        return None
    if not isinstance(nickname, str):
        raise SubmissionRefused("The nickname must be text.")
    cleaned = " ".join(_without_controls(nickname).split())
    if len(cleaned) > MAX_NICKNAME_CHARS:
        raise SubmissionRefused(f"The nickname is too long: at most {MAX_NICKNAME_CHARS} characters.")
    return cleaned or None


def clean_lesson(lesson) -> str:
    if not isinstance(lesson, str):
        raise SubmissionRefused("The lesson name must be text.")
    cleaned = " ".join(_without_controls(lesson).split())
    if not cleaned:
        raise SubmissionRefused("Give the lesson a name.")
    if len(cleaned) > MAX_LESSON_CHARS:
        raise SubmissionRefused(f"The lesson name is too long: at most {MAX_LESSON_CHARS} characters.")
    return cleaned


def check_png(png) -> tuple[int, int]:
    """The (width, height) of a PNG that is small and really decodes; refuses anything else."""
    from PIL import Image

    if not isinstance(png, bytes | bytearray | memoryview):
        raise SubmissionRefused("The drawing must be a PNG image.")
    png = bytes(png)
    if len(png) > MAX_PNG_BYTES:
        raise SubmissionRefused(f"The drawing is too large ({len(png) // 1024} KB): at most "
                                f"{MAX_PNG_BYTES // 1024} KB.")
    if not png.startswith(PNG_SIGNATURE):
        raise SubmissionRefused("The drawing is not a PNG image.")
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG":
                raise SubmissionRefused("The drawing is not a PNG image.")
            width, height = image.size  # read from the header: checked before decoding any pixel
            if not (MIN_IMAGE_SIDE <= width <= MAX_IMAGE_SIDE and MIN_IMAGE_SIDE <= height <= MAX_IMAGE_SIDE):
                raise SubmissionRefused(f"The drawing is {width}×{height} pixels: each side must be "
                                        f"{MIN_IMAGE_SIDE} to {MAX_IMAGE_SIDE}.")
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
    except SubmissionRefused:
        raise
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, DecompressionBombError...
        raise SubmissionRefused("The drawing could not be read as a PNG image.") from error
    return width, height


def clean_review(text) -> str:
    if not isinstance(text, str):
        raise SubmissionRefused("The review must be text.")
    cleaned = _without_controls(text, keep="\n\t").strip()
    if not cleaned:
        raise SubmissionRefused("The review is empty.")
    if len(cleaned) > MAX_REVIEW_CHARS:
        raise SubmissionRefused(f"The review is too long ({len(cleaned):,} characters): at most "
                                f"{MAX_REVIEW_CHARS:,}.")
    return cleaned


def clean_meant(kind: str, meant) -> str:
    label = str(meant).strip() if isinstance(meant, str | int) and not isinstance(meant, bool) else None
    if label not in LABELS[kind]:
        raise SubmissionRefused(f"Choose what you meant: one of {', '.join(LABELS[kind])}.")
    return label


def clean_answers(answers) -> dict:
    """{model key: {"label": str, "confidence": float in [0, 1]}}, checked and normalised."""
    if not isinstance(answers, dict) or not answers:
        raise SubmissionRefused("The models' answers are missing.")
    if len(answers) > MAX_MODELS:
        raise SubmissionRefused(f"Too many models' answers: at most {MAX_MODELS}.")
    cleaned = {}
    for key, answer in answers.items():
        if not isinstance(key, str) or not MODEL_KEY.fullmatch(key):
            raise SubmissionRefused("A model's name in the answers is not valid.")
        if not isinstance(answer, dict):
            raise SubmissionRefused(f"The answer of {key} is not valid.")
        label, confidence = answer.get("label"), answer.get("confidence")
        if isinstance(label, int) and not isinstance(label, bool):
            label = str(label)
        if not isinstance(label, str) or not 0 < len(label) <= MAX_LABEL_CHARS:
            raise SubmissionRefused(f"The answer of {key} has no valid label.")
        try:
            confidence = float(confidence)
        except (TypeError, ValueError):
            confidence = math.nan
        if not 0.0 <= confidence <= 1.0:  # also refuses NaN
            raise SubmissionRefused(f"The confidence of {key} must be between 0 and 1.")
        cleaned[key] = {"label": label, "confidence": confidence}
    return cleaned


def session_hash(session) -> str:
    """What is stored for a session: enough to count its submissions, not to act as it."""
    if not isinstance(session, str) or not 0 < len(session) <= MAX_SESSION_CHARS:
        raise SubmissionRefused("This browser session cannot send to the board; reload the page.")
    return hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# -- The board ------------------------------------------------------------------------------------

class ClassBoard:
    """The class board over one SQLite file. Cheap to create; safe to share between threads
    (each call opens its own connection) and between processes (SQLite's locks).

    ``location``: a path, a ``sqlite:///`` URL, or None for :func:`default_path`."""

    def __init__(self, location: str | Path | None = None, *, rate_limit: int | None = RATE_LIMIT,
                 rate_window_s: float = RATE_WINDOW_S, clock: Callable[[], float] = time.time):
        self.path = sqlite_path(location) if location is not None else default_path()
        self.rate_limit, self.rate_window_s, self.clock = rate_limit, rate_window_s, clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise BoardUnavailable(f"The class board file {self.path} cannot be used ({error}). Move it "
                                   f"away or set {DB_VARIABLE} to another file.") from error

    # Connections and transactions

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so each write is exactly one
        # transaction and Python's sqlite3 never opens one behind our back.
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
            db.execute("PRAGMA foreign_keys = ON")
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE takes the write lock at BEGIN, so two processes
        never both read, then both try to upgrade (which would fail with 'database is locked')."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:  # a failed COMMIT may already have rolled back
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: several SELECTs see the same snapshot (WAL)."""
        with self._connect() as db:
            db.execute("BEGIN")
            try:
                yield db
            finally:
                if db.in_transaction:
                    db.execute("ROLLBACK")

    def _migrate(self) -> None:
        # WAL is a property of the file: set once, every later connection uses it. Two processes
        # switching a new file at the same moment can deadlock (each holds a shared lock and
        # wants the exclusive one); SQLite then fails one at once, without its busy handler,
        # so retry here until the busy timeout.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                with self._connect() as db:
                    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if ("locked" not in str(error) and "busy" not in str(error)) or time.monotonic() > deadline:
                    raise
                mode = "busy"
            if mode.lower() == "wal":
                break
            if time.monotonic() > deadline:
                raise BoardUnavailable(f"The class board file {self.path} cannot use WAL mode ({mode}).")
            time.sleep(0.01)
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise BoardUnavailable(f"The class board file {self.path} was made by a newer version of the "
                                       f"explorer (schema {version}, this one knows {SCHEMA_VERSION}).")
            for step in range(version, SCHEMA_VERSION):
                _executescript_in_transaction(db, MIGRATIONS[step])
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # part of the same transaction

    def schema_version(self) -> int:
        with self._connect() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    # Boards

    def start_board(self, lesson: str) -> Board:
        """A new, active board for ``lesson``; the previous one stays, inactive, for export."""
        lesson = clean_lesson(lesson)
        now = self.clock()
        with self._write() as db:
            db.execute("UPDATE boards SET active = 0 WHERE active = 1")
            board_id = db.execute("INSERT INTO boards (lesson, created, active) VALUES (?, ?, 1)",
                                  (lesson, now)).lastrowid
        return Board(board_id, lesson, now, True)

    _BOARD_COLUMNS = """b.id, b.lesson, b.created, b.active,
        (SELECT count(*) FROM submissions s WHERE s.board_id = b.id AND s.kind = 'drawing'),
        (SELECT count(*) FROM submissions s WHERE s.board_id = b.id AND s.kind = 'review')"""

    @staticmethod
    def _board(row) -> Board:
        return Board(row[0], row[1], row[2], bool(row[3]), row[4], row[5])

    def active_board(self) -> Board | None:
        with self._read() as db:
            row = db.execute(f"SELECT {self._BOARD_COLUMNS} FROM boards b WHERE b.active = 1").fetchone()
        return self._board(row) if row else None

    def board(self, board_id: int) -> Board | None:
        with self._read() as db:
            row = db.execute(f"SELECT {self._BOARD_COLUMNS} FROM boards b WHERE b.id = ?", (board_id,)).fetchone()
        return self._board(row) if row else None

    def list_boards(self) -> list[Board]:
        """Every board, newest first."""
        with self._read() as db:
            rows = db.execute(f"SELECT {self._BOARD_COLUMNS} FROM boards b ORDER BY b.id DESC").fetchall()
        return [self._board(row) for row in rows]

    def clear(self, board_id: int) -> int:
        """Deletes the board's submissions (the board and its name stay); how many were deleted."""
        with self._write() as db:
            return db.execute("DELETE FROM submissions WHERE board_id = ?", (board_id,)).rowcount

    # Submissions

    def submit_drawing(self, session: str, png: bytes, meant, answers: dict, nickname: str | None = None) -> int:
        """Stores a drawing on the active board; its id. Raises :class:`SubmissionRefused`."""
        check_png(png)
        return self._submit(session, "drawing", meant, answers, nickname, png=bytes(png))

    def submit_review(self, session: str, text: str, meant, answers: dict, nickname: str | None = None) -> int:
        """Stores a review on the active board; its id. Raises :class:`SubmissionRefused`."""
        return self._submit(session, "review", meant, answers, nickname, text=clean_review(text))

    def _submit(self, session, kind, meant, answers, nickname, png=None, text=None) -> int:
        # Every check that needs no database runs before the write lock is taken.
        row = (session_hash(session), clean_nickname(nickname), clean_meant(kind, meant),
               json.dumps(clean_answers(answers), separators=(",", ":")))
        now = self.clock()
        with self._busy_as_refusal(), self._write() as db:
            board = db.execute("SELECT id FROM boards WHERE active = 1").fetchone()
            if board is None:
                raise SubmissionRefused("The class board is not open yet: wait for your teacher to start it.")
            if self.rate_limit is not None:
                # Counted inside the write transaction, so two processes cannot both let the
                # seventh submission through.
                recent = db.execute("SELECT count(*) FROM submissions WHERE session = ? AND created > ?",
                                    (row[0], now - self.rate_window_s)).fetchone()[0]
                if recent >= self.rate_limit:
                    raise SubmissionRefused(f"You have sent {recent} in the last {self.rate_window_s:g} seconds: "
                                            f"wait a little before sending more (at most {self.rate_limit} "
                                            f"a minute).")
            return db.execute(
                "INSERT INTO submissions (board_id, kind, created, session, nickname, meant, png, text, answers)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (board[0], kind, now, row[0], row[1], row[2], png, text, row[3])).lastrowid

    @staticmethod
    @contextlib.contextmanager
    def _busy_as_refusal() -> Iterator[None]:
        """Past the busy timeout (a machine far too loaded), a message instead of a crash."""
        try:
            yield
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            raise SubmissionRefused("The class board is busy: send it again in a few seconds.") from error

    def submissions(self, board_id: int, kind: str | None = None, since_id: int | None = None,
                    limit: int | None = None) -> list[Submission]:
        """The board's submissions in the order they came, only those after ``since_id`` when
        given (the board refreshes with the last id it has), at most ``limit``."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        query = ("SELECT id, board_id, kind, created, session, nickname, meant, png, text, answers "
                 "FROM submissions WHERE board_id = ? AND id > ?")
        params: list = [board_id, since_id or 0]
        if kind:
            query += " AND kind = ?"
            params.append(kind)
        query += " ORDER BY id"
        if limit is not None:
            query += " LIMIT ?"
            params.append(int(limit))
        with self._read() as db:
            rows = db.execute(query, params).fetchall()
        return [Submission(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9])) for r in rows]

    def _meant_and_answers(self, board_id: int, kind: str) -> list[tuple[int, str, dict]]:
        with self._read() as db:
            rows = db.execute("SELECT id, meant, answers FROM submissions WHERE board_id = ? AND kind = ? ORDER BY id",
                              (board_id, kind)).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def class_confusion(self, board_id: int, kind: str, model_key: str,
                        class_names: tuple[str, ...] | list[str] | None = None) -> Confusion:
        """Meant vs predicted by ``model_key`` on the class's own submissions, with the ids
        behind each cell (a click on a cell shows those drawings or reviews)."""
        names = tuple(class_names or LABELS[kind])
        index = {name: i for i, name in enumerate(names)}
        matrix = np.zeros((len(names), len(names)), np.int64)
        ids: dict[tuple[int, int], list[int]] = {}
        skipped = 0
        for submission_id, meant, answers in self._meant_and_answers(board_id, kind):
            predicted = answers.get(model_key, {}).get("label")
            if meant not in index or predicted not in index:
                skipped += 1
                continue
            cell = (index[meant], index[predicted])
            matrix[cell] += 1
            ids.setdefault(cell, []).append(submission_id)
        return Confusion(names, matrix, ids, skipped)

    def class_accuracy(self, board_id: int, kind: str) -> dict[str, Accuracy]:
        """Each model's accuracy on the class's submissions of ``kind`` (by model key)."""
        counts: dict[str, list[int]] = {}
        for _, meant, answers in self._meant_and_answers(board_id, kind):
            for key, answer in answers.items():
                tally = counts.setdefault(key, [0, 0])
                tally[0] += answer.get("label") == meant
                tally[1] += 1
        return {key: Accuracy(correct, total) for key, (correct, total) in sorted(counts.items())}

    # Export

    def export_zip(self, board_id: int) -> bytes:
        """The board as a zip: ``submissions.csv`` (one row per submission, one label and
        confidence column per model), ``board.json`` and ``drawings/<id>.png``."""
        board = self.board(board_id)
        if board is None:
            raise ValueError(f"There is no board {board_id}.")
        rows = self.submissions(board_id)
        models = sorted({key for r in rows for key in r.answers})
        table = io.StringIO()
        writer = csv.writer(table)
        writer.writerow(["id", "kind", "created_utc", "nickname", "meant", "drawing", "text",
                         *[f"{m}_{what}" for m in models for what in ("label", "confidence")]])
        for r in rows:
            answers = [v for m in models for v in (r.answers.get(m, {}).get("label", ""),
                                                   r.answers.get(m, {}).get("confidence", ""))]
            writer.writerow([r.id, r.kind, _utc(r.created), _spreadsheet_safe(r.nickname or ""), r.meant,
                             f"drawings/{r.id}.png" if r.png else "", _spreadsheet_safe(r.text or ""), *answers])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("submissions.csv", table.getvalue())
            archive.writestr("board.json", json.dumps({
                "lesson": board.lesson, "created_utc": _utc(board.created), "submissions": len(rows),
                "models": models, "exported_utc": _utc(self.clock())}, indent=1))
            for r in rows:
                if r.png:
                    archive.writestr(f"drawings/{r.id}.png", r.png)
        return out.getvalue()


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds")


def _spreadsheet_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula in Excel and LibreOffice: a student's review
    # must not run one on the teacher's laptop (OWASP "CSV injection").
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
