"""CNN · RNN · LSTM Explorer — the router.

Run with ``streamlit run app.py``. This file only sets the page up and routes; each page
lives in ``pages/`` and holds UI only. TensorFlow is never imported here, so the home page
opens instantly; the pages that predict import it.
"""

import streamlit as st

from pages import _shared as shared

shared.keep_keras_between_runs()  # see its docstring: saves ~220 ms per rerun per student

st.set_page_config(page_title="CNN · RNN · LSTM Explorer", page_icon=":material/neurology:", layout="wide")

# Every page is listed here explicitly: with st.navigation, Streamlit's automatic pages/
# discovery is off. Pages that do not exist yet are simply not listed.
PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/draw.py", title="Draw a digit", icon=":material/draw:"),
    st.Page("pages/review.py", title="Type a review", icon=":material/rate_review:"),
    st.Page("pages/gates.py", title="LSTM gates", icon=":material/tune:"),
    st.Page("pages/compare.py", title="Compare models", icon=":material/compare:"),
    st.Page("pages/train.py", title="Train live", icon=":material/model_training:"),
]

page = st.navigation(PAGES)

with st.sidebar:
    st.caption(
        "An explorer for a live class on neural networks: draw, type and watch what "
        "convolutional and recurrent networks do inside."
    )

page.run()
