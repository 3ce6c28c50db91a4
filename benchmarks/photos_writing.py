"""The Photo page's and the Write page's costs, each against the plain Keras way.

* **photo**: an uploaded 1200×900 JPEG -> preprocessing -> every CIFAR-10 model's answer, the
  ResNet's feature maps and its Grad-CAM heatmap (what one upload costs the server), through the
  page's compiled, locked calls; baseline: the same preprocessing, then ``predict_on_batch`` of
  each model and of a feature-map sub-model, and the Grad-CAM gradient taken eagerly.
* **photo_training**: seconds per epoch of both CIFAR recipes through
  ``models.training.portable`` (NumPy batches, augmentation for the ResNet) against a plain
  ``model.fit`` of the same model on the same arrays (first epoch left out).
* **pen**: the recorded Chromium stroke of a 4 -> the stroke pipeline -> all three pen models'
  answers and the pen LSTM's point-by-point replay (what one stroke costs the Draw page's pen
  view); baseline: the same pipeline, then ``predict_on_batch`` of each model and of the prefix
  batch.
* **writing**: characters per second of the Write page's generation (one compiled step per
  character, the LSTM state carried, sentiment strength 1 as on the page) against a naive
  ``predict_on_batch`` of the whole model on the growing text for every character.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np

from benchmarks.predict import side_by_side

ROOT = Path(__file__).resolve().parent.parent
PHOTO_SIDE = (1200, 900)


def phone_photo() -> bytes:
    """A 1200×900 JPEG with some structure (sky, road, a red block), as a phone would send."""
    from PIL import Image

    rng = np.random.default_rng(0)
    array = np.zeros((PHOTO_SIDE[1], PHOTO_SIDE[0], 3), np.uint8)
    array[: PHOTO_SIDE[1] // 2] = (110, 160, 230)
    array[PHOTO_SIDE[1] // 2:] = (90, 90, 90)
    array[380:620, 350:850] = (200, 30, 30)
    array = np.clip(array.astype(int) + rng.integers(-12, 12, array.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(array).save(out, "JPEG", quality=88)
    return out.getvalue()


def photo(calls: int) -> dict:
    import keras
    import tensorflow as tf

    from data import catalog, photos
    from models import registry, store
    from models.probes import compiled, features, gradcam

    upload = phone_photo()
    specs = registry.for_dataset(catalog.CIFAR10)
    models = {s.key: store.load_pretrained(s.key) for s in specs}
    predictors = {k: compiled.Predictor(m).warm_up() for k, m in models.items()}
    lead = specs[0].key
    maps = features.FeatureMaps(models[lead])
    cam = gradcam.GradCam(models[lead])
    # Baseline pieces, uncompiled: a feature-map sub-model and an eager gradient.
    conv_outputs = [layer.output for layer in features.conv_layers(models[lead])]
    feature_model = keras.Model(models[lead].inputs, conv_outputs)
    cam_model = keras.Model(models[lead].inputs, [cam.layer.output, models[lead].output])

    def ours():
        prepared = photos.prepare(upload)
        x = prepared.model_input.astype(np.float32)
        answers = compiled.predict_each(predictors, x)
        maps(x)
        heat, _ = cam(x, int(np.argmax(answers[lead])))
        gradcam.overlay(prepared.display, heat)

    def baseline():
        prepared = photos.prepare(upload)
        batch = prepared.model_input.astype(np.float32)[None]
        answers = {k: m.predict_on_batch(batch) for k, m in models.items()}
        feature_model.predict_on_batch(batch)
        top = int(np.argmax(answers[lead]))
        with tf.GradientTape() as tape:
            activations, probabilities = cam_model(tf.constant(batch), training=False)
            score = probabilities[0, top]
        grads = tape.gradient(score, activations)[0]
        heat = tf.nn.relu(tf.reduce_sum(activations[0] * tf.reduce_mean(grads, axis=(0, 1)), -1)).numpy()
        gradcam.overlay(prepared.display, heat / (heat.max() + 1e-8))

    return side_by_side(ours, baseline, calls)


def photo_training(epochs: int = 3) -> dict:
    import keras

    from data import catalog
    from models import architectures
    from models.training import portable

    data = catalog.get(catalog.CIFAR10).load()
    out = {}
    for name, recipe, size in (("CIFAR-10 lab CNN", "lab", 10_000), ("CIFAR-10 ResNet", "resnet", 1_000)):
        x, y = data.x_train[:size], data.y_train[:size]
        xv, yv = data.x_val[:500], data.y_val[:500]
        settings = portable.PHOTO_RECIPES[recipe]
        ours = portable.train_photo_model(recipe, x, y, xv, yv, epochs=epochs, seed=0).seconds_per_epoch[1:]
        keras.utils.set_random_seed(0)
        model = getattr(architectures, settings["builder"])()
        model.compile(optimizer=keras.optimizers.Adam(1e-3) if recipe == "lab" else
                      keras.optimizers.SGD(settings["learning_rate"], momentum=0.9, nesterov=True),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        timer = portable.EpochTimer()
        model.fit(x.astype(np.float32), y, batch_size=settings["batch_size"], epochs=epochs,
                  validation_data=(xv.astype(np.float32), yv), callbacks=[timer], verbose=0)
        a, b = np.array(ours), np.array(timer.seconds[1:])
        out[name] = {"unit": "s/epoch", "n": int(len(a)), "train_size": size, "batch_size": settings["batch_size"],
                     "median": round(float(np.median(a)), 3), "p95": round(float(np.percentile(a, 95)), 3),
                     "baseline_median": round(float(np.median(b)), 3),
                     "baseline_p95": round(float(np.percentile(b, 95)), 3),
                     "ratio": round(float(np.median(a) / np.median(b)), 3)}
    return out


def writing(length: int = 300, runs: int = 5) -> dict:
    from data import characters
    from models import store
    from models.probes import generation

    model = store.load_pretrained("char_lstm")
    writer = generation.CharWriter(model)
    list(writer.write("this movie was", 1, 0.8, 5, seed=0))  # compile first, as the page does at load
    ours = []
    for seed in range(runs):
        start = time.perf_counter()
        for _ in writer.write("this movie was", 1, 0.8, length, seed=seed):
            pass
        ours.append(length / (time.perf_counter() - start))
    naive = []
    for seed in range(2):  # slow: the whole text again for every character
        rng = np.random.default_rng(seed)
        ids = list(characters.encode(characters.REVIEW_START + "this movie was"))
        start = time.perf_counter()
        for _ in range(length):
            x = np.asarray(ids, np.int32)[None]
            logits = np.asarray(model.predict_on_batch([x, np.ones_like(x)]))[0, -1]
            ids.append(int(rng.choice(len(logits), p=generation.softmax_with_temperature(logits, 0.8))))
        naive.append(length / (time.perf_counter() - start))
    return {"unit": "characters/s", "length": length, "n": runs,
            "median": round(float(np.median(ours)), 1), "p95_slowest": round(float(np.percentile(ours, 5)), 1),
            "baseline_median": round(float(np.median(naive)), 1), "speedup": round(float(np.median(ours) /
                                                                                         np.median(naive)), 1)}


def pen(calls: int) -> dict:
    import json

    from data import catalog, strokes
    from models import registry, store
    from models.probes import compiled
    from models.probes import pen as pen_probe

    recorded = json.loads((ROOT / "tests" / "data" / "canvas_stroke_four.json").read_text())
    models = {s.key: store.load_pretrained(s.key) for s in registry.for_dataset(catalog.PENDIGITS)}
    predictors = {k: compiled.Predictor(m).warm_up() for k, m in models.items()}
    reader = pen_probe.reader_for(models["pen_lstm"])

    def ours():
        sequence = strokes.from_canvas_json(recorded)
        compiled.predict_each(predictors, sequence.rows)
        reader.replay(sequence)

    def baseline():
        sequence = strokes.from_canvas_json(recorded)
        for m in models.values():
            m.predict_on_batch(sequence.rows[None])
        models["pen_lstm"].predict_on_batch(strokes.prefixes(sequence))

    return side_by_side(ours, baseline, calls)


def run(calls: int = 100, epochs: int = 3) -> dict:
    return {"photo": photo(calls), "pen": pen(calls), "photo_training": photo_training(epochs), "writing": writing()}
