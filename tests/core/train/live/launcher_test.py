"""Starting, stopping and deleting live runs: one per machine, even when two starts race (threads or processes)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

from core.train.live import launcher, process, progress
from core.train.live.presets import PRESETS
from core.train.live.root import LIVE_LOCK, MAX_RUNS, log_file
from core.train.live.state import read_state
from tests.live_runs import sleeper, wait_until


@pytest.fixture
def root(tmp_path, monkeypatch, tiny_tsv):
    monkeypatch.setenv("ATTENTION_LAB_DATA", str(tiny_tsv))
    live = tmp_path / "live"
    yield live
    state = launcher.running(live)
    if state is not None:  # never leave a stand-in process behind
        process.send(state.pid, signal.SIGKILL)


def test_start_records_the_process_and_holds_the_lock_in_it(root):
    state = launcher.start(root, "2min", "additive", spawn=sleeper())
    assert read_state(root) == state
    assert state.run.endswith("-additive-2min") and state.epochs == PRESETS["2min"].epochs
    assert state.command[-len(PRESETS["2min"].argv("additive", root / state.run)) :] == PRESETS["2min"].argv(
        "additive", root / state.run
    )
    assert launcher.running(root) == state
    with pytest.raises(launcher.Busy):
        launcher.start(root, "2min", "general", spawn=sleeper())
    process.send(state.pid, signal.SIGKILL)
    wait_until(lambda: launcher.running(root) is None, 20, "the stand-in to end")
    again = launcher.start(root, "2min", "general", spawn=sleeper(), now=lambda: time.time() + 5)
    assert again.run != state.run  # the lock went with the process that held it


def test_two_starts_at_once_start_one_run(root):
    barrier, outcomes = threading.Barrier(2), []
    spawned = []

    def spawn(argv, log, fds):
        proc = sleeper()(argv, log, fds)
        spawned.append(proc)
        return proc

    def request(mechanism):
        barrier.wait()
        try:
            outcomes.append(launcher.start(root, "2min", mechanism, spawn=spawn))
        except launcher.Busy:
            outcomes.append("busy")

    threads = [threading.Thread(target=request, args=(m,)) for m in ("additive", "transformer")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(map(str, outcomes)).count("busy") == 1 and len(spawned) == 1
    assert read_state(root).pid == spawned[0].pid


def _start_from_another_replica(root: str, data: str, barrier, results) -> None:
    os.environ["ATTENTION_LAB_DATA"] = data
    barrier.wait()
    try:
        state = launcher.start(__import__("pathlib").Path(root), "2min", "additive", spawn=sleeper())
        results.put(state.pid)
    except launcher.Busy:
        results.put("busy")


def test_two_replicas_at_once_start_one_run(root, tiny_tsv):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    replicas = [context.Process(target=_start_from_another_replica, args=(str(root), str(tiny_tsv), barrier, results))
                for _ in range(2)]  # fmt: skip
    for r in replicas:
        r.start()
    outcomes = [results.get(timeout=120) for _ in replicas]
    for r in replicas:
        r.join(timeout=30)
    assert outcomes.count("busy") == 1
    (pid,) = [o for o in outcomes if o != "busy"]
    assert read_state(root).pid == pid and launcher.running(root) is not None
    assert (root / LIVE_LOCK).exists()


def test_stop_sends_sigterm_and_records_it(root):
    launcher.start(root, "2min", "additive", spawn=sleeper())
    assert launcher.stop(root, now=lambda: 1000.0) == "stopping"
    assert read_state(root).stop_requested == 1000.0
    wait_until(lambda: launcher.running(root) is None, 20, "SIGTERM to end the stand-in")
    assert launcher.stop(root) == "idle"


def test_stop_pressed_again_after_the_grace_ends_it(root, monkeypatch):
    def stubborn(argv, log, fds):
        import subprocess
        import sys

        code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
        return subprocess.Popen([sys.executable, "-c", code], pass_fds=fds, start_new_session=True)

    launcher.start(root, "2min", "additive", spawn=stubborn)
    time.sleep(1.0)  # the stand-in has set its handler
    assert launcher.stop(root, now=lambda: 1000.0) == "stopping"
    time.sleep(0.5)
    assert launcher.running(root) is not None  # SIGTERM ignored
    assert launcher.stop(root, now=lambda: 1000.0 + launcher.FORCE_AFTER_S) == "forced"
    wait_until(lambda: launcher.running(root) is None, 20, "SIGKILL to end it")


def test_start_makes_room_and_delete_removes_only_finished_live_runs(root):
    from core import runs

    names = []
    for i in range(MAX_RUNS + 1):
        state = launcher.start(root, "2min", "additive", spawn=sleeper(0), now=lambda i=i: 1.7e9 + 60 * i)
        (root / state.run).mkdir(exist_ok=True)
        (root / state.run / runs.CONFIG).write_text("{}")
        os.utime(root / state.run, (1.7e9 + i, 1.7e9 + i))
        names.append(state.run)
        wait_until(lambda: launcher.running(root) is None, 20, "the stand-in to end")
    kept = sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and p.is_dir())
    assert kept == sorted(names[-MAX_RUNS:])  # the oldest went to make room
    launcher.delete(root, names[-2])
    assert read_state(root).run == names[-1]  # not the deleted one: the state stays
    launcher.delete(root, names[-1])
    assert not (root / names[-1]).exists() and not log_file(root, names[-1]).exists()
    assert read_state(root) is None and progress.look(root).status == "idle"
    for bad in ("../x", names[0]):
        with pytest.raises(launcher.LiveError):
            launcher.delete(root, bad)


def test_a_running_run_cannot_be_deleted(root):
    state = launcher.start(root, "2min", "additive", spawn=sleeper())
    (root / state.run).mkdir()
    with pytest.raises(launcher.LiveError, match="stop it first"):
        launcher.delete(root, state.run)


def test_refusals_before_anything_starts(root, monkeypatch, tmp_path):
    with pytest.raises(launcher.LiveError):
        launcher.start(root, "2min", "dot", spawn=sleeper())
    with pytest.raises(launcher.LiveError):
        launcher.start(root, "5min", "additive", spawn=sleeper())
    monkeypatch.setenv("ATTENTION_LAB_DATA", str(tmp_path / "nowhere.zip"))
    with pytest.raises(launcher.LiveError, match="nowhere.zip"):
        launcher.start(root, "2min", "additive", spawn=sleeper())
    assert read_state(root) is None
