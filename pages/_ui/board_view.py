"""The class board's views for the teacher's screen: the join box, the lesson controls, the gallery,
the class's own confusion matrices and accuracies. The page (pages/board.py) puts them in order.

Everything a student typed (nicknames, reviews) is shown as plain text, never as Markdown or HTML.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime

import numpy as np
import pandas as pd
import streamlit as st

from data import catalog, class_board, classroom
from models import registry
from pages._ui import classroom as ui_classroom
from pages._ui import navigation, url_state
from pages._ui.charts import board as board_charts
from pages._ui.charts import compare as compare_charts

TASKS = {"drawing": catalog.MNIST, "review": catalog.IMDB}  # what each kind of submission is read by
TEST_SET = {"drawing": "MNIST test set", "review": "IMDB test set"}
GALLERY_SIZE = 48  # the newest drawings shown; the matrices count every one
REVIEWS_SHOWN = 30
LOCAL_ONLY = ("localhost", "127.0.0.1", "::1")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Any text, safe inside Markdown: every character that could format is escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def title_of(key: str) -> str:
    try:
        return registry.get(key).title
    except KeyError:
        return key


def model_keys(kind: str, submissions: list) -> list[str]:
    """The models to show: the task's own (in the registry's order), then any other answer seen."""
    keys = [spec.key for spec in registry.for_dataset(TASKS[kind])]
    seen = {k for s in submissions for k in s.answers}
    return [k for k in keys if k in seen] + sorted(seen - set(keys))


# -- Joining ---------------------------------------------------------------------------------------

def join_box() -> None:
    """The address students open, large, and its QR code."""
    st.subheader("Join from your phone or laptop")
    configured = classroom.public_url()  # a server behind a proxy names its own address
    behind_proxy = configured is not None or classroom.public_port() is not None
    port = classroom.public_port() or int(st.get_option("server.port") or 8501)
    addresses = [] if configured else classroom.lan_addresses()
    if not configured and not addresses:
        st.warning("This laptop has no network address other computers can use: connect it to the room's "
                   "Wi-Fi (or start a phone hotspot and connect everyone to it), then reload this page.",
                   icon=":material/wifi_off:")
        return
    url = configured or classroom.join_url(port, addresses[0])
    qr_col, text_col = st.columns([1, 1.6], gap="large", vertical_alignment="center")
    with qr_col:  # as wide as its column: large on the projector, never over the address
        st.image(classroom.qr_png(url), width="stretch", caption="Scan with the camera app")
    with text_col:
        # Large, as a heading (plain text: no HTML built from data, tests/test_security.py).
        st.markdown(f"## {plain(url) if configured else url}")
        st.markdown("Same Wi-Fi as this laptop, then scan the code or type the address.")
        if not behind_proxy and st.get_option("server.address") in LOCAL_ONLY:
            st.error("This server only listens to this laptop. Restart it with "
                     "`streamlit run app.py --server.address 0.0.0.0`.", icon=":material/block:")
        if len(addresses) > 1:
            st.caption("Other addresses of this laptop: " + ", ".join(addresses[1:]))
        st.caption("Does it not open on the phones? Guest Wi-Fi often keeps devices apart: use a phone "
                   "hotspot, or the school's own network.")


# -- The lesson's board ----------------------------------------------------------------------------

def lesson_controls(board: class_board.ClassBoard) -> class_board.Board | None:
    """Start a new lesson's board, export it, clear it; returns the active board (or None)."""
    active = board.active_board()
    if active is None:
        st.info("No board is open: start one for this lesson. Until then the students' Send buttons say "
                "the board is not open yet.", icon=":material/info:")
    else:
        st.markdown(f"**Board: {plain(active.lesson)}** · started "
                    f"{datetime.fromtimestamp(active.created):%H:%M} · {active.drawings} drawings, "
                    f"{active.reviews} reviews")
    start_col, export_col, clear_col = st.columns(3, vertical_alignment="bottom")
    with start_col, st.form("board_start", border=False):
        lesson = st.text_input("New lesson board", max_chars=class_board.MAX_LESSON_CHARS,
                               placeholder=f"Lesson of {datetime.now():%d %B}", key="board_lesson")
        if st.form_submit_button("Start a new board", icon=":material/add:"):
            try:
                board.start_board(lesson.strip() or f"Lesson of {datetime.now():%d %B %Y}")
                st.rerun()
            except class_board.SubmissionRefused as refusal:
                st.error(str(refusal))
    if active is None:
        return None
    with export_col:
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", active.lesson).strip("-")[:40] or "board"
        # Made when clicked (not on every refresh of the board), with no rerun after it.
        st.download_button("Export", functools.partial(board.export_zip, active.id), f"class-board-{name}.zip",
                           mime="application/zip", icon=":material/download:", key="board_export", on_click="ignore",
                           help="A zip: submissions.csv (every model's answer) and the drawings as PNGs.")
    with clear_col:
        if not st.session_state.get("board_confirm_clear"):
            if st.button("Clear this board…", icon=":material/delete:", key="board_clear"):
                st.session_state["board_confirm_clear"] = True
                st.rerun()
        else:
            total = active.drawings + active.reviews
            st.warning(f"Delete all {total} submissions of this board? Export first to keep them.")
            yes, no = st.columns(2)
            if yes.button("Yes, clear", type="primary", key="board_clear_yes"):
                board.clear(active.id)
                st.session_state["board_confirm_clear"] = False
                st.rerun()
            if no.button("Cancel", key="board_clear_no"):
                st.session_state["board_confirm_clear"] = False
                st.rerun()
    return active


