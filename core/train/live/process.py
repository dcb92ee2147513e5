"""The training process of a live run: spawned, recognised, signalled.

It runs ``python -m core.train`` in the project folder, in a session of its own (a stop
reaches the whole group; closing the server's terminal does not end it) and at a lower CPU
priority (``nice``): the class's clicks come first. Its output goes to a log file. A server
restart recognises it by PID and start time (``/proc/<pid>/stat``); the server that spawned it
reaps it when it ends, so it never lingers as a zombie.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from core import runs

NICENESS = 10  # added to the server's: the scheduler then gives training the CPU the server leaves
TRAIN_MODULE = "core.train"


def command(argv: list[str]) -> list[str]:
    """The full command line of a training process with ``core.train`` arguments ``argv``."""
    nice = shutil.which("nice")
    prefix = [nice, "-n", str(NICENESS)] if nice else []
    return [*prefix, sys.executable, "-m", TRAIN_MODULE, *argv]


def spawn(argv: list[str], log: Path, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    """Start ``python -m core.train argv``; ``pass_fds`` stay open in it (the live lock)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            command(argv),
            cwd=runs.PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=pass_fds,
        )
    if not shutil.which("nice"):  # no nice(1): lower its priority from here, before TensorFlow starts threads
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, proc.pid, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS)
    reap(proc)
    return proc


def reap(proc: subprocess.Popen) -> threading.Thread:
    """Wait for ``proc`` in a background thread, so that it leaves no zombie when it ends."""
    thread = threading.Thread(target=proc.wait, name=f"live-run-{proc.pid}", daemon=True)
    thread.start()
    return thread


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def start_ticks(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (None where /proc cannot tell)."""
    fields = _stat(pid)
    try:
        return int(fields[19]) if fields else None  # field 22 of stat; the list starts at field 3
    except (IndexError, ValueError):
        return None


def alive(pid: int, ticks: int | None) -> bool:
    """Whether process ``pid`` runs and is the one that started at ``ticks`` (a zombie counts as ended)."""
    fields = _stat(pid)
    if fields is None:
        if Path("/proc/self/stat").exists():
            return False
        try:  # no /proc here: whether the PID exists is all that can be told
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[0] in ("Z", "X"):
        return False
    return ticks is None or start_ticks(pid) == ticks


def send(pid: int, sig: int = signal.SIGTERM) -> None:
    """Signal the process group that ``pid`` leads (the training process and anything it started)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)
