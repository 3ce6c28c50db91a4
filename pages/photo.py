"""Show it a photo: what CNNs trained on CIFAR-10 make of a test image, an upload or the camera."""

import numpy as np
import streamlit as st

from pages._ui import datasets, model_cache, streamlit_fixes, tf_import, url_state
from pages._ui.charts import photos as charts

streamlit_fixes.require_router()
tf_import.import_tensorflow()  # before anything that imports TensorFlow
from data import catalog, digits, photos  # noqa: E402
from models.probes import compiled  # noqa: E402
from pages._ui import answers, equations  # noqa: E402

TASK = catalog.get(catalog.CIFAR10)  # what this page reads: photos of ten kinds of object
ENLARGE = 8  # the 32x32 input shown at 256x256

st.title(":material/photo_camera: Show it a photo")
st.caption(f"Convolutional networks trained on CIFAR-10 name what is in a photo — one of ten things: "
           f"{', '.join(TASK.class_names)}. Pick a test photo, upload your own, or hold something up to "
           "the camera.")

SOURCES = ["CIFAR-10 test photo", "Upload a photo", "Camera"]
url_state.restore("photo")  # a shared link's photo and view, once per session
source = st.segmented_control("Input", SOURCES, default=SOURCES[0], key="photo_source",
                              label_visibility="collapsed") or SOURCES[0]


def test_photo():
    picked = datasets.random_test_example(TASK.key, "cifar_index", "another_photo", label="Another photo")
    if picked is None:
        return None, None
    image, label, index = picked
    return image, f"True class: **{TASK.class_names[label]}** (test photo #{index})"


def uploaded_photo():
    upload = st.file_uploader("A photo of one object (JPEG, PNG, HEIC exported as JPEG…)",
                              type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"])
    return (None, None) if upload is None else (upload.getvalue(), f"Your upload: {upload.name}")


def camera_photo():
    shot = st.camera_input("Hold a cat, a car, a toy plane… in front of the camera")
    return (None, None) if shot is None else (shot.getvalue(), "Your camera photo")


@st.fragment
def photo_lab():
    models = model_cache.loaded_models(TASK.key)
    ready = model_cache.usable(models)
    if not ready:
        st.error("No CIFAR-10 model is available. Train one with `python -m models train cifar_cnn`.")
        return
    inputs, right = st.columns([1.35, 1], gap="large")
    left, middle = inputs.columns(2, gap="medium")
    with left:
        st.subheader("Your photo")
        reader = {SOURCES[1]: uploaded_photo, SOURCES[2]: camera_photo}.get(source, test_photo)
        raw, note = reader()
        url_state.remember("photo")
        if raw is None:
            st.info("Choose a photo first." if source != SOURCES[0] else "The test set is not here.",
                    icon=":material/arrow_upward:")
            return
        try:
            prepared = photos.prepare(raw)
        except photos.NotAPhoto as error:
            st.error(f"That file cannot be used: {error}.")
            return
        st.image(prepared.display, width="stretch")
        if note:
            st.markdown(note)
        for line in prepared.notes:
            st.caption(f"Note: {line}.")
    with middle:
        st.subheader("What the model sees")
        st.image(digits.enlarge(prepared.model_input, ENLARGE), width="stretch")
        st.caption("The centred square of your photo shrunk to 32×32 pixels: all a CIFAR-10 network ever "
                   "gets. Small objects and busy backgrounds are hard at this size.")
    probabilities = compiled.predict_each({k: m.runner for k, m in ready.items()},
                                          prepared.model_input.astype(np.float32))
    titles = {k: models[k].spec.title for k in probabilities}
    with right:
        st.subheader("What they think")
        answers.show_answer(probabilities, titles, list(TASK.class_names))
        st.vega_lite_chart(*charts.top_classes(probabilities, titles, list(TASK.class_names)), width="stretch")

    st.subheader("Where it looked")
    inside_views(ready, prepared, probabilities)


def inside_views(ready: dict, prepared, probabilities: dict):
    from models.probes import features

    conv_keys = [k for k, m in ready.items() if features.conv_layers(m.runner.model)]
    titles = {k: ready[k].spec.title for k in conv_keys}
    key = st.radio("Model", conv_keys, format_func=titles.get, horizontal=True, key="photo_inside_model")
    top = int(np.argmax(probabilities[key]))
    heat_col, text_col = st.columns([1, 1.5], gap="large")  # the heatmap beside its formula
    with heat_col:
        from models.probes import gradcam

        heatmap, _ = model_cache.gradcam(key)(prepared.model_input, top)
        st.image(gradcam.overlay(prepared.display, heatmap), width="stretch",
                 caption=f"Grad-CAM for “{TASK.class_names[top]}”: yellow = the parts that pushed the "
                         f"{titles[key]} towards this answer")
    with text_col:
        st.markdown(equations.GRADCAM_TEXT)
        for eq in equations.GRADCAM:
            st.latex(eq)
        st.caption(f"A is the output of `{model_cache.gradcam(key).layer.name}`, the last layer that still keeps "
                   "a picture (8×8 or larger); y_c is the score of the class the model chose.")
    with st.expander(f"Feature maps of the {titles[key]} for this photo", icon=":material/grid_view:"):
        st.markdown(" ".join(equations.CONV2D_TEXT.split("\n")))
        for name, fmap in model_cache.feature_maps(key)(prepared.model_input.astype(np.float32)).items():
            h, w, c = fmap.shape
            st.markdown(f"**{name}** — {c} filters, each map {h}×{w} (bright = strong response)")
            st.image(features.mosaic(fmap, columns=16 if c > 32 else 8, scale=max(2, 64 // h)))


photo_lab()
