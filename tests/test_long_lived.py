"""Loaded models are taken out of Python's full garbage collections (pages/_ui/model_cache.py):
a full collection walked every TensorFlow and Keras object, ~150 ms holding the interpreter
while thirty students waited."""

import gc

import numpy as np
import pytest


def tracked_ids() -> set[int]:
    return {id(o) for o in gc.get_objects()}  # the collector's generations, not the frozen objects


@pytest.fixture
def unfreeze():
    yield
    gc.unfreeze()


def test_a_loaded_model_is_no_longer_walked_by_full_collections(unfreeze):
    import keras

    from pages._ui import model_cache

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model(np.zeros((1, 4), np.float32))
    assert id(model) in tracked_ids()
    before = gc.get_freeze_count()
    assert model_cache.long_lived(model) is model
    assert id(model) not in tracked_ids() and gc.get_freeze_count() > before
    assert all(id(w) not in tracked_ids() for w in model.weights)


def test_cycles_made_afterwards_are_still_collected(unfreeze):
    import weakref

    from pages._ui import model_cache

    model_cache.long_lived(object())

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None
