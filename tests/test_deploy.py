"""Replicas behind nginx (deploy/): one template makes both the launcher's and compose's nginx
config; the config is one nginx accepts; the class board takes a database URL; the join box
shows the proxy's address, not a replica's."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from data import class_board, classroom
from deploy import replicas
from tests.conftest import ROOT


def nginx_or_skip():
    """nginx is installed by .ci/run: in CI its absence fails instead of skipping."""
    if replicas.nginx_available():
        return
    message = f"nginx not found at {replicas.NGINX} (Debian: apt-get install nginx)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " and CI=true")
    pytest.skip(message)


def test_the_launcher_config_names_every_replica_once_and_keeps_sessions_sticky():
    config = replicas.render(["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"], "0.0.0.0:8501")
    upstream = re.search(r"upstream explorer \{(.*?)\}", config, re.S).group(1)
    assert re.findall(r"server (\S+);", upstream) == ["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"]
    assert "hash $explorer_replica consistent;" in upstream
    assert "listen 0.0.0.0:8501;" in config
    assert "{{" not in config and "}}" not in config
    # Websocket upgrade and long reads for /_stcore/stream.
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    assert "proxy_set_header Connection $connection_upgrade;" in config
    assert re.search(r"proxy_read_timeout (\d+)h;", config)
    with pytest.raises(ValueError):
        replicas.render([], "8501")


def test_compose_uses_the_config_made_from_the_same_template():
    committed = (ROOT / "deploy" / "nginx.compose.conf").read_text()
    assert committed == replicas.compose_config(), "run python -m deploy --write-compose-config"
    # Apart from the upstreams, the listen address and the access log, both configs are the same.
    def shape(config):
        return [line for line in config.splitlines()
                if not re.match(r"\s*(server \S+;|listen |access_log )", line)]

    assert shape(committed) == shape(replicas.render(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:3"))
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "./nginx.compose.conf:/etc/nginx/explorer.conf" in compose
    host, port = replicas.COMPOSE_UPSTREAM.split(":")
    assert re.search(rf"^  {host}:$", compose, re.M)  # the service nginx sends to
    assert f'"--server.port", "{port}"' in (ROOT / "deploy" / "Dockerfile").read_text()
    assert f'"{replicas.COMPOSE_LISTEN}"' in compose or f":{replicas.COMPOSE_LISTEN}\"" in compose
    # Every replica opens the same board on the shared volume, and accepts the same token.
    assert "EXPLORER_CLASS_DB: sqlite:////board/class_board.sqlite3" in compose
    assert "- board:/board" in compose
    assert "EXPLORER_TEACHER_TOKEN: ${EXPLORER_TEACHER_TOKEN:?" in compose


@pytest.mark.parametrize("which", ["launcher", "compose"])
def test_nginx_accepts_the_config(tmp_path, which):
    nginx_or_skip()
    if which == "launcher":
        config = replicas.render(["127.0.0.1:9001", "127.0.0.1:9002"], "127.0.0.1:9000")
    else:  # compose's upstream name does not resolve here: test the same text with an address
        config = replicas.compose_config().replace(replicas.COMPOSE_UPSTREAM, "127.0.0.1:8501")
    (tmp_path / "nginx.conf").write_text(config)
    result = subprocess.run([replicas.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_launcher_refuses_zero_replicas_and_says_how_it_is_used(capsys, monkeypatch):
    with pytest.raises(SystemExit) as stopped:
        replicas.main(["--replicas", "0"])
    assert stopped.value.code == 2
    assert "--replicas must be at least 1" in capsys.readouterr().err
    monkeypatch.setenv(replicas.REPLICAS_VARIABLE, "four")
    with pytest.raises(SystemExit) as stopped:  # a message, never a traceback
        replicas.main([])
    assert stopped.value.code == 2
    assert "EXPLORER_REPLICAS must be a whole number" in capsys.readouterr().err


# -- The class board's database URL ---------------------------------------------------------------

def test_the_board_takes_a_sqlite_url_relative_or_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert class_board.sqlite_path("sqlite:///lesson.sqlite3") == Path("lesson.sqlite3")
    assert class_board.sqlite_path(f"sqlite:///{tmp_path}/a.sqlite3") == tmp_path / "a.sqlite3"
    assert class_board.sqlite_path("plain/file.sqlite3") == Path("plain/file.sqlite3")
    board = class_board.ClassBoard("sqlite:///lesson.sqlite3")
    board.start_board("Week 1")
    assert (tmp_path / "lesson.sqlite3").is_file()
    # The same database through its absolute URL, as the replicas are given it.
    monkeypatch.setenv(class_board.DB_VARIABLE, "sqlite:///lesson.sqlite3")
    url = class_board.database_url()
    assert url == f"sqlite:///{tmp_path / 'lesson.sqlite3'}" and url.startswith("sqlite:////")
    monkeypatch.chdir("/")
    assert class_board.ClassBoard(url).active_board().lesson == "Week 1"


@pytest.mark.parametrize("url", ["postgresql://teacher:s3cret@db.school/board", "mysql://db/board",
                                 "sqlite://", "sqlite:///"])
def test_other_databases_are_refused_clearly_without_echoing_the_url(url, monkeypatch):
    with pytest.raises(class_board.BoardUnavailable) as refused:
        class_board.ClassBoard(url)
    assert "s3cret" not in str(refused.value) and class_board.DB_VARIABLE in str(refused.value)
    monkeypatch.setenv(class_board.DB_VARIABLE, url)
    with pytest.raises(class_board.BoardUnavailable):
        class_board.database_url()


def test_every_replica_gets_one_token_one_absolute_board_and_the_proxys_port(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {class_board.DB_VARIABLE: "board.sqlite3", "OTHER": "kept"}
    child = replicas.replica_environment(env, 8080)
    assert child[class_board.DB_VARIABLE] == f"sqlite:///{tmp_path / 'board.sqlite3'}"
    assert child[classroom.PUBLIC_PORT_VARIABLE] == "8080" and child["OTHER"] == "kept"
    made = child[classroom.TOKEN_VARIABLE]
    assert len(made) >= 24 and made != replicas.replica_environment(env, 8080)[classroom.TOKEN_VARIABLE]
    chosen = replicas.replica_environment({**env, classroom.TOKEN_VARIABLE: " teacher-token "}, 8080)
    assert chosen[classroom.TOKEN_VARIABLE] == "teacher-token"
    assert env == {class_board.DB_VARIABLE: "board.sqlite3", "OTHER": "kept"}  # the caller's is untouched
    assert (replicas.replica_environment({}, 1)[class_board.DB_VARIABLE]
            == f"sqlite:///{class_board.user_data_dir() / class_board.FILE_NAME}")


# -- Where students join ---------------------------------------------------------------------------

def test_behind_a_proxy_students_join_on_the_proxys_port_or_address(monkeypatch):
    monkeypatch.delenv(classroom.PUBLIC_PORT_VARIABLE, raising=False)
    monkeypatch.delenv(classroom.PUBLIC_URL_VARIABLE, raising=False)
    assert classroom.public_port() is None and classroom.public_url() is None
    monkeypatch.setenv(classroom.PUBLIC_PORT_VARIABLE, "8080")
    assert classroom.public_port() == 8080
    for bad in ("0", "70000", "80a", "-1"):
        monkeypatch.setenv(classroom.PUBLIC_PORT_VARIABLE, bad)
        assert classroom.public_port() is None
    monkeypatch.setenv(classroom.PUBLIC_URL_VARIABLE, "http://explorer.school.example:8080/")
    assert classroom.public_url() == "http://explorer.school.example:8080/"
    for bad in ("javascript:alert(1)", "ftp://x/", "http://user:pw@host/", "http://host:99999/", "http://",
                "http://a b/"):
        monkeypatch.setenv(classroom.PUBLIC_URL_VARIABLE, bad)
        assert classroom.public_url() is None, bad


def test_the_join_box_shows_the_configured_address(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(class_board.DB_VARIABLE, str(tmp_path / "board.sqlite3"))
    monkeypatch.setenv(classroom.TOKEN_VARIABLE, "deploy-test-token")
    monkeypatch.setenv(classroom.PUBLIC_URL_VARIABLE, "http://explorer.school.example:8080/")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["teacher"] = "deploy-test-token"
    at.run()
    at.switch_page("pages/board.py").run()
    assert not at.exception
    headings = [m.value for m in at.markdown if m.value.startswith("## ")]
    assert any("explorer\\.school\\.example\\:8080" in h for h in headings), headings
    assert not any("only listens to this laptop" in e.value for e in at.error)


def test_behind_the_launcher_the_join_box_shows_the_proxys_port(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(class_board.DB_VARIABLE, str(tmp_path / "board.sqlite3"))
    monkeypatch.setenv(classroom.TOKEN_VARIABLE, "deploy-test-token")
    monkeypatch.delenv(classroom.PUBLIC_URL_VARIABLE, raising=False)
    monkeypatch.setenv(classroom.PUBLIC_PORT_VARIABLE, "8080")
    monkeypatch.setattr(classroom, "lan_addresses", lambda: ["192.168.1.20"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["teacher"] = "deploy-test-token"
    at.run()
    at.switch_page("pages/board.py").run()
    assert not at.exception
    assert "## http://192.168.1.20:8080/" in [m.value for m in at.markdown]


def test_the_command_serves_through_nginx_and_stops_everything_it_started(tmp_path):
    """python -m deploy, as a teacher starts it: ready, serving, and nothing left behind on stop."""
    import signal
    import sys
    import time
    import urllib.request

    nginx_or_skip()
    port = replicas.free_port()
    env = dict(os.environ, **{class_board.DB_VARIABLE: str(tmp_path / "board.sqlite3"),
                              classroom.TOKEN_VARIABLE: "command-test-token"})
    command = subprocess.Popen([sys.executable, "-m", "deploy", "--replicas", "1", "--port", str(port),
                                "--address", "127.0.0.1"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    printed = []
    try:
        deadline = time.monotonic() + 120
        while not any(line.startswith("Ready") for line in printed):
            assert time.monotonic() < deadline and command.poll() is None, printed
            printed.append(command.stdout.readline())
        printed.append(command.stdout.readline())  # the teacher link
        assert f"open http://localhost:{port}/?teacher=command-test-token" in printed[-1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
            assert response.headers[replicas.REPLICA_HEADER] == f"127.0.0.1:{port + 1}"
    finally:
        command.send_signal(signal.SIGTERM)
        assert command.wait(30) == 0
    for gone in (port, port + 1):  # nginx and the replica both stopped
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{gone}/_stcore/health", timeout=3)
