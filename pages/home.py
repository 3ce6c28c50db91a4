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
for column, page in zip(st.columns(len(cards), gap="small"), cards):
    with column, st.container(border=True):
        st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
        st.write(page.card)

st.subheader("Models")
st.caption("Each shipped model's accuracy, measured on the full test set when it was trained.")
for task in catalog.TASKS.values():
    specs = registry.for_dataset(task.key)
    if not specs or not task.num_classes:  # the wave models live on the Gates page
        continue
    st.markdown(f"**{task.short_title}** — accuracy on {task.test_description}")
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
