"""Train live: set the hyperparameters, press Train, watch the curves grow.

The run trains in a background worker owned by this browser session (models.worker): clicks
and page changes neither stop nor orphan it, closing the tab does. One run at a time on the
server; the others wait in line and see their place."""

import functools
import time

import streamlit as st

from data import catalog
from models.training import runs
from pages._ui import datasets, streamlit_fixes, training_session, url_state
from pages._ui.charts import training as charts

streamlit_fixes.require_router()

st.title("Train a model live")
st.markdown(
    "Pick a course recipe or set your own hyperparameters, press **Train**, and watch the model learn: "
    "the loss should fall and the accuracy rise, on the training data (what it learns from) and on the "
    "validation data (what it never sees). Training stops early once the mean epoch loss changes by less "
    "than the **convergence threshold**."
)

# Widget keys, set by the preset pills before the widgets are drawn.
FIELDS = ("dataset", "family", "epochs", "batch_size", "learning_rate", "units", "layers", "shrink", "dropout",
          "sequence_length", "vocab_size", "train_size", "convergence_threshold")
BATCH_SIZES = [16, 32, 64, 128, 256, 512]
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
TASKS = {task.key: task for task in catalog.trainable()}  # what the Train page offers
THRESHOLDS = [0.0, 1e-2, 1e-3, 1e-4, 1e-5]


def load_settings(settings: runs.RunSettings) -> None:
    for name in FIELDS:
        st.session_state[f"train_{name}"] = getattr(settings, name)


def apply_preset() -> None:
    name = st.session_state.get("train_preset")
    if name in runs.PRESETS:
        load_settings(runs.PRESETS[name])


def dataset_changed() -> None:
    """Another dataset offers other families and sizes: keep the choices valid."""
    dataset = st.session_state.get("train_dataset") or next(iter(TASKS))
    if st.session_state.get("train_family") not in TASKS[dataset].train_families:
        st.session_state["train_family"] = next(iter(TASKS[dataset].train_families))
    sizes = TASKS[dataset].train_sizes
    if st.session_state.get("train_train_size") not in sizes:
        st.session_state["train_train_size"] = min(sizes, key=lambda n: abs(n - 5_000))


if "train_dataset" not in st.session_state:
    load_settings(runs.PRESETS[runs.DEFAULT_PRESET])
    st.session_state["train_preset"] = runs.DEFAULT_PRESET

if "preset" in url_state.restore("train", preset=list(runs.PRESETS)):  # a shared link's recipe
    apply_preset()
queue = training_session.training_queue()
jobs = training_session.my_jobs()
active = next((job for job in reversed(jobs) if not job.done), None)

# -- Settings ------------------------------------------------------------------------------------

st.pills("Course recipes (one click sets everything)", list(runs.PRESETS), key="train_preset",
         on_change=apply_preset, disabled=active is not None)
url_state.remember("train", preset=list(runs.PRESETS))

with st.container(border=True):
    a, b, c, d = st.columns(4, gap="medium")
    dataset = a.segmented_control("Data", list(TASKS), key="train_dataset", on_change=dataset_changed,
                                  format_func=lambda key: TASKS[key].short_title,
                                  help=". ".join(task.title for task in TASKS.values())) or next(iter(TASKS))
    dataset_changed()  # also when a preset or a deselected control left something invalid
    family = a.selectbox("Model family", list(TASKS[dataset].train_families), key="train_family")
    counts = "Training characters" if TASKS[dataset].task_type == "language_model" else "Training examples"
    a.select_slider(counts, TASKS[dataset].train_sizes, key="train_train_size",
                    format_func=lambda n: f"{n:,}",
                    help="A slice of the training set: small slices finish during the lesson.")

    b.slider("Epochs (at most)", 1, 30, key="train_epochs")
    b.select_slider("Batch size", BATCH_SIZES, key="train_batch_size")
    b.select_slider("Learning rate (Adam)", LEARNING_RATES, key="train_learning_rate", format_func=lambda v: f"{v:g}")

    is_cnn = family == "CNN"
    photo_cnn = is_cnn and TASKS[dataset].input_kind == "photo"
    c.slider("Filters (first block; doubled each next)" if photo_cnn else "Dense units" if is_cnn
             else "Units (first layer)", 2, 256, key="train_units")
    c.slider("Convolution blocks" if is_cnn else "Stacked layers", 1, 3, key="train_layers")
    c.checkbox("Halve each next layer", key="train_shrink", disabled=is_cnn,
               help="As in the architectures material: 32 then 16.")
    c.slider("Dropout", 0.0, 0.6, step=0.05, key="train_dropout")

    if TASKS[dataset].input_kind == "text":
        d.select_slider("Words read per review (the last ones)", [50, 100, 200, 300, 400, 500],
                        key="train_sequence_length")
        d.select_slider("Vocabulary (words known)", [1_000, 2_000, 5_000, 10_000, 20_000], key="train_vocab_size",
                        format_func=lambda n: f"{n:,}")
    d.select_slider("Convergence threshold", THRESHOLDS, key="train_convergence_threshold",
                    format_func=lambda v: "off" if v == 0 else f"{v:g}",
                    help="Stop when |mean loss of this epoch − mean loss of the last| is below this.")

settings = runs.RunSettings(**{name: st.session_state[f"train_{name}"] for name in FIELDS})
try:
    settings.validate()
    problem = None
except ValueError as error:
    problem = str(error)