# -- The live view ---------------------------------------------------------------------------------

def confusion_frame(confusion: class_board.Confusion, title: str) -> pd.DataFrame:
    counts = confusion.matrix
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape, float), where=totals > 0)
    names = confusion.class_names
    return pd.DataFrame([{"model": title, "true": names[t], "predicted": names[p], "count": int(counts[t, p]),
                          "share": float(shares[t, p]), "value": float(counts[t, p]), "correct": t == p}
                         for t in range(len(names)) for p in range(len(names))])


def accuracy_table(board: class_board.ClassBoard, board_id: int, kind: str, keys: list[str]) -> None:
    accuracy = board.class_accuracy(board_id, kind)
    rows = []
    for key in keys:
        mine = accuracy.get(key)
        shipped = (registry.load_metadata(key) or {}).get("test_accuracy") if key in registry.MODELS else None
        rows.append({"model": title_of(key),
                     "on the class's " + ("drawings" if kind == "drawing" else "reviews"):
                         f"{mine.accuracy:.0%} ({mine.correct}/{mine.total})" if mine and mine.total else "—",
                     f"on the {TEST_SET[kind]}": f"{shipped:.1%}" if shipped is not None else "—"})
    st.table(pd.DataFrame(rows).set_index("model"))  # a plain table: wraps on a phone, nothing to scroll


def matrices(board: class_board.ClassBoard, board_id: int, kind: str, keys: list[str], by_id: dict) -> None:
    """One confusion matrix per model (meant down, predicted across); a click on a cell shows
    the submissions behind it."""
    names = list(class_board.LABELS[kind])
    many = len(names) > 4
    per_row = min(len(keys), 2 if many else 4) or 1
    for i, key in enumerate(keys):
        if i % per_row == 0:  # a new row of columns each time: on a phone they stack in the models' order
            columns = st.columns(per_row)
        confusion = board.class_confusion(board_id, kind, key)
        frame = confusion_frame(confusion, title_of(key))
        with columns[i % per_row]:
            event = st.altair_chart(
                board_charts.class_confusion(frame, names, title_of(key), cell_size=30 if many else 70),
                on_select="rerun", selection_mode=compare_charts.CELL_SELECTION, key=f"board_matrix_{kind}_{key}",
                width="content")
            cell = compare_charts.selected_cell(event)
            if cell is None:
                continue
            ids = confusion.ids.get((names.index(cell[0]), names.index(cell[1])), [])
            st.markdown(f"**{title_of(key)}: meant {plain(cell[0])}, answered {plain(cell[1])}** — "
                        f"{len(ids)} submission(s)")
            shown = [by_id[i] for i in ids if i in by_id]
            if kind == "drawing":
                gallery(shown, keys, per_row=6, width=64)
            else:
                for s in shown[:10]:
                    st.text(s.text[:300])


