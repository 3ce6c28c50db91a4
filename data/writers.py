"""More writers for the digit image models: another task's handwriting drawn as this task's pictures.

MNIST's digits were written on paper by about 500 writers and scanned. A student draws with a
mouse or a finger, in styles MNIST has few of. The UCI pen digits are a second, independent
source of handwriting: 44 other writers on a tablet. Drawn the way the Draw page turns its
canvas into a picture (``data.strokes.render_image``), their digits become MNIST-style 28x28
pictures, and:

- their **training** writers (27; 3 more validate) can join an image model's training:
  ``python -m models train mnist_cnn --extra-writers pendigits``;
- their **test** writers (14, 3,498 digits, never used in training or validation) are a second
  held-out test: ``python -m models evaluate mnist_cnn --test-set pendigits``.

A task names the sources it can borrow from in its catalog entry (``Task.extra_writers``); a
source says how to draw its digits as pictures (``Task.writer_images``).
"""

from __future__ import annotations

import numpy as np

from data import catalog
from data.dataset import Dataset


def sources_for(task_key: str) -> tuple[str, ...]:
    """The tasks whose writers the image models of ``task_key`` can add (may be empty)."""
    return catalog.get(task_key).extra_writers


def check(task_key: str, source_keys) -> tuple[str, ...]:
    """``source_keys`` as a tuple, or ValueError naming the sources this task can use."""
    if not source_keys:
        return ()
    allowed = sources_for(task_key)
    for key in source_keys:
        if key not in allowed:
            offer = ", ".join(allowed) or "none"
            raise ValueError(f"{task_key} cannot add the writers of {key!r}; it can add: {offer}")
    return tuple(source_keys)


def _as(like: np.ndarray, array: np.ndarray) -> np.ndarray:
    return array.astype(like.dtype, copy=False)


def add_writers(data: Dataset, source_keys, train_limit: int | None = None, progress=None) -> tuple[Dataset, dict]:
    """``data`` with every source's training writers appended to its training examples and its
    validation writers to its validation examples; the test set stays ``data``'s own. Returns the
    new data set and, per source, what was added (for the model's metadata).

    ``train_limit`` (quick runs) takes only the first N training digits of each source (and a fifth
    as many, at least 100, for validation), as ``data.dataset.split_validation`` does."""
    added = {}
    for key in check(data.name, source_keys):
        source = catalog.get(key)
        n_val = max(train_limit // 5, 100) if train_limit else None
        x_fit, y_fit, w_fit = source.writer_images("train", limit=train_limit, progress=progress)
        x_val, y_val, w_val = source.writer_images("validation", limit=n_val, progress=progress)
        data = Dataset(
            data.name,
            np.concatenate([data.x_train, _as(data.x_train, x_fit)]),
            np.concatenate([data.y_train, _as(data.y_train, y_fit)]),
            np.concatenate([data.x_val, _as(data.x_val, x_val)]),
            np.concatenate([data.y_val, _as(data.y_val, y_val)]),
            data.x_test, data.y_test, data.sha256, data.class_names,
        )
        added[key] = {
            "title": source.title,
            "train": int(len(y_fit)), "train_writers": int(len(np.unique(w_fit))),
            "validation": int(len(y_val)), "validation_writers": int(len(np.unique(w_val))),
            "data_sha256": source.sha256,
        }
    return data, added


def test_set(task_key: str, source_key: str, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A source's test writers drawn as ``task_key``'s pictures: ``(images, labels)``, images in
    [0, 1]. Writers no model of ours saw in training or validation."""
    (key,) = check(task_key, [source_key])
    images, labels, _ = catalog.get(key).writer_images("test", limit=limit, progress=None)
    return images.astype(np.float32), labels.astype(np.int32)
