"""Ctrl+C while the warm-up runs: the server exits with status 0 within 5 s, never aborts; scripts exit cleanly.

The server is started as a teacher starts it (``streamlit run``, warm-up on, the shipped models);
one session opens the Translate page, which starts the warm-up, and SIGINT follows at a different
moment each time, from the session's first run to well into the warm-up. A script that runs the app
under AppTest with the warm-up on must end with its own exit status, not hang or abort.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.browser.harness import MODEL_DIRS_ENV, ROOT, free_port, log_tail, start_streamlit, wait_until_up

pytestmark = pytest.mark.slow

DELAYS_S = (0.0, 0.3, 0.7, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 9.0)  # after the first run: 10 moments of the warm-up
EXIT_S = 5.0
SCRIPT_STATUS = 3  # the AppTest script's own exit status: it must survive the warm-up's stop
ABORTED = ("terminate called", "Fatal Python error", "Aborted", "core dumped")


def _open_session(url: str) -> float:
    """A session on the Translate page, as a browser opens one; seconds until its first run finished."""
    from bench.st_client import TranslateUser

    async def run() -> float:
        user = TranslateUser(url, {})
        try:
            click = await asyncio.wait_for(user.open(), timeout=300)
        finally:
            await user.close()
        return click.finished_s or 0.0

    return asyncio.run(run())


def _stop_during_warm_up(delay_s: float, log_path: Path) -> tuple[int | None, float, str]:
    """Start the server, open a session, SIGINT ``delay_s`` later; (exit status, seconds to exit, log)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {MODEL_DIRS_ENV: str(ROOT / "assets"), "ATTENTION_LAB_WARM_UP": "1"}
    with open(log_path, "w") as log:
        proc = start_streamlit(port, log, env)
        try:
            wait_until_up(url, proc, log_path, timeout=120)
            _open_session(url)  # its run starts the warm-up
            time.sleep(delay_s)
            sent = time.monotonic()
            proc.send_signal(signal.SIGINT)
            try:
                status = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                status = None
            return status, time.monotonic() - sent, log_tail(log_path, 2000)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_ctrl_c_during_the_warm_up_exits_cleanly_every_time(tmp_path):
    if not any((ROOT / "assets").glob("*/model.weights.h5")):
        pytest.skip("no shipped model under assets/")
    results = []
    for n, delay in enumerate(DELAYS_S):
        status, took, log = _stop_during_warm_up(delay, tmp_path / f"server-{n}.log")
        results.append((delay, status, round(took, 2)))
        assert status == 0, f"SIGINT {delay} s after the first run: status {status}\n{log}"
        assert took <= EXIT_S, f"SIGINT {delay} s after the first run: exited after {took:.1f} s\n{log}"
        assert not any(word in log for word in ABORTED), log
    print("delay s, status, exit s:", results)


_APPTEST_SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["ATTENTION_LAB_WARM_UP"] = "1"
    os.environ["{env}"] = "{assets}"
    from streamlit.testing.v1 import AppTest
    import ui.warm_up as warm

    at = AppTest.from_file("{app}", default_timeout=600).run()
    thread = warm._warm_up_thread()
    assert thread is not None and thread.is_alive(), "the warm-up should still be running"
    print("ran", len(at.exception))
    sys.exit({status})
    """
)


def test_a_script_running_the_app_under_apptest_exits_with_its_own_status_while_the_warm_up_runs():
    if not any((ROOT / "assets").glob("*/model.weights.h5")):
        pytest.skip("no shipped model under assets/")
    script = _APPTEST_SCRIPT.format(
        env=MODEL_DIRS_ENV, assets=ROOT / "assets", app=ROOT / "streamlit_app.py", status=SCRIPT_STATUS
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    output = (result.stdout + result.stderr)[-3000:]
    assert "ran 0" in result.stdout, output
    assert result.returncode == SCRIPT_STATUS, (
        f"status {result.returncode} after {time.monotonic() - started:.0f} s\n{output}"
    )
    assert not any(word in output for word in ABORTED), output
