"""Home: what each page is for, and every model with its measured test accuracy.

Reads only the pretrained metadata (JSON), never TensorFlow, so it opens instantly.
"""

import streamlit as st

from data import catalog
from models import registry
from pages._ui import navigation, streamlit_fixes

streamlit_fixes.require_router()

st.title("CNN · RNN · LSTM Explorer")
st.markdown(
    "See what neural networks do inside. A **convolutional network** looks at a whole picture "
    "through small filters; **recurrent networks** read a sequence one step at a time — the rows "
    "of a digit, the words of a review — and carry a memory from step to step."
)

st.subheader("Pages")
cards = [page for page in navigation.PAGES if page.card]
PER_ROW = 4  # cards per row: readable on a projector, wrapping on a phone
for start in range(0, len(cards), PER_ROW):
    for column, page in zip(st.columns(PER_ROW, gap="small"), cards[start:start + PER_ROW]):
        with column, st.container(border=True):
            st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
            st.write(page.card)

st.subheader("Models")
st.caption("Each shipped model's accuracy, measured on the full test set when it was trained.")
for task in catalog.TASKS.values():
    specs = registry.for_dataset(task.key)
    if not specs or task.task_type == "regression":  # the wave models live on the Gates page
        continue
    measure = "accuracy" if task.num_classes else "bits per character"
    st.markdown(f"**{task.short_title}** — {measure} on {task.test_description}")
    for column, spec in zip(st.columns(len(specs)), specs):
        meta = registry.load_metadata(spec.key)
        with column, st.container(border=True):
            st.markdown(f"**{spec.title}**")
            if meta and spec.pretrained_path.is_file() and "test_accuracy" in meta:
                st.metric("test accuracy", f"{meta['test_accuracy']:.2%}")
                st.caption(f"{meta['params']:,} parameters · {meta['epochs']} epochs")
            elif meta and spec.pretrained_path.is_file() and "test_bits_per_character" in meta:
                st.metric("bits per character", f"{meta['test_bits_per_character']:.3f}",
                          help="How surprised the model is by each next character of real reviews it never "
                               "saw: log2 of 1/p(the true character), averaged. Lower is better.")
                st.caption(f"{meta['params']:,} parameters · perplexity {meta['test_perplexity']:.2f}")
            else:
                st.warning(f"Not trained yet. Run `python -m models train {spec.key}`.")
            st.write(spec.summary)
