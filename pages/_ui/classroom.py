"""The classroom in the app: who is the teacher, the projector layout, and the "Send to the class
board" forms of the Draw and Review pages.

Teacher mode is unlocked by the token (``data/classroom.py``): from the address
(``?teacher=TOKEN``, read once, then removed so it is never left in the projected address bar)
or from the sidebar's Teacher box. The unlocked state lives in this browser session only.
Students never see teacher controls; the board's database refuses what they should not do anyway.
"""

from __future__ import annotations

import functools
import hashlib
import io
import sys
import threading
import uuid

import numpy as np
import streamlit as st

from data import class_board, classroom

TEACHER = "classroom_teacher"  # session-state key: True once this session unlocked teacher mode
SESSION_ID = "classroom_session"  # session-state key: this browser session's random id
PROJECTOR = "classroom_projector"  # the teacher's "Projector mode" toggle
TOKEN_PARAMETER = "teacher"
PROJECTOR_PARAMETER = "projector"  # ?projector=1 in a teacher's link turns the projector layout on
LAST_SENT = "classroom_last_sent"  # what this session sent last (a hash), to say "already sent"

_announced = threading.Event()  # the generated token is printed once per server process


# -- The board and the session ---------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _board_at(url: str) -> class_board.ClassBoard:
    return class_board.ClassBoard(url)


def board() -> class_board.ClassBoard:
    """The class board of ``EXPLORER_CLASS_DB`` (a path or a database URL; else the user data
    folder), one per database. Raises ``BoardUnavailable`` for a database it cannot use."""
    return _board_at(class_board.database_url())


def session_id() -> str:
    """A random id for this browser session (the board counts its submissions per minute)."""
    if SESSION_ID not in st.session_state:
        st.session_state[SESSION_ID] = uuid.uuid4().hex
    return st.session_state[SESSION_ID]


# -- Teacher mode ----------------------------------------------------------------------------------

def announce_token() -> None:
    """Print the teacher link to the server's terminal once, when the token was generated."""
    if _announced.is_set():
        return
    _announced.set()
    if classroom.token_was_generated():
        port = st.get_option("server.port") or 8501
        address = next(iter(classroom.lan_addresses()), "localhost")
        print(f"Teacher token: {classroom.teacher_token()}; open "
              f"http://{address}:{port}/?{TOKEN_PARAMETER}={classroom.teacher_token()} "
              f"(set {classroom.TOKEN_VARIABLE} to choose your own)", file=sys.stderr, flush=True)


def teacher_mode() -> bool:
    """Whether this session is the teacher's. A ``teacher`` parameter in the address is checked
    (in constant time) and removed from the address whatever it held."""
    if TOKEN_PARAMETER in st.query_params:
        candidate = st.query_params.get(TOKEN_PARAMETER)
        del st.query_params[TOKEN_PARAMETER]
        if classroom.is_teacher(candidate):
            st.session_state[TEACHER] = True
            if st.query_params.get(PROJECTOR_PARAMETER) in ("1", "true", "on"):
                st.session_state[PROJECTOR] = True
    if PROJECTOR_PARAMETER in st.query_params:
        del st.query_params[PROJECTOR_PARAMETER]
    return bool(st.session_state.get(TEACHER))


def _unlock() -> None:
    if classroom.is_teacher(st.session_state.get("classroom_token_box")):
        st.session_state[TEACHER] = True
        st.session_state.pop("classroom_unlock_failed", None)
    else:
        st.session_state["classroom_unlock_failed"] = True
    st.session_state["classroom_token_box"] = ""  # never keep the token in a widget


def _lock() -> None:
    st.session_state[TEACHER] = False
    st.session_state[PROJECTOR] = False


def sidebar() -> None:
    """The sidebar's Teacher box: unlock with the token; once unlocked, the projector switch."""
    with st.sidebar:
        if st.session_state.get(TEACHER):
            st.toggle("Projector mode", key=PROJECTOR,
                      help="Larger type, Streamlit's toolbar hidden: for the screen at the front.")
            st.button("Leave teacher mode", icon=":material/lock:", on_click=_lock, key="classroom_lock")
            return
        with st.expander("Teacher", icon=":material/school:"):
            st.text_input("Teacher token", type="password", key="classroom_token_box",
                          on_change=_unlock, help=f"Printed in the terminal when the app starts, or "
                                                  f"{classroom.TOKEN_VARIABLE}.")
            if st.session_state.get("classroom_unlock_failed"):
                st.error("That is not the teacher token.")


