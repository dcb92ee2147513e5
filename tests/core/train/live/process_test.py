"""The training process: its command, recognised by PID and start time, a zombie counted as ended, a group stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from core.train.live import process
from tests.live_runs import wait_until

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")


def test_command_runs_core_train_at_a_lower_priority():
    cmd = process.command(["--out", "x"])
    assert cmd[-4:] == ["-m", "core.train", "--out", "x"] and sys.executable in cmd
    if cmd[0] != sys.executable:
        assert os.path.basename(cmd[0]) == "nice" and cmd[1:3] == ["-n", str(process.NICENESS)]


def test_alive_matches_pid_and_start_time():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    try:
        ticks = process.start_ticks(proc.pid)
        assert ticks is not None
        assert process.alive(proc.pid, ticks) and process.alive(proc.pid, None)
        assert not process.alive(proc.pid, ticks + 1)  # the PID given to another process later
        process.send(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        assert not process.alive(proc.pid, ticks)
    finally:
        proc.kill()
        proc.wait()


def test_a_zombie_counts_as_ended_and_reap_collects_it():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    ticks = process.start_ticks(proc.pid)
    wait_until(lambda: not process.alive(proc.pid, ticks), 20, "the child to end (a zombie until reaped)")
    process.reap(proc).join(timeout=10)
    assert proc.returncode == 0


def test_spawn_writes_the_log(tmp_path):
    log = tmp_path / "logs" / "run.log"
    proc = process.spawn(["--help"], log)
    proc.wait(timeout=120)
    assert "--resume" in log.read_text(encoding="utf-8")  # core.train's own help
    assert proc.returncode == 0


def test_spawned_process_runs_niced_in_its_own_session(tmp_path, monkeypatch):
    monkeypatch.setattr(process, "TRAIN_MODULE", "timeit")  # a module that waits as long as asked
    proc = process.spawn(["-n", "1", "-r", "1", "import time; time.sleep(20)"], tmp_path / "run.log")
    try:
        fields = wait_until(lambda: (f := process._stat(proc.pid)) and "timeit" in _cmdline(proc.pid) and f, 30, "exec")
        assert int(fields[16]) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + process.NICENESS)  # field 19: nice
        assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)  # its own group: a stop reaches it alone
    finally:
        process.send(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""
