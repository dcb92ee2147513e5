"""The server process's own figures from /proc: CPU seconds, resident memory, and the machine's load."""

from __future__ import annotations

import contextlib
import os
import statistics
import threading
from pathlib import Path


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the process may have exited meanwhile
                todo.extend(int(c) for c in task.read_text().split())
    return out


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used so far by ``pid`` (all its threads, ended ones too) and its children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _descendants(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def demand_seconds(pid: int) -> float:
    """Seconds the live threads of ``pid`` and its children have run or waited to run (``schedstat``).

    Unlike CPU time this grows as fast as the wall clock while the process has work, however
    busy the machine is: a server that does not ask for CPU is idle.
    """
    total = 0
    for p in _descendants(pid):
        for task in Path(f"/proc/{p}/task").glob("*/schedstat"):
            with contextlib.suppress(OSError, ValueError):
                run_ns, wait_ns = task.read_text().split()[:2]
                total += int(run_ns) + int(wait_ns)
    return total / 1e9


def rss_bytes(pid: int, field: str = "VmRSS") -> int:
    """Sum of ``field`` (VmRSS now, or VmHWM the peak) over ``pid`` and its children, in bytes."""
    total = 0
    for p in _descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1]) * 1024  # kB
    return total


class MemorySampler(threading.Thread):
    """Samples the resident memory of each of ``pids`` every ``interval`` seconds; keeps each one's peak."""

    def __init__(self, pids: list[int], interval: float = 0.1):
        super().__init__(daemon=True)
        self.pids, self.interval = list(pids), interval
        self.peaks = dict.fromkeys(self.pids, 0)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for pid in self.pids:
                self.peaks[pid] = max(self.peaks[pid], rss_bytes(pid))
            self._halt.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling; the highest process's peak (the kernel's high-water mark where that is higher)."""
        self._halt.set()
        self.join()
        return max(max(self.peaks[pid], rss_bytes(pid, field="VmHWM")) for pid in self.pids)


def load_average() -> float:
    """The machine's 1-minute load average (other work on a shared machine shows here)."""
    return round(os.getloadavg()[0], 2)


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100), linear between closest ranks; None for no values."""
    if not values:
        return None
    if len(values) == 1 or q >= 100:
        return max(values)
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
