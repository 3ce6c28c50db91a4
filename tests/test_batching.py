"""Cross-session dynamic batching (models/probes/batching.py) and the models of one request in one
compiled call (compiled.Ensemble), with real threads as Streamlit's sessions are."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from models.probes.batching import DynamicBatcher, bucket


def _in_threads(n: int, target) -> list:
    """Run ``target(i)`` in ``n`` threads started together; their results, in order of ``i``."""
    results, errors = [None] * n, []
    start = threading.Barrier(n)

    def run(i):
        start.wait()
        try:
            results[i] = target(i)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive(), "a caller never got its answer"
    if errors:
        raise errors[0]
    return results


def test_bucket_sizes_are_powers_of_two():
    assert [bucket(n) for n in (1, 2, 3, 4, 5, 8, 9, 30)] == [1, 2, 4, 4, 8, 8, 16, 32]


def test_concurrent_callers_share_a_batch_and_each_gets_its_own_rows():
    seen = []

    def model(x):  # row-wise: each row's answer depends only on that row
        seen.append(len(x))
        time.sleep(0.01)
        return x * 2.0 + 1.0

    batcher = DynamicBatcher(model, window_s=0.05)
    batcher(np.zeros((1, 3)))  # someone asked just now: the next callers wait for company
    inputs = [np.full((1, 3), float(i)) for i in range(12)]
    results = _in_threads(12, lambda i: batcher(inputs[i]))
    for i, r in enumerate(results):
        np.testing.assert_array_equal(r, inputs[i] * 2.0 + 1.0)
    assert batcher.batched == 13
    assert batcher.calls - 1 < 12 // 2, f"{batcher.calls - 1} model calls for 12 concurrent callers"
    assert all(size == bucket(size) for size in seen)  # padded to a compiled batch size


def test_list_outputs_are_split_per_caller_too():
    batcher = DynamicBatcher(lambda x: [x.sum(axis=1), -x], window_s=0.05)
    results = _in_threads(5, lambda i: batcher(np.arange(4, dtype=np.float32)[None] + i))
    for i, (total, negated) in enumerate(results):
        assert total.shape == (1,) and total[0] == 6 + 4 * i
        np.testing.assert_array_equal(negated, -(np.arange(4)[None] + i))


def test_a_lone_call_waits_no_longer_than_the_window():
    window = 0.05
    batcher = DynamicBatcher(lambda x: x + 1, window_s=window, busy_s=10.0)  # always waits for company
    batcher(np.zeros((1, 2)))  # first call out of the way
    took = []
    for _ in range(5):
        start = time.perf_counter()
        np.testing.assert_array_equal(batcher(np.ones((1, 2))), 2 * np.ones((1, 2)))
        took.append(time.perf_counter() - start)
    assert window * 0.8 <= np.median(took) < window + 0.03, took
    assert batcher.calls == 6


def test_a_caller_alone_on_a_quiet_server_does_not_wait_at_all():
    batcher = DynamicBatcher(lambda x: x + 1, window_s=0.2, busy_s=0.05)
    took = []
    for _ in range(4):
        time.sleep(0.08)  # quieter than busy_s
        start = time.perf_counter()
        batcher(np.ones((1, 2)))
        took.append(time.perf_counter() - start)
    assert max(took) < 0.1, took


def test_more_callers_than_a_batch_go_in_several_calls_of_compiled_sizes():
    seen = []

    def model(x):
        seen.append(len(x))
        time.sleep(0.05)  # busy: everyone else queues meanwhile
        return x * 3.0

    batcher = DynamicBatcher(model, window_s=0.01, max_batch=4, busy_s=60.0)
    results = _in_threads(11, lambda i: batcher(np.full((1, 2), float(i))))
    for i, r in enumerate(results):
        np.testing.assert_array_equal(r, np.full((1, 2), 3.0 * i))
    assert max(seen) <= 4 and set(seen) <= set(batcher.sizes()), seen
    assert batcher.sizes() == [1, 2, 4]


def test_a_full_batch_does_not_wait_for_the_window():
    batcher = DynamicBatcher(lambda x: x, window_s=5.0, max_batch=4, busy_s=60.0)
    batcher(np.zeros((4, 1)))  # a full batch on its own: no wait either
    start = time.perf_counter()
    _in_threads(4, lambda i: batcher(np.full((1, 1), i)))
    assert time.perf_counter() - start < 2.0


def test_the_models_error_reaches_every_caller_of_the_batch():
    def broken(x):
        raise RuntimeError("model failed")

    batcher = DynamicBatcher(broken, window_s=0.05)
    outcomes = _in_threads(3, lambda i: _catch(lambda: batcher(np.zeros((1, 1)))))
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    np.testing.assert_array_equal(DynamicBatcher(lambda x: x, window_s=0.0)(np.ones((1, 1))), [[1.0]])


def _catch(fn):
    try:
        return fn()
    except BaseException as error:  # noqa: BLE001
        return error


@pytest.fixture(scope="module")
def tiny_models():
    import keras

    keras.utils.set_random_seed(0)

    def classifier(units):
        inputs = keras.Input((6, 4))
        x = keras.layers.Flatten()(inputs)
        x = keras.layers.Dense(units, activation="tanh")(x)
        return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))

    def recurrent():
        inputs = keras.Input((6, 4))
        return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(keras.layers.LSTM(8)(inputs)))

    return {"dense": classifier(16), "wide": classifier(32), "lstm": recurrent()}


def test_ensemble_across_threads_equals_each_model_alone(tiny_models):
    from models.probes import compiled

    ensemble = compiled.Ensemble(tiny_models, window_s=0.05).warm_up()
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(10, 6, 4)).astype(np.float32)
    results = _in_threads(10, lambda i: ensemble(inputs[i]))
    for i, answer in enumerate(results):
        assert list(answer) == ["dense", "wide", "lstm"]
        for key, model in tiny_models.items():
            alone = model.predict_on_batch(inputs[i][None])[0]
            np.testing.assert_allclose(answer[key], alone, atol=1e-6)
    (batcher,) = ensemble.batchers
    assert batcher.calls <= 5, f"{batcher.calls} model calls for 10 concurrent callers"
    with pytest.raises(ValueError):
        ensemble(np.zeros((4, 6), np.float32))
