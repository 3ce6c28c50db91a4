"""Home: what each page is for, and every model with its measured test accuracy.

Reads only the pretrained metadata (JSON), never TensorFlow, so it opens instantly.
"""

import streamlit as st

from models import registry
from pages import _shared as shared

shared.require_router()

st.title("CNN · RNN · LSTM Explorer")
st.markdown(
    "See what neural networks do inside. A **convolutional network** looks at a whole picture "
    "through small filters; **recurrent networks** read a sequence one step at a time — the rows "
    "of a digit, the words of a review — and carry a memory from step to step."
)

# (page file, title, icon, what a student does there)
PAGE_CARDS = [
    ("pages/draw.py", "Draw a digit", ":material/draw:",
     "Draw with the mouse (or upload a photo, or pick a real MNIST digit). See what each model thinks, "
     "the 28×28 picture it really sees, the CNN's feature maps and the recurrent memory row by row."),
    ("pages/review.py", "Type a review", ":material/rate_review:",
     "Type a movie review and watch four recurrent networks read it word by word: which words push "
     "them towards positive or negative, where they change their minds, which words they do not know."),
    ("pages/gates.py", "LSTM gates", ":material/tune:",
     "Train a small LSTM on a sine or cosine wave in seconds (or take the pretrained one), see it forecast, "
     "then step through time and watch its input, forget and output gates open and close, with the numbers."),
    ("pages/compare.py", "Compare models", ":material/compare:",
     "Confusion matrices side by side: click a cell to see the digits or reviews behind it and which models "
     "share the mistake. Training curves of every model on one chart, and the architectures compared."),
    ("pages/train.py", "Train live", ":material/model_training:",
     "Set epochs, batch size, learning rate, units, layers and dropout (or pick a course recipe), press "
     "Train and watch the curves grow; your model then joins the Compare page."),
]

st.subheader("Pages")
for column, (path, title, icon, text) in zip(st.columns(len(PAGE_CARDS), gap="small"), PAGE_CARDS):
    with column, st.container(border=True):
        st.page_link(path, label=f"**{title}**", icon=icon)
        st.write(text)

# (dataset, heading, what the accuracy is measured on)
MODEL_GROUPS = [
    ("mnist", "Digits", "all 10,000 MNIST test digits"),
    ("imdb", "Reviews", "all 25,000 IMDB test reviews"),
]

st.subheader("Models")
st.caption("Each shipped model's accuracy, measured on the full test set when it was trained.")
for dataset, heading, measured_on in MODEL_GROUPS:
    specs = registry.for_dataset(dataset)
    if not specs:
        continue
    st.markdown(f"**{heading}** — accuracy on {measured_on}")
    for column, spec in zip(st.columns(len(specs)), specs):
        meta = registry.load_metadata(spec.key)
        with column, st.container(border=True):
            st.markdown(f"**{spec.title}**")
            if meta and spec.pretrained_path.is_file() and "test_accuracy" in meta:
                st.metric("test accuracy", f"{meta['test_accuracy']:.2%}")
                st.caption(f"{meta['params']:,} parameters · {meta['epochs']} epochs")
            else:
                st.warning(f"Not trained yet. Run `python -m models train {spec.key}`.")
            st.write(spec.summary)
