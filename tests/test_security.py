"""Security: a model file cannot run code, user input is never unpickled or rendered as HTML,
uploads are limited. Static checks read the project's own source with ``ast`` (every file
that ships, not tests), so a new page or module is checked as soon as it exists."""

from __future__ import annotations

import ast

import numpy as np
import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

from models import store
from tests.conftest import ROOT

SHIPPED = sorted(p for folder in ("app.py", "pages", "models", "data", "benchmarks")
                 for p in ([ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py")))


def parsed():
    for path in SHIPPED:
        yield path.relative_to(ROOT), ast.parse(path.read_text(), str(path))


def calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def keyword(call: ast.Call, name: str):
    return next((k.value for k in call.keywords if k.arg == name), None)


def is_true(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def test_the_check_sees_the_pages_and_the_loader():
    names = {str(p) for p, _ in parsed()}
    assert {"app.py", "pages/draw.py", "pages/review.py", "models/store.py"} <= names


def test_models_load_only_in_safe_mode():
    loads = []
    for path, tree in parsed():
        for call, name in calls(tree):
            if name.endswith("load_model") and name.split(".")[0] in ("keras", "tf", "tensorflow"):
                loads.append(f"{path}:{call.lineno}")
                assert is_true(keyword(call, "safe_mode")), f"{path}:{call.lineno} {ast.unparse(call)}"
            assert "enable_unsafe_deserialization" not in name, f"{path}:{call.lineno}"
    assert any(where.startswith("models/store.py:") for where in loads)  # the check found the loader


PICKLING_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal"}


# The one module that reads pickles: CIFAR-10's official batches, through an unpickler that
# refuses every global but the NumPy array rebuilders (tests/test_cifar10.py feeds it an exploit).
RESTRICTED_UNPICKLER = "data/cifar10.py"


def test_the_only_unpickler_is_restricted():
    tree = next(t for p, t in parsed() if str(p) == RESTRICTED_UNPICKLER)
    unpicklers = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                  and any(ast.unparse(base) == "pickle.Unpickler" for base in node.bases)]
    assert len(unpicklers) == 1
    assert any(isinstance(item, ast.FunctionDef) and item.name == "find_class" for item in unpicklers[0].body)
    for call, name in calls(tree):  # no plain pickle.load / loads beside it
        assert name not in ("pickle.load", "pickle.loads"), f"{RESTRICTED_UNPICKLER}:{call.lineno}"


def test_nothing_is_unpickled():
    for path, tree in parsed():
        allowed = {"pickle"} if str(path) == RESTRICTED_UNPICKLER else set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & (PICKLING_MODULES - allowed), \
                    f"{path}:{node.lineno}"
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] not in PICKLING_MODULES, f"{path}:{node.lineno}"
        for call, name in calls(tree):
            where = f"{path}:{call.lineno} {ast.unparse(call)}"
            assert not name.endswith(("read_pickle", "torch.load")), where
            if name in ("np.load", "numpy.load"):  # np.load defaults to allow_pickle=False; say it anyway
                flag = keyword(call, "allow_pickle")
                assert isinstance(flag, ast.Constant) and flag.value is False, where
            assert not is_true(keyword(call, "allow_pickle")), where


def _module_strings(tree) -> set[str]:
    """Names bound at module level to a constant string (e.g. a page's CSS)."""
    return {t.id for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for t in node.targets if isinstance(t, ast.Name)}


def test_html_is_only_ever_our_own_constant_text():
    """``unsafe_allow_html=True`` and ``st.html`` render raw HTML: only a literal string or a
    module-level string constant may go there, never anything built from user input."""
    for path, tree in parsed():
        constants = _module_strings(tree)
        for call, name in calls(tree):
            if not (is_true(keyword(call, "unsafe_allow_html")) or name == "st.html"):
                continue
            for arg in [*call.args, keyword(call, "body")]:
                if arg is None:
                    continue
                constant = (isinstance(arg, ast.Constant) and isinstance(arg.value, str)) or (
                    isinstance(arg, ast.Name) and arg.id in constants)
                assert constant, f"{path}:{call.lineno} renders non-constant HTML: {ast.unparse(call)}"


def test_uploads_are_limited_in_the_server_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 1 <= config["server"]["maxUploadSize"] <= 10  # MB
    # The file uploader takes pictures only.
    for path, tree in parsed():
        for call, name in calls(tree):
            if name == "st.file_uploader":
                kinds = keyword(call, "type")
                assert kinds is not None, f"{path}:{call.lineno}: an uploader must name the file types it accepts"
                assert set(ast.literal_eval(kinds)) <= {"png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"}


def test_a_model_file_with_code_in_it_is_refused(tmp_path):
    """A ``.keras`` file can carry a Lambda layer, i.e. Python bytecode. ``store.load_model``
    refuses it (safe mode), and the code never runs."""
    import keras

    marker = tmp_path / "ran"
    code = f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]"
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Lambda(eval(code))(inputs))
    path = tmp_path / "evil.keras"
    model.save(path)
    marker.unlink(missing_ok=True)  # building and saving ran the lambda once
    with pytest.raises(store.ModelUnavailable, match="evil.keras cannot be loaded.*(unsafe|Lambda)"):
        store.load_model(path)
    assert not marker.exists()
    # The file itself is a valid model: only safe mode stands in the way.
    unsafe = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(np.asarray(unsafe(np.ones((1, 3), np.float32))), 1.0)
