"""One Streamlit replica of the app: its command, its environment (the shared cookie secret), its health.

Every replica runs ``streamlit run streamlit_app.py`` on its own local port, with the same
``server.cookieSecret``: Streamlit signs its login cookies with it, and its deployment guide asks
every replica behind a balancer to share it. The secret is given through the environment
(``STREAMLIT_SERVER_COOKIE_SECRET``, which Streamlit reads as that option), never on the command
line, where any user of the machine could read it in the process list.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
HEALTH_PATH = "/_stcore/health"


def cookie_secret(environ: Mapping[str, str] | None = None) -> str:
    """The secret every replica shares: ``STREAMLIT_SERVER_COOKIE_SECRET`` if set, else a new random one."""
    given = (os.environ if environ is None else environ).get(SECRET_ENV, "").strip()
    return given or secrets.token_urlsafe(32)


def command(port: int, address: str = "127.0.0.1") -> list[str]:
    """``streamlit run streamlit_app.py`` headless on ``address:port``, no file watcher (a server, not an editor)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true", "--server.address", address, "--server.port", str(port),
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def environment(secret: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The replica's environment: ``base`` (this process's by default) with the shared secret."""
    env = dict(os.environ if base is None else base)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env[SECRET_ENV] = secret
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the process that started it dies, even by SIGKILL."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def preexec() -> Callable[[], None] | None:
    """What a child runs before its program: ``_die_with_parent`` on Linux, nothing elsewhere."""
    return _die_with_parent if sys.platform.startswith("linux") else None


def start(port: int, secret: str, log: IO, env: Mapping[str, str] | None = None) -> subprocess.Popen:
    """Start one replica on ``127.0.0.1:port``; its output goes to ``log``."""
    return subprocess.Popen(
        command(port),
        cwd=ROOT,
        env=environment(secret, env),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=preexec(),  # safe: deploy.serve starts no thread
    )


def healthy(url: str, timeout_s: float = 2.0) -> bool:
    """True when ``url`` + ``/_stcore/health`` answers 200."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + HEALTH_PATH, timeout=timeout_s) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(urls: list[str], alive: Callable[[], str | None], timeout_s: float) -> list[str]:
    """Poll every URL until all answer 200; the URLs still unhealthy when ``timeout_s`` ran out.

    ``alive()`` is asked on each round: a message (a process exited) stops the wait with
    RuntimeError carrying it.
    """
    pending = list(urls)
    deadline = time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline:
        if problem := alive():
            raise RuntimeError(problem)
        pending = [u for u in pending if not healthy(u)]
        if pending:
            time.sleep(0.5)
    return pending