def gallery(drawings: list, keys: list[str], per_row: int = 6, width: int = 112) -> None:
    """Drawings, newest first: the picture, what the student meant, every model's answer."""
    drawings = list(reversed(drawings))
    for start in range(0, len(drawings), per_row):
        for column, s in zip(st.columns(per_row), drawings[start:start + per_row]):
            with column:
                st.image(s.png, width=width)
                if s.nickname:
                    st.text(s.nickname)  # what a student typed: plain text, never Markdown or HTML
                answers = "  \n".join(f"{plain(title_of(k))} {_answer(s.answers[k]['label'], s.meant)}"
                                       for k in keys if k in s.answers)
                st.markdown(f"meant **{plain(s.meant)}**  \n:small[{answers}]")


def _answer(label: str, meant: str) -> str:
    """A model's answer, bold when it is not what the student meant."""
    return plain(label) if label == meant else f"**{plain(label)}**"


def review_list(reviews: list, keys: list[str]) -> None:
    """The newest reviews: meant, every model's answer, and a button opening it on the Review page."""
    for s in list(reversed(reviews))[:REVIEWS_SHOWN]:
        with st.container(border=True):
            text_col, button_col = st.columns([5, 1], vertical_alignment="center")
            with text_col:
                shown = s.text if len(s.text) <= 400 else s.text[:400] + " …"
                st.text((s.nickname + ": " if s.nickname else "") + shown)
                answers = " · ".join(f"{plain(title_of(k))} {plain(s.answers[k]['label'])} "
                                     f"({s.answers[k]['confidence']:.0%})" for k in keys if k in s.answers)
                st.markdown(f"meant **{plain(s.meant)}** — :small[{answers}]")
            if button_col.button("Word by word", icon=":material/rate_review:", key=f"board_open_{s.id}"):
                navigation.open_review(s.text)


def submissions_of(board: class_board.ClassBoard, active: class_board.Board, kind: str) -> list:
    """Every submission of ``kind`` on the active board, fetched incrementally (only the new
    ones since the last refresh; from scratch after a clear or a new board)."""
    key = f"board_cache_{kind}"
    cached = st.session_state.get(key)
    count = active.drawings if kind == "drawing" else active.reviews
    if not cached or cached["board"] != active.id or len(cached["items"]) > count:
        cached = {"board": active.id, "items": []}
    since = cached["items"][-1].id if cached["items"] else None
    cached["items"] = cached["items"] + board.submissions(active.id, kind, since_id=since)
    st.session_state[key] = cached
    return cached["items"]


KIND_TITLES = {"drawing": "Drawings", "review": "Reviews"}


@st.fragment(run_every=2)
def live_view() -> None:
    """The class's work, refreshed every two seconds."""
    board = ui_classroom.board()
    active = board.active_board()
    if active is None:
        return
    kind = st.segmented_control("Show", list(KIND_TITLES), format_func=KIND_TITLES.get, key="board_kind",
                                default="drawing", label_visibility="collapsed") or "drawing"
    url_state.remember("board")
    items = submissions_of(board, active, kind)
    if not items:
        st.info("Nothing sent yet. On the Draw page (or the Review page), students press **Send to the class "
                "board** under the models' answers.", icon=":material/hourglass_empty:")
        return
    keys = model_keys(kind, items)
    by_id = {s.id: s for s in items}
    st.subheader("How the models do on the class's " + ("drawings" if kind == "drawing" else "reviews"))
    accuracy_table(board, active.id, kind, keys)
    st.subheader("Meant (down) vs answered (across), per model")
    st.caption("Green: the model got it right. Orange: its mistakes. Click a cell to see those "
               + ("drawings" if kind == "drawing" else "reviews") + "; double-click to clear.")
    matrices(board, active.id, kind, keys, by_id)
    st.subheader(f"The class's {KIND_TITLES[kind].lower()} ({len(items)}, newest first)")
    if kind == "drawing":
        gallery(items[-GALLERY_SIZE:], keys)
        st.caption("Bold: a mistake (the model read another digit than the one meant).")
    else:
        review_list(items, keys)
