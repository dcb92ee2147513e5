"""``python -m deploy.serve`` as a test runs it: started on free local ports, read, and always stopped.

``served(...)`` starts the command (or, with ``replica_program``, the same ``main`` with another
program as the replica: a stand-in that answers ``/_stcore/health`` in a blink), waits for its
"serving" line and yields what it printed: the balancer's URL, each replica's URL and process
id, HAProxy's. Whatever the test does, the block ends with the command stopped: SIGINT, then
SIGKILL if it has not exited within the grace time.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser.harness import ROOT, free_port

REPLICA_LINE = re.compile(r"replica (r\d+): (http://\S+) \(pid (\d+)")
HAPROXY_LINE = re.compile(r"haproxy: pid (\d+)")
SERVING_LINE = re.compile(r"serving the class at (http://\S+)")


@dataclass
class Served:
    proc: subprocess.Popen
    url: str = ""
    replicas: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (URL, pid)
    haproxy_pid: int = 0
    lines: list[str] = field(default_factory=list)  # everything printed so far
    _queue: queue.Queue = field(default_factory=queue.Queue)

    def read(self, timeout_s: float, until: re.Pattern | None = None) -> re.Match | None:
        """Read printed lines for up to ``timeout_s`` (until one matches ``until``); that match, or None."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.05, min(1.0, deadline - time.monotonic())))
            except queue.Empty:
                if self.proc.poll() is not None and self._queue.empty():
                    return None
                continue
            if line is None:
                return None
            self.lines.append(line)
            if (m := REPLICA_LINE.search(line)) is not None:
                self.replicas[m[1]] = (m[2], int(m[3]))
            elif (m := HAPROXY_LINE.search(line)) is not None:
                self.haproxy_pid = int(m[1])
            if until is not None and (m := until.search(line)) is not None:
                return m
        return None

    def pids(self) -> list[int]:
        return [pid for _, pid in self.replicas.values()] + ([self.haproxy_pid] if self.haproxy_pid else [])

    def stop(self, sig: int = signal.SIGINT, grace_s: float = 60.0) -> int:
        """Send ``sig`` and wait; SIGKILL after ``grace_s``. The exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.read(2.0)
        return self.proc.returncode


def exit_line(name: str) -> re.Pattern:
    """The line ``deploy.serve`` prints when the replica ``name`` was killed (SIGKILL)."""
    return re.compile(rf"^{name} \(pid \d+\) exited with code -9")


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _pump(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line.rstrip("\n"))
    out.put(None)


@contextmanager
def served(
    replicas: int, logs: Path, env: dict[str, str] | None = None, replica_program: list[str] | None = None,
    timeout_s: float = 300.0,
) -> Iterator[Served]:  # fmt: skip
    """``deploy.serve`` with ``replicas`` replicas on free 127.0.0.1 ports; stopped when the block ends."""
    port, ports = free_port(), [free_port() for _ in range(replicas)]
    argv = ["--replicas", str(replicas), "--port", str(port), "--address", "127.0.0.1",
            "--replica-ports", ",".join(map(str, ports)), "--logs", str(logs), "--timeout", str(timeout_s)]  # fmt: skip
    if replica_program is None:
        command = [sys.executable, "-m", "deploy.serve", *argv]
    else:  # the same main, with a stand-in program as the replica
        code = (
            "import sys; import deploy.replicas as r; program = sys.argv[1:sys.argv.index('--')]; "
            "r.command = lambda port, address='127.0.0.1': [*program, str(port)]; "
            "from deploy.serve import main; sys.exit(main(sys.argv[sys.argv.index('--') + 1:]))"
        )
        command = [sys.executable, "-c", code, *replica_program, "--", *argv]
    proc = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )  # fmt: skip
    run = Served(proc)
    threading.Thread(target=_pump, args=(proc.stdout, run._queue), daemon=True).start()
    try:
        m = run.read(timeout_s + 60, until=SERVING_LINE)
        if m is None:
            raise RuntimeError("deploy.serve did not start:\n" + "\n".join(run.lines[-40:]))
        run.url = m[1].rstrip(";")
        yield run
    finally:
        run.stop()
        for pid in run.pids():  # never leave a replica behind, whatever happened
            with suppress(OSError):
                if running(pid):
                    os.kill(pid, signal.SIGKILL)
