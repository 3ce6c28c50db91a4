"""Save and load models and their metadata, atomically and safely.

* Every write goes to a temporary file in the same folder, then ``os.replace`` puts it in
  place: a crash while saving leaves the previous file intact.
* Models are saved without the optimizer state (a fresh copy of the model receives the
  trained weights), which keeps ``.keras`` files about three times smaller.
* Models load with ``safe_mode=True``: a ``.keras`` file cannot run arbitrary code.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


class ModelUnavailable(RuntimeError):
    """A pretrained model file is missing or unreadable; the message says how to retrain."""


@contextlib.contextmanager
def _written_atomically(path: Path, suffix: str):
    """Yields a temporary file name beside ``path``; once the caller has written it, it is
    flushed to disk and put in place with ``os.replace``. On any failure (even a kill) the
    previous ``path`` is untouched and the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; shipped files must be readable by all
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(data: dict, path: str | Path) -> Path:
    path = Path(path)
    with _written_atomically(path, ".tmp.json") as tmp, open(tmp, "w") as f:
        json.dump(data, f, indent=1)
    return path


def write_predictions(predictions: dict, path: str | Path) -> Path:
    """A model's per-example test predictions (NumPy arrays by name) as ``.npz``, atomically."""
    import numpy as np

    path = Path(path)
    with _written_atomically(path, ".tmp.npz") as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, **predictions)
    return path


def read_predictions(path: str | Path) -> dict | None:
    """What :func:`write_predictions` wrote, or None when the file is missing or unreadable.
    Loaded without pickle: only plain arrays are accepted."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError):
        return None


def lean_copy(model):
    """The same model with the same weights, without optimizer state or compile settings."""
    # Built from its config, not clone_model: in Keras 3.15 a clone of a compiled model is
    # compiled too, and saving it would store the optimizer's state (3x the weights).
    fresh = type(model).from_config(model.get_config())
    # A vocabulary (TextVectorization, StringLookup) is state, not a weight: copy it too.
    for old_layer, new_layer in zip(model.layers, fresh.layers):
        if hasattr(old_layer, "get_vocabulary") and hasattr(new_layer, "set_vocabulary"):
            new_layer.set_vocabulary(old_layer.get_vocabulary())
    fresh.set_weights(model.get_weights())
    return fresh


def save_model(model, path: str | Path) -> Path:
    """Save ``model`` (without optimizer state) to ``path`` atomically."""
    path = Path(path)
    with _written_atomically(path, ".tmp.keras") as tmp:  # Keras insists on the .keras extension
        lean_copy(model).save(tmp)
    return path


def model_bytes(model) -> bytes:
    """The model as the bytes of a ``.keras`` file (without optimizer state), for a download."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        lean_copy(model).save(path)
        return path.read_bytes()


def load_model(path: str | Path):
    """Load a ``.keras`` file in safe mode (no code from the file runs), uncompiled."""
    import keras

    import models.layers  # noqa: F401  registers the layers saved inside the review models

    path = Path(path)
    if not path.is_file():
        raise ModelUnavailable(f"{path.name} is missing")
    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # a damaged zip, a wrong file, a Keras version mismatch
        raise ModelUnavailable(f"{path.name} cannot be loaded ({type(error).__name__}: {error})"[:400]) from error


def load_model_bytes(data: bytes):
    """A model from the bytes of a ``.keras`` file (what a worker run sends back), in safe mode."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return load_model(path)


def load_pretrained(key: str):
    """The shipped model for a registry key; :class:`ModelUnavailable` with a retrain hint."""
    from models import registry

    spec = registry.get(key)
    try:
        return load_model(spec.pretrained_path)
    except ModelUnavailable as error:
        raise ModelUnavailable(f"{error}. Retrain it with: python -m models train {key}") from error
