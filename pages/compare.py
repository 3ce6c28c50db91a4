"""Compare: every model of a dataset side by side — where each one goes wrong, how it learned,
what it is built of. Opens instantly from the pretrained metadata; recomputing on the test set
is a button."""

import re

import numpy as np
import pandas as pd
import streamlit as st

from data import catalog, digits
from models import comparison, metrics
from models.training import runs
from pages._ui import datasets, layout, streamlit_fixes, training_session, url_state
from pages._ui.charts import compare as charts

streamlit_fixes.require_router()

st.title("Compare models")
st.markdown(
    "The same test examples, every model. A **confusion matrix** counts, for each true class (rows), "
    "what the model answered (columns): the diagonal is right, everything else is a mistake. "
    "**Click a cell** to see the examples behind it — and whether the other models make the same mistake."
)

GROUPS = comparison.groups()
GROUP_KEYS = {f"{dataset}/{group}": (dataset, group) for dataset, group in GROUPS}
DEFAULT_GROUP = next(iter(GROUP_KEYS))
url_state.restore("compare", group=list(GROUP_KEYS))  # a shared link, once per session
url_state.remember("compare", group=list(GROUP_KEYS))  # widget values are new from the start of a run
choice = st.segmented_control("Models", list(GROUP_KEYS), default=DEFAULT_GROUP, key="compare_group",
                              format_func=lambda k: GROUPS[GROUP_KEYS[k]])
if choice is None:  # the student clicked the selected option again: it deselects
    choice = DEFAULT_GROUP
dataset, group = GROUP_KEYS[choice]
task = catalog.get(dataset)

results = comparison.shipped_results(dataset, group)
my_runs = [] if task.measures_models_of else training_session.my_results(dataset, group)
results += my_runs
if task.measures_models_of:  # another task's models, on this task's test set
    trained = catalog.get(task.measures_models_of)
    st.info(f"The {trained.short_title.lower()} models, trained on {trained.title}, read {task.test_description}: "
            "one short sentence each instead of a whole review. Their sizes and training curves below are "
            f"their {trained.title} training; they never trained on these sentences.", icon=":material/short_text:")
    missing = comparison.unmeasured(dataset, group)
    if missing:
        st.caption("Not measured on these sentences yet: " + ", ".join(
            f"`python -m models evaluate {key} --on {dataset} --write-predictions`" for key in missing))
if not results:
    st.warning("No trained models with saved results for this group. Train them with "
               "`python -m models train NAME` (see `python -m models list`).")
    st.stop()
if task.task_type == "language_model":  # no classes to confuse: how well it predicts, and how it learned
    st.subheader("How surprised by real reviews")
    for column, r in zip(st.columns(max(len(results), 3)), results):
        bpc = r.metadata.get("test_bits_per_character")
        column.metric(r.label, f"{bpc:.3f} bits / character" if bpc is not None else "—",
                      help=f"On {task.test_description}. Perplexity "
                           f"{r.metadata.get('test_perplexity', float('nan')):.2f}: as unsure as a fair choice "
                           "between that many characters.")
    st.subheader("How it learned")
    metric = st.radio("Metric", ["bits_per_character", "loss"], horizontal=True, key="compare_lm_metric",
                      format_func=lambda m: m.replace("_", " "))
    st.altair_chart(charts.training_curves(comparison.curves_frame(results), metric, ["train", "validation"]))
    st.caption("Bits per character = loss (in nats) / ln 2. Solid: training windows; dashed: validation text.")
    st.stop()
class_names = [str(c) for c in results[0].metadata.get("class_names") or []]
if my_runs:
    st.caption(f"Including your {len(my_runs)} run(s) from the Train page (they last as long as this browser tab).")
if group == "architectures":
    st.info(
        "The course's stacked/dropout comparison: RNNs and LSTMs reading digits row by row, "
        "**I** one layer of 5 units · **II** two stacked layers of 5 · **III** 32 then 16 · "
        "**IV** 32, dropout 0.2, then 16. Each trained until its mean epoch loss changed by less than "
        "10⁻⁴ (at most 60 epochs).", icon=":material/science:")

# -- Accuracy at a glance ------------------------------------------------------------------------

summary = comparison.summary_frame(results)
left, right = st.columns([1, 1.3], gap="large")
with left:
    st.subheader("Test accuracy")
    st.altair_chart(charts.count_bars(summary.dropna(subset=["test accuracy"]), "test accuracy",
                                      f"on {int(summary['test examples'].max()):,} test examples", percent=True))
with right:
    st.subheader("Size and training cost")
    st.dataframe(
        summary.drop(columns=["test accuracy", "test examples"]), hide_index=True,
        column_config={"parameters": st.column_config.NumberColumn(format="localized"),
                       "training time (s)": st.column_config.NumberColumn(help="all epochs, on the machine "
                                                                             "that trained it"),
                       "s / epoch": st.column_config.NumberColumn(help="median seconds per training epoch")})

# -- Confusion matrices --------------------------------------------------------------------------

