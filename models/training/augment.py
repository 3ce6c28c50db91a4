"""Training-time augmenters, chosen by a task's catalog entry (``Task.augmenter``) for the
registry models trained with ``augment=True``. Each one records the values it used, so a model's
metadata says exactly how it was augmented."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import tensorflow as tf

# The values the stroke augmenter uses (and the metadata records).
ROTATION_DEGREES = 12
ZOOM = 0.15
SHIFT = 0.12
STROKE_POOL = 2  # a 2x2 max (thicker) or min (thinner) filter
UNTOUCHED = 1 / 3  # this share of each batch stays as it is


@dataclass(frozen=True)
class Augmenter:
    make: object  # seed -> a tf.data map function (images, labels) -> (images, labels)
    description: str  # what the metadata records


def make_stroke_augmenter(seed: int):
    """Random shifts, small rotations, zoom and stroke thickness for (batch, 28, 28) images.

    Drawn digits differ from scanned ones in position, slant, size and pen width; showing the
    CNN such variations while it learns is what lets it read a mouse-drawn digit.
    """
    affine = keras.Sequential([
        keras.layers.RandomRotation(ROTATION_DEGREES / 360, fill_mode="constant", seed=seed),
        keras.layers.RandomZoom((-ZOOM, ZOOM), fill_mode="constant", seed=seed + 1),
        keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", seed=seed + 2),
    ], name="augment")
    generator = tf.random.Generator.from_seed(seed + 3)

    def augment(images, labels):
        x = images[..., None]
        thicker = tf.nn.max_pool2d(x, ksize=STROKE_POOL, strides=1, padding="SAME")
        thinner = -tf.nn.max_pool2d(-x, ksize=STROKE_POOL, strides=1, padding="SAME")
        choice = generator.uniform([tf.shape(x)[0], 1, 1, 1])
        x = tf.where(choice < 0.25, thinner, tf.where(choice > 0.75, thicker, x))
        x = affine(x, training=True)
        # A third of each batch stays untouched, so clean scans are still seen as they are.
        keep = generator.uniform([tf.shape(x)[0], 1, 1, 1]) < UNTOUCHED
        x = tf.where(keep, images[..., None], x)
        return tf.clip_by_value(x[..., 0], 0.0, 1.0), labels

    return augment


AUGMENTERS = {
    "strokes": Augmenter(make_stroke_augmenter,
                         f"shift {SHIFT:.0%}, rotation {ROTATION_DEGREES} deg, zoom {ZOOM:.0%}, stroke "
                         f"thinner/thicker {STROKE_POOL}x{STROKE_POOL}, {UNTOUCHED:.0%} of each batch untouched"),
}


def for_task(task) -> Augmenter | None:
    """The augmenter a task's catalog entry names, or None (its models train on the data as they are)."""
    name = getattr(task, "augmenter", None)
    if name is None:
        return None
    if name not in AUGMENTERS:
        raise ValueError(f"{task.key}: unknown augmenter {name!r}; known: {', '.join(AUGMENTERS)}")
    return AUGMENTERS[name]