st.markdown(f"**Your run:** {settings.describe()}" if not problem else f"**Not possible:** {problem}")
if not problem and (offline := datasets.offline_problem(TASKS[dataset])):  # said before the click, once
    st.warning(offline, icon=":material/cloud_off:")
    problem = offline
elif not problem and (missing := datasets.missing_files(TASKS[dataset])):
    st.caption("Train first downloads " + ", ".join(f"{f.title} ({f.size})" for f in missing) + ".")

start_col, stop_col, _ = st.columns([1, 1, 4])
if start_col.button("Train", type="primary", icon=":material/play_arrow:", disabled=active is not None or bool(problem),
                    key="train_start", width="stretch"):
    active = training_session.start_training(settings)
    st.rerun()
if stop_col.button("Stop", icon=":material/stop:", disabled=active is None, key="train_stop",
                   width="stretch"):
    queue.cancel(active)
    st.toast("Stopping after this batch; what it learned so far is kept.")

# -- Progress ------------------------------------------------------------------------------------


def show_job(job) -> None:
    if job.status == "queued":
        position = queue.position(job)
        running = len(queue.running)
        st.info(f"**Queued — you are number {position} in line.** {running} run(s) are training on this server "
                "right now (one at a time keeps the other pages fast). Yours starts by itself.",
                icon=":material/hourglass_top:")
        return
    latest = job.latest("batch")
    done_share = latest["progress"] if latest else 0.0
    if job.status == "running" and latest:
        st.progress(min(done_share, 1.0), text=f"Epoch {latest['epoch']}, batch {latest['batch']}")
    elif job.status == "running":  # before the first batch: say what it is doing, and for how long
        stage = job.latest("stage")
        waited = time.monotonic() - (job.started_at or job.created_at)
        st.info(f"{stage['text'] if stage else 'Starting'}… {waited:.0f} s (the first run of a server takes "
                "10–20 s before its first batch)", icon=":material/hourglass_top:")
    batches, epochs = job.curves()
    writes = job.settings.task.task_type == "language_model"
    metric = "loss" if writes else st.radio("Curve", ["loss", "accuracy"], horizontal=True,
                                              key=f"live_metric_{job.number}")
    if len(batches):
        st.altair_chart(charts.live_curves(batches, epochs[epochs["metric"] == metric], metric))
        st.caption("Line: the running mean over the current epoch, every few batches. Points: each finished "
                   "epoch on the training data (blue) and the validation data (orange).")
    samples = [e for e in job.events_since(0) if e["kind"] == "sample"]
    if samples:
        st.markdown("**What it writes after each epoch** (temperature 0.8, starting from “this movie”):")
        for sample in samples[-6:]:
            st.text(f"epoch {sample['epoch']}, {sample['sentiment']}: {sample['text']}")
    if job.status == "failed":
        st.error(f"The run failed: {job.error}")
    elif job.done and job.result is not None:
        meta = job.result.metadata
        done = job.epochs_done()
        verdict = (f"stopped by you after {done:.1f} epochs" if job.status == "stopped" and not done.is_integer()
                   else f"stopped by you after {meta['epochs']} epoch(s)" if job.status == "stopped"
                   else f"finished after {meta['epochs']} epoch(s)")
        converged = meta.get("converged_epoch")
        score = (f"**{meta['test_bits_per_character']:.3f} bits per character** on {meta['test_n']:,} test reviews"
                 if "test_bits_per_character" in meta else
                 f"**Test accuracy {meta['test_accuracy']:.2%}** on all {meta['test_n']:,} test examples")
        st.success(
            f"Run #{job.number} {verdict}"
            + (f" — converged at epoch {converged} (|Δ loss| < {meta['convergence_threshold']:g})" if converged else "")
            + f". {score}.")


if active is not None:
    @st.fragment(run_every=1.0)
    def live() -> None:
        show_job(active)
        if active.done:
            st.rerun()  # the whole page: the buttons come back and the run joins the list below

    live()
elif jobs:
    show_job(jobs[-1])

# -- This session's runs -------------------------------------------------------------------------

finished = [job for job in jobs if job.done]
if finished:
    st.subheader("Your runs")
    st.caption("They join the **Compare models** page next to the shipped models (for as long as this tab is "
               "open). Download one to keep it; the shipped models in `pretrained/` are never replaced from here.")
    for job in reversed(finished):
        meta = job.result.metadata if job.result is not None else {}
        with st.container(border=True):
            left, right = st.columns([4, 1])
            accuracy = f" · test accuracy **{meta['test_accuracy']:.2%}**" if "test_accuracy" in meta else ""
            left.markdown(f"**#{job.number} {job.settings.family}** on {job.settings.task.title} "
                          f"· {job.status}{accuracy}  \n{job.settings.describe()}")
            model = job.result.model_bytes if job.result is not None else None
            if model is not None:
                # Handed over when clicked: not sent (and gzipped by the server) on every rerun.
                right.download_button("Download .keras", data=functools.partial(bytes, model),
                                      file_name=f"{job.settings.family.lower()}_run{job.number}.keras",
                                      mime="application/octet-stream", key=f"download_{job.number}", on_click="ignore",
                                      icon=":material/download:")
            elif job.result is not None:
                right.caption(f"Model file let go to save memory (the last {training_session.KEEP_RUNS} are kept).")
    st.page_link("pages/compare.py", label="Compare your runs with the shipped models", icon=":material/compare:")
