"""What a watcher sees of the live run: its status, the epochs done, the fraction and the time left.

Read from the state file, the process table and the run folder only; nothing here writes.

Statuses: ``idle`` (no live run yet), ``preparing`` (the process reads the corpus and builds the
model: no probe file yet), ``training``, ``stopping`` (Stop was pressed, the process has not
ended yet), ``finished`` (every epoch done), ``stopped`` (stopped cleanly, the folder marked
and resumable), ``failed`` (the process ended before its last epoch without a clean stop; the
log's last line says why), ``unreadable`` (the state file is damaged).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from core import runs
from core.train import stop
from core.train.live import process
from core.train.live.presets import PRESETS
from core.train.live.root import log_file
from core.train.live.state import LiveState, StateError, read_state

LOG_TAIL_BYTES = 4096
ACTIVE = ("preparing", "training", "stopping")


@dataclass(frozen=True)
class LiveView:
    """One look at the live root."""

    status: str
    state: LiveState | None = None
    folder: Path | None = None
    epochs_done: int = 0
    fraction: float = 0.0  # of the whole run, in [0, 1]
    seconds_left: float | None = None  # estimate; None when nothing to estimate from
    elapsed: float = 0.0  # seconds since the start
    estimated_from: str = ""  # "run": its own epochs so far; "preset": the preset's measured time
    detail: str = ""  # the stop's epoch, or the log's last line when the run failed (paths cut)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def epochs_total(self) -> int:
        return self.state.epochs if self.state else 0


def look(root: Path, now: float | None = None) -> LiveView:
    """The live run as it is now (see the module docstring)."""
    now = time.time() if now is None else now
    try:
        state = read_state(root)
    except StateError as e:
        return LiveView("unreadable", detail=str(e))
    if state is None:
        return LiveView("idle")
    folder = root / state.run
    rows = _history(folder)
    done = int(rows[-1]["epoch"]) if rows else 0
    elapsed = max(0.0, now - state.started)
    common = {"state": state, "folder": folder, "epochs_done": done, "elapsed": elapsed}
    if process.alive(state.pid, state.pid_start):
        status = "stopping" if state.stop_requested else ("training" if runs.probe_epochs(folder) else "preparing")
        fraction, left, source = _estimate(state, folder, rows, now)
        return LiveView(status, fraction=fraction, seconds_left=left, estimated_from=source, **common)
    record = stop.stopped_record(_training(folder))
    if done >= state.epochs:
        return LiveView("finished", fraction=1.0, seconds_left=0.0, **common)
    if record is not None:
        return LiveView("stopped", fraction=done / state.epochs, detail=str(record["epoch"]), **common)
    return LiveView("failed", fraction=done / state.epochs, detail=_last_line(log_file(root, state.run)), **common)


def _history(folder: Path) -> list[dict[str, float]]:
    try:
        return runs.read_history(folder)
    except (runs.RunError, OSError):
        return []


def _training(folder: Path) -> dict:
    try:
        return runs.read_json(folder, runs.TRAINING) or {}
    except (runs.RunError, OSError, ValueError):
        return {}


def _estimate(state: LiveState, folder: Path, rows: list[dict], now: float) -> tuple[float, float | None, str]:
    """``(fraction done, seconds left, what the estimate rests on)`` of a running run.

    After its first epoch: the mean seconds of its epochs so far (``history.csv``'s wall time)
    and the time since the last one ended. Before: the preset's measured time of a whole run.
    """
    total = state.epochs
    done = int(rows[-1]["epoch"]) if rows else 0
    wall = rows[-1].get("wall_time", math.nan) if rows else math.nan
    if done and math.isfinite(wall) and wall > 0:
        per_epoch = wall / done  # a resumed run's wall time goes on from where it stopped
        try:
            since = max(0.0, now - (folder / runs.HISTORY).stat().st_mtime)
        except OSError:
            since = 0.0
        current = min(0.95, since / per_epoch) if done < total else 0.0
        left = max(0.0, (total - done - current) * per_epoch)
        return min(1.0, (done + current) / total), left, "run"
    preset = PRESETS.get(state.preset)
    measured = preset.estimate_s(state.mechanism) if preset else None
    if not measured:
        return 0.0, None, ""
    elapsed = max(0.0, now - state.started)
    return min(0.95, elapsed / measured), max(0.0, measured - elapsed), "preset"


def _last_line(log: Path) -> str:
    """The last non-empty line of the log, absolute paths cut (a traceback's last line says why it ended)."""
    from core.runs.model_files import scrub

    try:
        with open(log, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - LOG_TAIL_BYTES))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return scrub(lines[-1])[:300] if lines else ""
