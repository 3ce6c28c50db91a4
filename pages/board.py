"""The class board: what the class drew and typed, live on the teacher's screen, with every model's
answers and the class's own confusion matrices. Students see only a note: the teacher shows it."""

import streamlit as st

from data import class_board
from pages._ui import classroom, streamlit_fixes, url_state

streamlit_fixes.require_router()

st.title(":material/groups: Class board")
st.markdown("Everything the class sends from the **Draw** and **Review** pages lands here: every drawing and "
            "review with each model's answer, and how often the models get the class's own work right — "
            "next to how they did on the test sets they were measured on.")

if not classroom.teacher_mode():
    st.info("Your teacher shows this page on the big screen. Send your drawing or review from the **Draw** "
            "or **Review** page: the button is under the models' answers.", icon=":material/co_present:")
    st.stop()

url_state.restore("board")
from pages._ui import board_view  # noqa: E402  (teacher only: the student view needs none of it)

board_view.join_box()
st.divider()
try:
    shared_board = classroom.board()
except class_board.BoardUnavailable as error:  # a damaged file, or one from a newer explorer
    st.error(str(error), icon=":material/error:")
    st.stop()
active = board_view.lesson_controls(shared_board)
if active is not None:
    board_view.live_view()
url_state.remember("board")
