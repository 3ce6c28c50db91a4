"""Where datasets live, and how a missing one is fetched.

The explorer never ships datasets. It looks for each file in the data directory:

1. the directory named by the environment variable ``EXPLORER_DATA_DIR``;
2. otherwise a per-user cache (``$XDG_CACHE_HOME/cnn-rnn-lstm-explorer``, usually
   ``~/.cache/cnn-rnn-lstm-explorer``).

When the file is in neither place it is downloaded from the official source into the
user cache, with a progress bar, and written atomically. Without internet the caller
gets a :class:`DataUnavailable` error whose message names the variable and the file,
so the page can say it plainly while pretrained models keep working.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_VARIABLE = "EXPLORER_DATA_DIR"

# A progress callback receives (bytes done, bytes in total or None when unknown).
Progress = Callable[[int, "int | None"], None]


class DataUnavailable(RuntimeError):
    """A dataset file is neither on disk nor downloadable right now."""


@dataclass(frozen=True)
class DatasetFile:
    name: str  # file name inside the data directory
    title: str  # what a person calls it
    url: str  # official source
    build: Callable[[Path, Path, Progress | None], None] | None = None
    size: str = ""  # the download's size, as the download button says it ("11 MB")
    # When ``build`` is set, ``url`` is downloaded to a temporary folder and ``build``
    # turns it into ``name`` (for datasets whose official form is not ours).


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "cnn-rnn-lstm-explorer"


def data_dirs() -> list[Path]:
    """The directories searched, in order."""
    dirs = []
    if os.environ.get(DATA_DIR_VARIABLE):
        dirs.append(Path(os.environ[DATA_DIR_VARIABLE]).expanduser())
    dirs.append(user_cache_dir())
    return dirs


def find(name: str) -> Path | None:
    """The path of a dataset file if it is already on disk, else None (no download)."""
    for directory in data_dirs():
        path = directory / name
        if path.is_file():
            return path
    return None


def terminal_progress(label: str) -> Progress:
    """A text progress bar on stderr, for the CLI."""

    def show(done: int, total: int | None) -> None:
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            sys.stderr.write(f"\r{label} [{bar}] {done / 1e6:6.1f}/{total / 1e6:.1f} MB")
        else:
            sys.stderr.write(f"\r{label} {done / 1e6:6.1f} MB")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def download(url: str, target: Path, progress: Progress | None = None, timeout: float = 30) -> Path:
    """Download ``url`` to ``target`` atomically (a temporary file, then a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            done = 0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def offline_message(dataset: DatasetFile, reason: str = "") -> str:
    where = ", ".join(str(d) for d in data_dirs())
    status = f"is not on this machine and could not be downloaded ({reason})" if reason else "is not on this machine"
    return (
        f"The {dataset.title} file `{dataset.name}` {status}. Put `{dataset.name}` in a folder and set the "
        "environment variable "
        f"{DATA_DIR_VARIABLE} to that folder (looked in: {where}). "
        "Pretrained models keep working without it."
    )


REACH_CHECK_SECONDS = 60  # how long an answer to "can we reach it?" is trusted
_reach_answers: dict[tuple[str, int], tuple[float, bool]] = {}


def can_reach(url: str, timeout: float = 2.0) -> bool:
    """Whether this machine can open a connection to ``url``'s server (no request is sent),
    asked at most once a minute per server: pages ask it before offering a download, so an
    offline class hears it before the click, not after a long wait."""
    import socket
    import time
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    server = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    asked = _reach_answers.get(server)
    if asked and time.monotonic() - asked[0] < REACH_CHECK_SECONDS:
        return asked[1]
    try:
        with socket.create_connection(server, timeout=timeout):
            answer = True
    except OSError:  # no route, no DNS, refused, timed out
        answer = False
    _reach_answers[server] = (time.monotonic(), answer)
    return answer


def unreachable_message(dataset: DatasetFile) -> str:
    """The dataset is missing and its official source cannot be reached: what to do instead."""
    import urllib.parse

    host = urllib.parse.urlsplit(dataset.url).hostname or dataset.url
    return (offline_message(dataset) + f" This computer cannot reach {host} (offline?), so it cannot "
            "be downloaded from here.")


def ensure(dataset: DatasetFile, progress: Progress | None = None, allow_download: bool = True) -> Path:
    """The local path of ``dataset``, downloading it into the user cache if needed."""
    found = find(dataset.name)
    if found:
        return found
    if not allow_download:
        raise DataUnavailable(offline_message(dataset))
    target = user_cache_dir() / dataset.name
    try:
        if dataset.build is None:
            return download(dataset.url, target, progress)
        with tempfile.TemporaryDirectory(dir=_mkdir(target.parent)) as tmp:
            dataset.build(Path(tmp), target, progress)
            return target
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise DataUnavailable(offline_message(dataset, _short(error))) from error


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _short(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    return f"{type(error).__name__}: {reason}"[:200]
