"""What watchers see: the live run's status, epochs, fraction and time left, from the state file and the folder."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from core import runs
from core.train import stop
from core.train.live import process
from core.train.live.presets import PRESETS, Preset
from core.train.live.progress import look
from core.train.live.root import STATE_FILE, log_file
from core.train.live.state import LiveState, write_state
from tests.live_runs import sleeper

NAME = "20250101-101500-additive-2min"


@pytest.fixture
def alive(tmp_path):
    proc = sleeper()([], tmp_path / "x.log", ())
    yield proc.pid, process.start_ticks(proc.pid)
    process.send(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="module")
def ended():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    ticks = process.start_ticks(proc.pid)
    proc.wait()
    return proc.pid, ticks


def _state(root, pid_ticks, epochs=6, preset="2min", **extra) -> LiveState:
    pid, ticks = pid_ticks
    state = LiveState(run=NAME, pid=pid, pid_start=ticks, started=1000.0, preset=preset, mechanism="additive",
                      epochs=epochs, **extra)  # fmt: skip
    root.mkdir(parents=True, exist_ok=True)
    write_state(root, state)
    (root / NAME).mkdir(exist_ok=True)
    return state


def _history(folder, epochs: int, seconds_each: float = 10.0):
    runs.write_history(folder, [{"epoch": e, "loss": 3.0 - 0.1 * e, "wall_time": seconds_each * e}
                                for e in range(1, epochs + 1)])  # fmt: skip


def _probes(folder, *epochs):
    (folder / runs.PROBES).mkdir(exist_ok=True)
    for e in epochs:
        runs.probe_file(folder, e).write_text(json.dumps({"epoch": e, "probes": []}))


def test_idle_and_unreadable(tmp_path):
    assert look(tmp_path).status == "idle"
    (tmp_path / STATE_FILE).write_text("{")
    view = look(tmp_path)
    assert view.status == "unreadable" and STATE_FILE in view.detail


def test_preparing_estimates_from_the_preset(tmp_path, alive, monkeypatch):
    monkeypatch.setitem(PRESETS, "2min", Preset("2min", 6, 8000, 1500, 2000, 6, 64, 5e-3, {"additive": 120.0}))
    _state(tmp_path, alive)
    view = look(tmp_path, now=1030.0)
    assert (view.status, view.epochs_done, view.active, view.estimated_from) == ("preparing", 0, True, "preset")
    assert view.seconds_left == pytest.approx(90.0) and view.fraction == pytest.approx(0.25)


def test_training_estimates_from_its_own_epochs(tmp_path, alive):
    _state(tmp_path, alive)
    folder = tmp_path / NAME
    _probes(folder, 0, 1, 2)
    _history(folder, 2, seconds_each=10.0)
    written = (folder / runs.HISTORY).stat().st_mtime
    view = look(tmp_path, now=written + 5.0)
    assert (view.status, view.epochs_done, view.epochs_total, view.estimated_from) == ("training", 2, 6, "run")
    assert view.fraction == pytest.approx(2.5 / 6) and view.seconds_left == pytest.approx(35.0)


def test_stopping(tmp_path, alive):
    _state(tmp_path, alive, stop_requested=1010.0)
    assert look(tmp_path).status == "stopping"


def test_finished(tmp_path, ended):
    _state(tmp_path, ended)
    _history(tmp_path / NAME, 6)
    view = look(tmp_path)
    assert (view.status, view.fraction, view.active) == ("finished", 1.0, False)


def test_stopped_cleanly(tmp_path, ended):
    _state(tmp_path, ended)
    folder = tmp_path / NAME
    _history(folder, 2)
    (folder / runs.TRAINING).write_text(json.dumps({stop.STOPPED: {"epoch": 2, "signal": "SIGTERM"}}))
    view = look(tmp_path)
    assert (view.status, view.detail, view.epochs_done) == ("stopped", "2", 2)


def test_failed_shows_the_logs_last_line_without_server_paths(tmp_path, ended):
    _state(tmp_path, ended)
    _history(tmp_path / NAME, 1)
    log = log_file(tmp_path, NAME)
    log.parent.mkdir()
    log.write_text("Epoch 2/6\nerror: cannot write history.csv in /srv/secret/runs/live/x: No space left on device\n\n")
    view = look(tmp_path)
    assert view.status == "failed" and "No space left" in view.detail and "/srv/secret" not in view.detail


def test_a_pid_now_used_by_another_process_is_not_the_run(tmp_path, alive):
    pid, ticks = alive
    _state(tmp_path, (pid, ticks + 1))
    assert look(tmp_path).status == "failed"  # not "training": that process is not ours
