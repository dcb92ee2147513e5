"""deploy/haproxy_config.py: the balancer's configuration, checked by reading it and by HAProxy itself."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy import haproxy_config
from deploy.haproxy_config import COMPOSE_CONFIG, by_dns, compose_config, on_this_machine, render

HAPROXY = shutil.which("haproxy")


def _lines(text: str) -> list[str]:
    """The configuration's statements: comments and blank lines dropped, spaces collapsed."""
    return [" ".join(line.split("#", 1)[0].split()) for line in text.splitlines() if line.split("#", 1)[0].strip()]


def test_local_rendering_has_affinity_websockets_health_checks_and_redispatch():
    lines = _lines(render("127.0.0.1:8501", on_this_machine([8511, 8512])))
    assert "bind 127.0.0.1:8501" in lines
    assert "cookie attention-lab-replica insert indirect nocache httponly" in lines
    assert "option httpchk GET /_stcore/health" in lines
    assert "http-check expect status 200" in lines
    assert "option redispatch" in lines
    tunnel = next(line for line in lines if line.startswith("timeout tunnel"))
    assert re.fullmatch(r"timeout tunnel (\d+)h", tunnel) and int(tunnel.split()[-1][:-1]) >= 1  # a lesson at least
    assert "http-response set-header X-Attention-Lab-Replica %s" in lines
    assert "server r1 127.0.0.1:8511 cookie r1" in lines
    assert "server r2 127.0.0.1:8512 cookie r2" in lines
    assert "default-server check inter 2s fall 2 rise 2" in lines  # every server is health-checked


def test_every_placeholder_is_filled():
    for text in (render("*:1", on_this_machine([2])), compose_config()):
        assert "${" not in text and "$" not in text.replace("%s", "")


def test_compose_rendering_finds_replicas_through_dns_with_dynamic_cookies():
    lines = _lines(compose_config())
    assert "bind *:8501" in lines
    assert "cookie attention-lab-replica insert indirect nocache httponly dynamic" in lines
    assert any(line.startswith("server-template app 16 app:8501 resolvers containers") for line in lines)
    assert "nameserver dns 127.0.0.11:53" in lines  # Docker's embedded DNS


def test_the_committed_compose_configuration_is_the_rendering():
    assert COMPOSE_CONFIG.read_text(encoding="utf-8") == compose_config(), (
        "deploy/haproxy-compose.cfg is stale: python -m deploy.haproxy_config --compose > deploy/haproxy-compose.cfg"
    )


def test_replica_names_are_the_cookie_values():
    assert [haproxy_config.replica_name(i) for i in (1, 2, 10)] == ["r1", "r2", "r10"]
    assert by_dns("web", 80, 4).cookie_mode == " dynamic"


@pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (apt-get install haproxy)")
@pytest.mark.parametrize("which", ["local", "compose"])
def test_haproxy_accepts_the_configuration(tmp_path: Path, which: str):
    text = render("127.0.0.1:8501", on_this_machine([8511, 8512, 8513])) if which == "local" else compose_config()
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    check = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (apt-get install haproxy)")
def test_haproxy_refuses_a_broken_configuration(tmp_path: Path):
    """The check above can fail: a misspelt keyword is refused."""
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        render("127.0.0.1:8501", on_this_machine([8511])).replace("option redispatch", "option redispach")
    )
    check = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, timeout=60)
    assert check.returncode != 0
