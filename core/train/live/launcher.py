"""Start, stop and delete live runs: one at a time per machine, the oldest runs making room.

One live run per machine: a start takes an exclusive ``flock`` on ``<root>/.live.lock`` and hands
that open lock to the training process it spawns, which holds it until it ends, however it
ends. Another start in any session, or in another replica of the app on this machine, finds
the lock taken and is refused (:class:`Busy`) with no process started. Pages never take this
lock: they read the state file and look the process up (:func:`core.train.live.process.alive`).

The state file and the removal of folders are written under the root's writer lock
(:func:`core.runs.lock.run_lock` on the root).
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from core import runs
from core.data import find_data
from core.runs.lock import LockedError, run_lock
from core.train.live import process, retention
from core.train.live.presets import MECHANISMS, PRESETS, Preset, resume_argv
from core.train.live.root import LIVE_LOCK, MAX_BYTES, MAX_RUNS, STATE_FILE, check_root, log_file
from core.train.live.state import LiveState, read_state, valid_name, write_state

FORCE_AFTER_S = 30.0  # a Stop pressed again this long after the first ends the process at once (SIGKILL)
Spawn = Callable[[list[str], Path, tuple[int, ...]], subprocess.Popen]


class Busy(RuntimeError):
    """A live run is going on this machine (or another start is under way)."""


class LiveError(ValueError):
    """A start, stop or delete that cannot be done; the message says why, in one line."""


def running(root: Path, state: LiveState | None = None) -> LiveState | None:
    """The state of the run whose process is alive now, or None."""
    if state is None:
        try:
            state = read_state(root)
        except ValueError:
            return None
    if state is not None and process.alive(state.pid, state.pid_start):
        return state
    return None


def run_name(mechanism: str, preset: str, now: float) -> str:
    """``20250101-101500-additive-2min``: when it started, the mechanism and the preset."""
    return f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{mechanism}-{preset}"


def start(
    root: Path,
    preset: Preset | str,
    mechanism: str,
    *,
    spawn: Spawn | None = None,
    now: Callable[[], float] = time.time,
) -> LiveState:
    """Start a new live run; :class:`Busy` when one is going, :class:`LiveError` when it cannot start."""
    preset = PRESETS[preset] if isinstance(preset, str) and preset in PRESETS else preset
    if not isinstance(preset, Preset):
        raise LiveError(f"preset {preset!r} is not one of {sorted(PRESETS)}")
    if mechanism not in MECHANISMS:
        raise LiveError(f"mechanism {mechanism!r} is not one of {MECHANISMS}")
    try:
        find_data()  # a missing corpus is said here, not in a log after the start
    except FileNotFoundError as e:
        raise LiveError(str(e)) from None
    started = now()
    name = run_name(mechanism, preset.key, started)

    def argv(out: Path) -> list[str]:
        return preset.argv(mechanism, out)

    return _launch(root, name, argv, preset.key, mechanism, preset.epochs, spawn, started, prune=True)


def resume(root: Path, name: str, *, spawn: Spawn | None = None, now: Callable[[], float] = time.time) -> LiveState:
    """Continue a stopped live run up to the epochs it was started for."""
    state = _state(root)
    if state is None or state.run != name:
        raise LiveError(f"{name} is not the last live run; only that one can be continued here")
    folder = root / name
    if not (folder / runs.CONFIG).is_file():
        raise LiveError(f"{name} has no finished epoch to continue from")

    def argv(out: Path) -> list[str]:
        return resume_argv(out, state.epochs)

    return _launch(root, name, argv, state.preset, state.mechanism, state.epochs, spawn, now(), prune=False)


def _launch(root, name, argv, preset, mechanism, epochs, spawn, started, prune) -> LiveState:
    root = Path(root)
    check_root(root)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LIVE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy("a live run is already going on this machine") from None
        if prune:
            retention.prune(root, MAX_RUNS - 1, MAX_BYTES)
        out = root / name
        args = argv(out)
        proc = (spawn or process.spawn)(args, log_file(root, name), (fd,))
        state = LiveState(
            run=name,
            pid=proc.pid,
            pid_start=process.start_ticks(proc.pid),
            started=started,
            preset=preset,
            mechanism=mechanism,
            epochs=epochs,
            command=process.command(args),
        )
        try:
            with run_lock(root, "write the live state"):
                write_state(root, state)
        except BaseException:
            process.send(proc.pid, signal.SIGKILL)  # a run nobody can see or stop is not left behind
            raise
        return state
    finally:
        os.close(fd)  # the training process keeps the lock


def _state(root: Path) -> LiveState | None:
    try:
        return read_state(root)
    except ValueError as e:
        raise LiveError(str(e)) from None


def stop(root: Path, now: Callable[[], float] = time.time) -> str:
    """Ask the running live run to stop: ``"stopping"``, ``"forced"`` (asked again, long after), or ``"idle"``."""
    state = running(root, _state(root))
    if state is None:
        return "idle"
    force = state.stop_requested is not None and now() - state.stop_requested >= FORCE_AFTER_S
    process.send(state.pid, signal.SIGKILL if force else signal.SIGTERM)
    if state.stop_requested is None:
        try:
            with run_lock(root, "write the live state"):
                write_state(root, replace(state, stop_requested=now()))
        except LockedError:
            pass  # another session is writing it; the signal has gone either way
    return "forced" if force else "stopping"


def delete(root: Path, name: str) -> None:
    """Remove a live run's folder and log; :class:`LiveError` when it is running or not a live run."""
    if not valid_name(name):
        raise LiveError(f"{name[:40]!r} is not a live run's name")
    state = running(root)
    if state is not None and state.run == name:
        raise LiveError(f"{name} is training: stop it first")
    folder = Path(root) / name
    if not folder.is_dir():
        raise LiveError(f"{name} is not in the live runs' folder")
    if not retention.remove(Path(root), folder):
        raise LiveError(f"{name} holds files a run does not write, or is being written; it was left alone")
    last = _state(Path(root))
    if last is not None and last.run == name:  # the page then shows no run rather than a missing one
        with run_lock(Path(root), "write the live state"):
            (Path(root) / STATE_FILE).unlink(missing_ok=True)
