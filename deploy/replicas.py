"""Start N replicas of the explorer behind nginx, on one machine.

    python -m deploy --replicas 2 [--port 8501] [--address 0.0.0.0]     # or EXPLORER_REPLICAS=2
    python -m deploy --write-compose-config    # remake deploy/nginx.compose.conf from the template

Each replica is a plain ``streamlit run app.py`` on a loopback port; nginx listens on ``--port``
and keeps each browser on one replica (a cookie hashed to a replica). What the replicas must
share, they get from here:

* the teacher token (``EXPLORER_TEACHER_TOKEN``; one is made and printed when unset: a token
  made by each replica would unlock only that replica),
* the class board (``EXPLORER_CLASS_DB``, one SQLite file in WAL mode on this machine),
* the address students join (``EXPLORER_PUBLIC_PORT``: nginx's port, not the replica's).

Each replica trains at most ``EXPLORER_MAX_TRAINING_RUNS`` runs at once, so N replicas may train
N runs at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from data import class_board, classroom

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx.conf.template"
COMPOSE_CONFIG = HERE / "nginx.compose.conf"
NGINX = os.environ.get("EXPLORER_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
REPLICAS_VARIABLE = "EXPLORER_REPLICAS"
REPLICA_HEADER = "X-Explorer-Replica"  # the template adds it: which replica answered
COOKIE = "explorer_replica"
# compose.yaml: the app service, scaled to N containers, each serving on this port; nginx on 8080.
COMPOSE_UPSTREAM, COMPOSE_LISTEN = "app:8501", "8080"


def render(servers: list[str], listen: str, access_log: str = "access.log") -> str:
    """The nginx config for these upstream ``host:port`` servers, listening on ``listen``."""
    if not servers:
        raise ValueError("at least one replica")
    text = TEMPLATE.read_text()
    for name, value in {"servers": "\n".join(f"        server {s};" for s in servers),
                        "listen": listen, "access_log": access_log}.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError("the nginx template has a placeholder this script does not fill")
    return text


def compose_config() -> str:
    """The config deploy/compose.yaml mounts: one upstream name that resolves to every replica."""
    return render([COMPOSE_UPSTREAM], COMPOSE_LISTEN, access_log="/dev/stdout")


def nginx_available() -> bool:
    return Path(NGINX).is_file() and os.access(NGINX, os.X_OK)


def free_port(address: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def replica_environment(env, port: int) -> dict:
    """What every replica is started with: ``env`` plus one teacher token (kept when set, else
    made here, once for all of them), the class board as one absolute database URL (so every
    replica opens the same one whatever its working folder) and the port students join on."""
    child = dict(env)
    child[classroom.TOKEN_VARIABLE] = (child.get(classroom.TOKEN_VARIABLE, "").strip()
                                       or secrets.token_urlsafe(classroom.TOKEN_BYTES))
    child[class_board.DB_VARIABLE] = class_board.database_url(child)
    child[classroom.PUBLIC_PORT_VARIABLE] = str(port)
    return child


@dataclass
class Cluster:
    """What :func:`running` started: nginx's URL, the replicas' own URLs and the processes."""

    url: str
    replica_urls: list[str]
    runtime: Path  # nginx's prefix: nginx.conf, access.log, error.log, replica-N.log
    token: str
    database_url: str  # the class board every replica opens
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def access_log(self) -> Path:
        return self.runtime / "access.log"


def _wait_healthy(url: str, processes: list[subprocess.Popen], deadline: float, what: str, log: Path) -> None:
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        dead = [p for p in processes if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start; see {log}")
        time.sleep(0.3)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running(replicas: int = 2, port: int | None = None, address: str = "127.0.0.1", *,
            replica_ports: list[int] | None = None, runtime: Path | None = None, env: dict | None = None,
            timeout: float = 180):
    """N replicas and nginx in front of them; yields a :class:`Cluster` once nginx answers
    for every replica. Everything started is stopped on exit."""
    if replicas < 1:
        raise ValueError("at least one replica")
    if not nginx_available():
        raise RuntimeError(f"nginx not found at {NGINX}: install it (Debian: apt-get install nginx) "
                           "or set EXPLORER_NGINX")
    port = port or free_port()
    replica_ports = replica_ports or [free_port() for _ in range(replicas)]
    if len(replica_ports) != replicas:
        raise ValueError("one port per replica")
    owned = runtime is None
    runtime = Path(tempfile.mkdtemp(prefix="explorer-nginx-")) if owned else Path(runtime)
    runtime.mkdir(parents=True, exist_ok=True)

    child_env = replica_environment(os.environ if env is None else env, port)
    token = child_env[classroom.TOKEN_VARIABLE]

    processes: list[subprocess.Popen] = []
    logs = []
    try:
        for n, replica_port in enumerate(replica_ports, 1):
            log = open(runtime / f"replica-{n}.log", "w")
            logs.append(log)
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(replica_port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT))
        listen = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        (runtime / "nginx.conf").write_text(render([f"127.0.0.1:{p}" for p in replica_ports], listen))
        nginx_log = runtime / "error.log"
        check = subprocess.run([NGINX, "-t", "-q", "-p", str(runtime), "-c", str(runtime / "nginx.conf"),
                                "-e", str(nginx_log)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the config: {check.stderr.strip()}")
        processes.append(subprocess.Popen(
            [NGINX, "-p", str(runtime), "-c", str(runtime / "nginx.conf"), "-e", str(nginx_log),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + timeout
        replica_urls = [f"http://127.0.0.1:{p}" for p in replica_ports]
        for n, replica_url in enumerate(replica_urls, 1):
            _wait_healthy(replica_url, processes, deadline, f"replica {n}", runtime / f"replica-{n}.log")
        url = f"http://127.0.0.1:{port}" if address in ("0.0.0.0", "::", "127.0.0.1") else f"http://{address}:{port}"
        _wait_healthy(url, processes, deadline, "nginx", nginx_log)
        yield Cluster(url, replica_urls, runtime, token, child_env[class_board.DB_VARIABLE], processes)
    finally:
        _stop(processes)
        for log in logs:
            log.close()
        if owned and os.environ.get("EXPLORER_KEEP_NGINX_DIR") != "1":
            shutil.rmtree(runtime, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=None,
                        help=f"Streamlit processes behind nginx (default: ${REPLICAS_VARIABLE}, else 2)")
    parser.add_argument("--port", type=int, default=8501, help="the port students open (nginx's)")
    parser.add_argument("--address", default="0.0.0.0",
                        help="where nginx listens: 0.0.0.0 lets the room in (127.0.0.1: this computer only)")
    parser.add_argument("--write-compose-config", action="store_true",
                        help=f"write {COMPOSE_CONFIG.relative_to(ROOT)} from the template and exit")
    args = parser.parse_args(argv)
    if args.write_compose_config:
        COMPOSE_CONFIG.write_text(compose_config())
        print(f"wrote {COMPOSE_CONFIG.relative_to(ROOT)}")
        return
    if args.replicas is None:
        configured = os.environ.get(REPLICAS_VARIABLE, "").strip() or "2"
        if not configured.isdigit():
            parser.error(f"{REPLICAS_VARIABLE} must be a whole number, not {configured!r}")
        args.replicas = int(configured)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if not nginx_available():
        parser.exit(1, f"nginx not found at {NGINX}: install it (Debian: apt-get install nginx), "
                       "or set EXPLORER_NGINX to its path.\n")
    # The replicas take the next ports after nginx's: 8502, 8503, ... by default.
    ports = [args.port + n for n in range(1, args.replicas + 1)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a clean stop on `kill`, as on Ctrl-C
    print(f"Starting {args.replicas} replicas (ports {', '.join(map(str, ports))}) behind nginx on port "
          f"{args.port}…", flush=True)
    try:
        with running(args.replicas, args.port, args.address, replica_ports=ports,
                     runtime=Path(tempfile.mkdtemp(prefix="explorer-nginx-"))) as cluster:
            if args.address in ("0.0.0.0", "::"):  # every interface: the address the room uses
                host = next(iter(classroom.lan_addresses()), "localhost")
            else:
                host = "localhost" if args.address in ("127.0.0.1", "::1") else args.address
            print(f"Ready: students open http://{host}:{args.port}/", flush=True)
            print(f"Teacher token: {cluster.token}; open http://{host}:{args.port}/?teacher={cluster.token}",
                  flush=True)
            print(f"Logs: {cluster.runtime} (replica-N.log, access.log, error.log). Ctrl-C stops everything.",
                  flush=True)
            while all(p.poll() is None for p in cluster.processes):
                time.sleep(1)
            print("A process stopped; stopping the others. See the logs above.", file=sys.stderr)
            sys.exit(1)
    except RuntimeError as error:
        parser.exit(1, f"{error}\n")
    except KeyboardInterrupt:
        pass
