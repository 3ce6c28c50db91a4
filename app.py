"""CNN · RNN · LSTM Explorer — the router.

Run with ``streamlit run app.py``. This file only sets the page up and routes over the one page
list (``pages/_ui/navigation.py``); each page lives in ``pages/`` and holds UI only. TensorFlow
is never imported here, so the home page opens instantly; the pages that predict import it.
"""

import streamlit as st

from pages._ui import classroom, layout, navigation, streamlit_fixes

streamlit_fixes.keep_keras_between_runs()  # see its docstring: saves ~220 ms per rerun per student

st.set_page_config(page_title="CNN · RNN · LSTM Explorer", page_icon=":material/neurology:", layout="wide")

page = st.navigation(navigation.streamlit_pages())
classroom.announce_token()  # once per server: the teacher link, when the token was generated
classroom.teacher_mode()  # reads ?teacher=TOKEN once and removes it from the address

with st.sidebar:
    st.caption(
        "An explorer for a live class on neural networks: draw, type and watch what "
        "convolutional and recurrent networks do inside."
    )
classroom.sidebar()  # the Teacher box (unlock; projector mode)
layout.fit_the_screen()  # columns wrap instead of being cut; wide screens grow
classroom.projector_layout()

page.run()