PROJECTOR_CSS = """
<style>
.stMainBlockContainer { zoom: 1.35; }  /* projector layout: type, canvas, answers, all larger */
/* Charts are sized from their box's zoomed width and then zoomed again: undo it inside them. */
.stMainBlockContainer [data-testid="stVegaLiteChart"] { zoom: 0.7407; }
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"] { display: none !important; }
.stMainBlockContainer { padding-top: 1.5rem; max-width: 100%; }
h1 { font-size: 2.6rem !important; }
</style>
"""


def projector_layout() -> None:
    """Larger type and no Streamlit chrome, when the teacher turned Projector mode on."""
    if st.session_state.get(TEACHER) and st.session_state.get(PROJECTOR):
        st.html(PROJECTOR_CSS)


# -- Sending to the board (students and teacher alike) ---------------------------------------------

def digit_png(image: np.ndarray, scale: int = 4) -> bytes:
    """The 28×28 input as the models saw it (0..1, ink bright), as a PNG ``scale`` times larger."""
    from PIL import Image

    pixels = (np.clip(np.asarray(image, np.float32), 0, 1) * 255).round().astype(np.uint8)
    pixels = pixels.reshape(pixels.shape[0], pixels.shape[1]).repeat(scale, 0).repeat(scale, 1)
    out = io.BytesIO()
    Image.fromarray(pixels, "L").save(out, format="PNG", optimize=True)
    return out.getvalue()


def digit_answers(probabilities: dict) -> dict:
    """{model key: {"label": the digit, "confidence": its probability}} from each model's output."""
    return {key: {"label": str(int(np.argmax(p))), "confidence": float(np.max(p))}
            for key, p in probabilities.items()}


def sentiment_answers(probabilities: dict) -> dict:
    """{model key: {"label": positive|negative, "confidence": ...}} from each P(positive)."""
    return {key: {"label": "positive" if p > 0.5 else "negative", "confidence": float(max(p, 1 - p))}
            for key, p in probabilities.items()}


def send_drawing_to_board(image: np.ndarray, answers: dict, meant: int | None = None) -> None:
    """The "Send to the class board" form for a drawing (the 28×28 input, 0..1): the digit meant,
    a nickname, one button. ``answers`` is {model key: {"label": ..., "confidence": ...}}; ``meant``
    preselects a digit (e.g. the true label of an MNIST test digit). The PNG is made only when the
    student sends, not on every stroke."""
    png = functools.cache(lambda: digit_png(image))
    _send_form("drawing", "The digit I meant", list(class_board.LABELS["drawing"]),
               None if meant is None else str(meant), answers,
               lambda nickname, chosen: board().submit_drawing(session_id(), png(), chosen, answers, nickname),
               png)


def send_review_to_board(text: str, answers: dict) -> None:
    """The "Send to the class board" form for a review: the sentiment meant, a nickname, one button."""
    _send_form("review", "The sentiment I meant", list(class_board.LABELS["review"]), None, answers,
               lambda nickname, chosen: board().submit_review(session_id(), text, chosen, answers, nickname),
               text.encode("utf-8", "surrogatepass"))


def _send_form(kind: str, question: str, options: list[str], meant, answers: dict, submit, content) -> None:
    """``content`` (bytes, or a function making them) identifies what was sent, so it is sent once."""
    with st.form(f"board_send_{kind}", border=True):
        st.markdown("**Send it to the class board** — no names; your teacher shows the board.")
        chosen = st.pills(question, options, default=meant, key=f"board_meant_{kind}")
        nickname = st.text_input("Nickname (optional)", max_chars=class_board.MAX_NICKNAME_CHARS,
                                 key=f"board_nickname_{kind}", placeholder="leave empty to stay anonymous")
        sent = st.form_submit_button("Send to the class board", icon=":material/send:", type="primary")
    if not sent:
        return
    if chosen is None:
        st.error(f"{question}: choose one first, then send.")
        return
    content = content() if callable(content) else content
    fingerprint = hashlib.sha256(content + str(chosen).encode()).hexdigest()
    if st.session_state.get(LAST_SENT) == fingerprint:
        st.info("This one is already on the board.", icon=":material/check:")
        return
    try:
        submit(nickname.strip() or None, chosen)
    except class_board.SubmissionRefused as refusal:
        st.error(str(refusal), icon=":material/block:")
        return
    except class_board.BoardUnavailable:
        st.error("The class board is not available on this server; tell your teacher.", icon=":material/block:")
        return
    st.session_state[LAST_SENT] = fingerprint
    st.success("Sent to the class board.", icon=":material/check_circle:")
