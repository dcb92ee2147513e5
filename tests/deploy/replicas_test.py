"""deploy/replicas.py: one replica's command and environment, the shared secret, the health wait."""

from __future__ import annotations

import socket

import pytest

from deploy import replicas
from deploy.replicas import SECRET_ENV, command, cookie_secret, environment, wait_healthy


def test_the_secret_comes_from_the_environment_or_is_new_each_start():
    assert cookie_secret({SECRET_ENV: " given "}) == "given"
    first, second = cookie_secret({}), cookie_secret({SECRET_ENV: ""})
    assert first != second and len(first) >= 40 and len(second) >= 40


def test_the_secret_travels_in_the_environment_never_on_the_command_line():
    argv = command(8600)
    env = environment("s3cret", base={"PATH": "/usr/bin"})
    assert env[SECRET_ENV] == "s3cret" and env["PATH"] == "/usr/bin"
    assert not any("s3cret" in a or "cookieSecret" in a for a in argv)


def test_command_runs_the_app_headless_on_a_local_port():
    argv = command(8600)
    assert argv[1:5] == ["-m", "streamlit", "run", str(replicas.APP)]
    options = dict(zip(argv[5::2], argv[6::2], strict=True))
    assert options["--server.port"] == "8600"
    assert options["--server.address"] == "127.0.0.1"
    assert options["--server.headless"] == "true"
    assert options["--server.fileWatcherType"] == "none"


def test_health_wait_reports_what_never_answered():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
        assert wait_healthy([url], lambda: None, timeout_s=1.0) == [url]


def test_health_wait_stops_when_a_process_has_exited():
    with pytest.raises(RuntimeError, match="r1 exited with code 3"):
        wait_healthy(["http://127.0.0.1:9"], lambda: "r1 exited with code 3", timeout_s=30.0)
