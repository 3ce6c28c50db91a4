"""TensorFlow is imported by one session at a time (a page that predicts calls this first)."""

from __future__ import annotations

import threading

_TENSORFLOW_IMPORT = threading.Lock()


def import_tensorflow() -> None:
    """Import TensorFlow and Keras one session at a time. Call it before a page imports any
    module that uses them.

    Streamlit runs each session's script in its own thread. When several students open pages
    of a freshly started server at once, their threads import Keras concurrently, and one of
    them can see the half-initialised module (seen: "module 'keras' has no attribute
    'callbacks'" with three students starting together). Behind this lock the first import
    finishes before anyone else uses it; afterwards it costs nothing.
    """
    with _TENSORFLOW_IMPORT:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