st.subheader("Confusion matrices")
normalise = st.toggle("Show shares of each true class instead of counts", key="compare_normalise",
                      help="Row-normalised: each row sums to 100%, so classes of different sizes compare fairly.")
frame = comparison.confusion_frame(results, class_names, normalise)
# Digit matrices two by two (two fit beside each other on a 1024 px projector with the sidebar open;
# wide screens enlarge them), 2×2 review matrices in a row.
many_classes = len(class_names) > 4
event = st.altair_chart(
    charts.confusion_heatmaps(frame, class_names, normalise,
                              columns=1 if layout.on_a_phone() else 2 if many_classes else 4,
                              cell_size=(24 if frame["model"].nunique() <= 4 else 22) if many_classes else None),
    on_select="rerun",
    selection_mode=charts.CELL_SELECTION, key=f"confusion_{choice}")
st.caption("Grey: correct answers. Colour: mistakes (one colour scale for every model). "
           "Click a cell to see its examples; double-click to clear.")


def model_predictions() -> dict[str, np.ndarray]:
    return {r.label: r.predictions["predicted"] for r in results if r.predictions is not None}


def plain(text: str, limit: int = 600) -> str:
    """A review as plain text in Markdown: line breaks tags dropped, Markdown characters escaped."""
    text = re.sub(r"<br\s*/?>", " ", text)
    text = text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|>~$<])", r"\\\1", text)


def test_inputs_and_answers():
    """The test inputs and every model's saved answers, or None (with a message) without the data."""
    test_set, message = datasets.test_set_of(task.key)
    if test_set is None:
        st.caption(f"The examples need the test set of {task.title}; the counts come from the saved results.")
        datasets.offer_download(task, message)  # the path to put it in, and the download when online
        return None, None
    return test_set[0], {r.label: r.predictions for r in results if r.predictions is not None}


def show_images(table: pd.DataFrame, names: list[str], t: int):
    x_test, confidences = test_inputs_and_answers()
    if x_test is None:
        return
    shown = list(table.head(16).iterrows())
    for start in range(0, len(shown), 4):
        for column, (index, row) in zip(st.columns(4), shown[start:start + 4]):
            with column, st.container(border=True):
                picture, words = st.columns([1, 1.7], vertical_alignment="center")
                picture.image(digits.enlarge(x_test[index], 4), clamp=True,
                              width="stretch")
                lines = [f"**#{index}** · true **{class_names[t]}**"]
                for name in names:
                    p = confidences[name]
                    guess = class_names[int(p["predicted"][index])]
                    mark = "✗ " if bool(row[name]) else ""
                    lines.append(f"{mark}{name}: **{guess}** {float(p['confidence'][index]):.0%}")
                words.markdown("  \n".join(lines))
    if len(table) > len(shown):
        st.caption(f"Showing {len(shown)} of {len(table):,}.")


def show_texts(table: pd.DataFrame, names: list[str], t: int):
    texts, confidences = test_inputs_and_answers()
    if texts is None:
        return
    noun = task.example_title.split()[-1].capitalize()  # "Review", "Sentence"
    for index, row in table.head(8).iterrows():
        with st.container(border=True):
            scores = " · ".join(f"{'✗ ' if bool(row[n]) else ''}{n} P(positive) "
                                f"{float(confidences[n]['confidence'][index]):.0%}" for n in names)
            st.markdown(f"**{noun} #{index}** · truly **{class_names[t]}** · {scores}")
            st.markdown(plain(str(texts[index])))


def show_no_examples(table: pd.DataFrame, names: list[str], t: int):
    st.caption(f"{task.title} has no view of single examples; the counts are above.")


def show_cell(t: int, p: int) -> None:
    """The examples behind one cell, for every model at once."""
    st.markdown(f"#### True **{class_names[t]}**, predicted **{class_names[p]}**"
                + (" — correct answers" if t == p else " — a mistake"))
    counts_col, examples_col = st.columns([1, 2.6], gap="large")
    with counts_col:
        st.altair_chart(charts.count_bars(comparison.cell_counts(results, t, p), "count", "examples here"))
        missing = [r.label for r in results if r.predictions is None]
        if missing:
            st.caption(f"No per-example predictions saved for {', '.join(missing)}: regenerate them with "
                       "`python -m models evaluate NAME --write-predictions`.")
    predictions = model_predictions()
    with examples_col:
        if not predictions:
            st.info("These models were saved without per-example predictions.")
            return
        y_test = datasets.test_labels(task.key)
        if y_test is None:
            test_inputs_and_answers()  # says what is missing, where to put it, and offers the download
            return
        table = metrics.shared_mistakes(y_test, predictions, t, p)
        names = list(predictions)
        if len(table) == 0:
            st.success("No test example lands in this cell for any model.")
            return
        everyone = int((table["models"] == len(names)).sum())
        st.markdown(f"**{len(table):,}** examples land here for at least one model; **{everyone:,}** for all "
                    f"{len(names)}. Shared ones first (✗ marks the models that put it here).")
        EXAMPLE_VIEWS[task.example_view](table, names, t)


