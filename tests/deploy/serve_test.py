"""deploy/serve.py: arguments checked first, and the real HAProxy in front of stand-in replicas.

The stand-ins (``stand_in_replica.py``) answer in a blink, so these tests run in the fast tier;
``balancer_test.py`` does the same with the app itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from bench.st_session import StreamlitSession
from deploy import replicas, serve
from deploy.haproxy_config import COOKIE
from tests.deploy.served import exit_line, running, served

HAPROXY = shutil.which("haproxy")
STAND_IN = [sys.executable, str(Path(__file__).with_name("stand_in_replica.py"))]
needs_haproxy = pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (apt-get install haproxy)")


@pytest.fixture()
def nothing_starts(monkeypatch):
    """Fail the test if a replica is started."""

    def refuse(*args, **kwargs):
        raise AssertionError("a replica was started before the arguments were checked")

    monkeypatch.setattr(replicas, "start", refuse)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--replicas", "0"], "--replicas must be 1 to 32, got 0"),
        (["--replicas", "33"], "--replicas must be 1 to 32, got 33"),
        (["--port", "70000"], "--port must be 1 to 65535, got 70000"),
        (["--replicas", "2", "--replica-ports", "9101"], "--replica-ports names 1 ports for 2 replicas"),
        (["--replica-ports", "9101,x"], "--replica-ports must be comma-separated numbers"),
        (["--port", "9100", "--replica-ports", "9100,9101"], "replica ports must be distinct"),
        (["--replica-ports", "9101,9101"], "replica ports must be distinct"),
        (["--timeout", "0"], "--timeout must be positive"),
        (["--haproxy", "/nonexistent/haproxy"], "haproxy is not installed"),
    ],
)
def test_bad_arguments_stop_before_anything_starts(nothing_starts, capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        serve.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_haproxy_says_how_to_install_it(nothing_starts, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SystemExit):
        serve.main(["--replicas", "1"])
    assert "apt-get install haproxy" in capsys.readouterr().err


def test_a_port_in_use_is_named(nothing_starts, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        with pytest.raises(SystemExit):
            serve.main(
                ["--address", "127.0.0.1", "--port", str(busy), "--haproxy", shutil.which("true") or "/bin/true"]
            )
    assert f"port(s) already in use: 127.0.0.1:{busy}" in capsys.readouterr().err


def _secret_of(pid: int) -> str:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(e.decode().split("=", 1) for e in environ if b"=" in e).get(replicas.SECRET_ENV, "")


def _port_refuses(url: str) -> bool:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        return True
    return False


@needs_haproxy
@pytest.mark.parametrize(("sig", "secret"), [(signal.SIGINT, None), (signal.SIGTERM, "one-secret-for-all")])
def test_affinity_spread_shared_secret_and_a_clean_stop(tmp_path: Path, sig: int, secret: str | None):
    env = {replicas.SECRET_ENV: secret} if secret else {replicas.SECRET_ENV: ""}
    with served(2, tmp_path, env, replica_program=STAND_IN, timeout_s=60) as run:
        assert set(run.replicas) == {"r1", "r2"} and run.haproxy_pid
        port_of = {name: url.rsplit(":", 1)[1] for name, (url, _) in run.replicas.items()}
        secrets = {_secret_of(pid) for _, pid in run.replicas.values()}
        assert len(secrets) == 1 and len(secrets.pop()) >= (len(secret) if secret else 40)
        if secret:
            assert _secret_of(run.replicas["r1"][1]) == secret

        answered = set()
        for _ in range(4):  # new browsers, no cookie yet: the balancer picks, and says whom in a cookie
            tab = StreamlitSession(run.url)
            answer = tab.http("GET", "/")
            assert answer.status == 200 and answer.body.decode() == f"port={port_of[answer.replica]}"
            assert tab.cookies[COOKIE] == answer.replica
            answered.add(answer.replica)
        assert answered == {"r1", "r2"}

        for name in ("r1", "r2"):  # a browser with a cookie stays on its replica
            tab = StreamlitSession(run.url)
            tab.cookies[COOKIE] = name
            bodies = {tab.http("GET", "/").body.decode() for _ in range(5)}
            assert bodies == {f"port={port_of[name]}"} and tab.replicas == [name] * 5
            assert tab.cookies == {COOKIE: name}  # "indirect": no new cookie while the replica is up

        pids, urls = run.pids(), [run.url, *(u for u, _ in run.replicas.values())]
        assert run.stop(sig, grace_s=30) == 0
        assert not [p for p in pids if running(p)], "a process outlived deploy.serve"
        assert all(_port_refuses(u) for u in urls)
    assert "stopped (exit 0)" in run.lines


@needs_haproxy
def test_a_dead_replica_is_reported_and_its_users_go_to_another(tmp_path: Path):
    with served(2, tmp_path, replica_program=STAND_IN, timeout_s=60) as run:
        r1_pid, (r2_url, r2_pid) = run.replicas["r1"][1], run.replicas["r2"]
        os.kill(r1_pid, signal.SIGKILL)
        assert run.read(15, until=exit_line("r1")), "\n".join(run.lines)
        tab = StreamlitSession(run.url)
        tab.cookies[COOKIE] = "r1"
        answer = tab.http("GET", "/")  # redispatched: r1 refuses connections
        assert answer.status == 200 and answer.body.decode() == f"port={r2_url.rsplit(':', 1)[1]}"
        assert answer.replica == "r2" and tab.cookies[COOKIE] == "r2"
        assert run.proc.poll() is None, "one replica left: deploy.serve goes on"
        os.kill(r2_pid, signal.SIGKILL)
        run.proc.wait(timeout=15)
        assert run.proc.returncode == 1
        assert not running(run.haproxy_pid)


@needs_haproxy
def test_killing_serve_itself_takes_its_children_along(tmp_path: Path):
    """Even SIGKILL, which deploy.serve cannot catch: the kernel sends its children SIGTERM (PR_SET_PDEATHSIG)."""
    with served(2, tmp_path, replica_program=STAND_IN, timeout_s=60) as run:
        pids = run.pids()
        assert len(pids) == 3 and all(running(p) for p in pids)
        run.proc.kill()
        run.proc.wait(timeout=15)
        deadline = time.monotonic() + 15
        while any(running(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in pids if running(p)], "a child outlived a killed deploy.serve"
