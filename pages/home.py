"""Home: what each page is for, and every model with its measured test accuracy.

Reads only the pretrained metadata (JSON), never TensorFlow, so it opens instantly.
"""

import streamlit as st

from models import registry
from pages import _shared as shared

shared.require_router()

st.title("CNN · RNN · LSTM Explorer")
st.markdown(
    "Draw a digit and watch four networks read it: a **convolutional network** that looks at "
    "the whole picture through small filters, and three **recurrent networks** that read it "
    "one row at a time, remembering what they have seen."
)

st.subheader("Pages")
left, right = st.columns(2)
with left, st.container(border=True):
    st.page_link("pages/draw.py", label="**Draw a digit**", icon=":material/draw:")
    st.write(
        "Draw with the mouse (or upload a photo, or pick a real MNIST digit). See what each "
        "model thinks, the 28×28 picture it really sees, the CNN's feature maps and the LSTM's "
        "memory row by row."
    )

st.subheader("Models")
st.caption("Accuracy on all 10,000 MNIST test digits, measured when the shipped model was trained.")
specs = registry.for_dataset("mnist")
for column, spec in zip(st.columns(len(specs)), specs):
    meta = registry.load_metadata(spec.key)
    with column, st.container(border=True):
        st.markdown(f"**{spec.title}**")
        if meta and spec.pretrained_path.is_file():
            st.metric("test accuracy", f"{meta['test_accuracy']:.2%}")
            st.caption(f"{meta['params']:,} parameters · {meta['epochs']} epochs")
        else:
            st.warning(f"Not trained yet. Run `python -m models train {spec.key}`.")
        st.write(spec.summary)