# How one test example is shown, by the task's catalog entry (Task.example_view).
EXAMPLE_VIEWS = {"image": show_images, "text": show_texts, None: show_no_examples}

cell = charts.selected_cell(event)
if cell is None:
    st.info("Click a cell of any matrix — say true 4, predicted 9 — to see those test examples here.",
            icon=":material/touch_app:")
elif cell[0] not in class_names or cell[1] not in class_names:
    st.warning("That cell is not in these matrices; click another one.")
else:
    show_cell(class_names.index(cell[0]), class_names.index(cell[1]))

# -- Per class -----------------------------------------------------------------------------------

st.subheader("Class by class")
labels = [r.label for r in results]
picked = st.selectbox("Model", labels, key="compare_class_model")
chosen = results[labels.index(picked)]
report = metrics.per_class_report(chosen.confusion, class_names)
st.dataframe(report, hide_index=True, column_config={
    name: st.column_config.ProgressColumn(name, format="percent", min_value=0.0, max_value=1.0)
    for name in ("precision", "recall", "F1")})
st.caption("Precision: of everything the model called this class, the share that was. Recall: of every "
           "example of this class, the share it found. F1: their harmonic mean.")

# -- Training curves -----------------------------------------------------------------------------

st.subheader("How they learned")
curves = comparison.curves_frame(results)
metric_col, split_col = st.columns(2)
metric = metric_col.radio("Metric", ["accuracy", "loss"], horizontal=True, key="compare_metric")
splits = split_col.multiselect("Data", ["train", "validation"], default=["train", "validation"],
                               key="compare_splits")
if splits and len(curves):
    st.altair_chart(charts.training_curves(curves, metric, splits))
    st.caption("Solid: training data (the running mean over each epoch). Dashed: validation data, never "
               "trained on. Click a model in the legend to pick it out.")
else:
    st.info("Pick training and/or validation data to see the curves.")

# -- Architectures -------------------------------------------------------------------------------

st.subheader("Architectures")
architecture = comparison.architecture_frame(results)
# The accuracies first, so they stay in view on a narrow screen; the layer details after.
st.dataframe(architecture, hide_index=True, column_order=[
    "model", "test accuracy", "train accuracy", "epochs to converge", "architecture", "units", "recurrent layers",
    "dropout", "parameters"], column_config={
    "train accuracy": st.column_config.NumberColumn(format="percent", help="the last epoch, as Keras reports it"),
    "test accuracy": st.column_config.NumberColumn(format="percent"),
    "parameters": st.column_config.NumberColumn(format="localized"),
    "epochs to converge": st.column_config.TextColumn(help="first epoch whose mean loss changed by less than "
                                                           "the threshold (10⁻⁴)")})

# -- Recompute -----------------------------------------------------------------------------------


@st.fragment
def recompute() -> None:
    """The saved numbers checked on the full test set, in the worker process (like a Train-page
    run): the page stays responsive and shows the progress."""
    st.subheader("Check the saved numbers")
    shipped = [r for r in results if r.source == "shipped"]
    st.markdown(f"Everything above comes from the results saved when each model was trained. Recompute "
                f"them now on the full test set ({len(shipped)} models; the review models take a minute or two).")
    jobs = st.session_state.setdefault("compare_recompute", {})
    job = jobs.get(choice)
    busy = job is not None and not job.done
    if st.button("Recompute on the full test set", icon=":material/refresh:", key=f"recompute_{choice}",
                 disabled=busy):
        work = runs.Evaluation(tuple(r.key for r in shipped), on=dataset if task.measures_models_of else None)
        job = jobs[choice] = training_session.training_queue().submit(work, owner=training_session.session_id(),
                                                                       title="Compare: recompute")
    if job is None:
        return
    if not job.done:
        @st.fragment(run_every=1.0)
        def progress() -> None:
            if job.status == "queued":
                st.info(f"Queued: number {training_session.training_queue().position(job)} in line.",
                        icon=":material/hourglass_top:")
            latest = job.latest("batch")
            if job.status == "running":
                label = next((r.label for r in shipped if latest and r.key == latest.get("model")), None)
                st.progress(latest["progress"] if latest else 0.0,
                            text=f"Evaluating {label} on the test set…" if label else "Evaluating…")
            if job.done:
                st.rerun(scope="fragment")

        progress()
        return
    if job.result is None:
        st.error(f"The recomputation failed: {job.error}")
        return
    evaluations = job.result.metadata["evaluations"]
    rows = []
    for r in shipped:
        now = evaluations.get(r.key)
        if now is None:
            continue
        if "error" in now:
            st.warning(f"{r.label}: {now['error']}")
            continue
        rows.append({"model": r.label, "saved accuracy": r.metadata.get("test_accuracy"),
                     "accuracy now": now["accuracy"], "test examples": now["n"],
                     "same confusion matrix": now["confusion_matrix"] == r.metadata.get("confusion_matrix")})
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
            "saved accuracy": st.column_config.NumberColumn(format="percent"),
            "accuracy now": st.column_config.NumberColumn(format="percent")})


recompute()
