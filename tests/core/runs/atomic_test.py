"""Atomic writes keep the old file whole on failure; the one-writer lock names its holder."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from core.runs import atomic
from core.runs.lock import LockedError, run_lock


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "history.csv"
    atomic.write_text(path, "old\n")
    atomic.write_text(path, "new\n")
    assert path.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]


def test_a_failed_write_keeps_the_old_file_and_says_which_file(tmp_path, monkeypatch):
    path = tmp_path / "metrics.json"
    atomic.write_text(path, '{"bleu": 40.8}\n')

    def full(*_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(atomic.WriteError) as caught:
        atomic.write_text(path, "{}\n")
    assert str(caught.value) == f"cannot write metrics.json in {tmp_path}: No space left on device"
    assert "\n" not in str(caught.value)
    assert path.read_text() == '{"bleu": 40.8}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_injected_disk_full_at_a_named_point(tmp_path, monkeypatch):
    monkeypatch.setenv(atomic.FAULT_ENV, "enospc:history:2")
    monkeypatch.setattr(atomic, "_counts", atomic.Counter())
    path = tmp_path / "history.csv"
    atomic.write_text(path, "1\n", "history")
    with pytest.raises(atomic.WriteError, match="No space left on device"):
        atomic.write_text(path, "2\n", "history")
    assert path.read_text() == "1\n"


@pytest.mark.parametrize("action", ["kill-before", "kill-during", "kill-after"])
def test_kill_hooks_stop_the_process_at_the_write(tmp_path, action):
    path = tmp_path / "config.json"
    path.write_text("old")
    code = f"from core.runs import atomic; atomic.write_text({str(path)!r}, 'new' * 1000, 'config')"
    env = {**os.environ, atomic.FAULT_ENV: f"{action}:config:1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=os.getcwd(), capture_output=True)
    assert done.returncode == -9
    assert path.read_text() == ("new" * 1000 if action == "kill-after" else "old")
    temporaries = [p for p in tmp_path.iterdir() if p.name.startswith(atomic.TEMP_PREFIX)]
    assert bool(temporaries) == (action == "kill-during")
    atomic.remove_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path):
    with run_lock(tmp_path, "train"), pytest.raises(LockedError, match=rf"process {os.getpid()}\b"):  # noqa: SIM117
        with run_lock(tmp_path, "train"):
            pass
    with run_lock(tmp_path):  # released at the end of the block
        pass


def test_the_lock_dies_with_its_process(tmp_path):
    code = f"from core.runs.lock import run_lock; import os; c = run_lock(__import__('pathlib').Path({str(tmp_path)!r})); c.__enter__(); os.kill(os.getpid(), 9)"
    assert subprocess.run([sys.executable, "-c", code], cwd=os.getcwd()).returncode == -9
    with run_lock(tmp_path):
        pass
