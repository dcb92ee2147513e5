"""Crashes of a training run: kill -9 at every write point then --resume, a full disk, damaged checkpoints.

After each crash and resume: the run completes, every artifact loads, ``history.csv`` has each
epoch exactly once, every epoch has its probe file, and steps are logged once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from core import runs
from core.decoding import load_translator
from core.runs import atomic
from core.train import checkpoints
from core.train.args import finished_epoch
from core.train.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]

# One chain of processes on one run folder: each process resumes what the one before left and
# is killed at the next point (ACTION:POINT:N = the N-th write at POINT of that process). After
# a checkpoint is committed, the next processes die inside the repair of the files after it.
KILL_CHAIN = (
    "kill-after:vocab:1",
    "kill-during:config:1",
    "kill-after:training:1",
    "kill-during:steps:3",
    "kill-during:checkpoint:1",
    "kill-after:checkpoint:1",  # epoch committed, its probes, history row and weights not yet written
    "kill-before:probes:1",
    "kill-during:probes:1",
    "kill-after:probes:1",
    "kill-during:history:1",
    "kill-after:history:1",
    "kill-during:weights:1",
    "kill-after:weights:1",
    "kill-before:checkpoint:1",
    "kill-after:steps:2",
)


def _env(fault: str | None = None) -> dict[str, str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    env.pop(atomic.FAULT_ENV, None)
    if fault:
        env[atomic.FAULT_ENV] = fault
    return env


def _train(args: list[str], fault: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core.train", *args], env=_env(fault), cwd=ROOT, capture_output=True, text=True
    )


def assert_consistent(run: Path, complete: bool = True, settled: bool = True) -> int:
    """History has each epoch once, from 1; every epoch has probes; the artifacts load. Returns the last epoch.

    A run that stopped with an error (not ``settled``) may hold one epoch more in its newest
    checkpoint and step log than in its history: the commit the next resume completes.
    """
    rows = runs.read_history(run) if (run / runs.HISTORY).exists() else []
    epochs = [int(r["epoch"]) for r in rows]
    assert epochs == list(range(1, len(epochs) + 1)), epochs
    if not complete:
        return len(epochs)
    last = len(epochs)
    assert last >= 1
    ahead = 0 if settled else 1
    trained = [e for e in runs.probe_epochs(run) if e > 0]  # epoch 0: the untrained model, if the first start wrote it
    assert epochs == trained[: len(epochs)] and len(trained) <= last + ahead
    for e in epochs:
        assert runs.read_probes(run, e)
    assert load_translator(run).translate("I am cold.").target_tokens is not None
    newest = [p.epoch for p in checkpoints.found(run)]
    assert newest[0] in range(last, last + ahead + 1) and len(newest) <= 2 and newest == sorted(newest, reverse=True)
    assert all(checkpoints.weights_path(run, e).is_file() for e in newest)
    steps = [line.split(",") for line in (run / runs.STEPS).read_text().splitlines()[1:]]
    numbers = [int(s[0]) for s in steps]
    assert numbers == sorted(set(numbers)), "steps logged twice"
    assert set(epochs) <= {int(s[1]) for s in steps} <= set(range(1, last + ahead + 1))
    assert not [p for p in run.rglob(f"{atomic.TEMP_PREFIX}*")]
    return last


def test_kill_at_every_write_point_then_resume(tmp_path, tiny_tsv, train_args, record_property):
    run = tmp_path / "run"
    killed = 0
    for fault in KILL_CHAIN:
        epochs = finished_epoch(run) + 1 if run.is_dir() else 1
        resume = ("--resume",) if run.is_dir() else ()
        done = _train(train_args(tiny_tsv, run, "--epochs", str(epochs), *resume), fault)
        assert done.returncode == -9, f"{fault}: exit {done.returncode}\n{done.stderr[-2000:]}"
        killed += 1
        assert "Traceback" not in done.stderr, done.stderr
        assert_consistent(run, complete=False)
        print(f"{fault}: killed, folder consistent", flush=True)
    epochs = finished_epoch(run) + 1
    done = _train(train_args(tiny_tsv, run, "--epochs", str(epochs), "--resume"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert assert_consistent(run) == epochs
    record_property("kills", killed)


def _copy(trained_run: Path, tmp_path: Path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    return run


@pytest.fixture
def faults(monkeypatch):
    """Set ``$ATTENTION_LAB_FAULT`` for in-process runs, with fresh write counts."""
    monkeypatch.setattr(atomic, "_counts", Counter())

    def set_fault(value: str | None):
        monkeypatch.setattr(atomic, "_counts", Counter())
        if value:
            monkeypatch.setenv(atomic.FAULT_ENV, value)
        else:
            monkeypatch.delenv(atomic.FAULT_ENV, raising=False)

    return set_fault


@pytest.mark.parametrize("point", ["checkpoint", "probes", "history", "weights", "steps", "training"])
def test_disk_full_ends_the_run_with_one_line_and_keeps_the_last_epoch(
    trained_run, train_args, tmp_path, capsys, faults, point
):
    run = _copy(trained_run, tmp_path)
    data = trained_run.parent / "corpus.tsv"
    before = (run / runs.HISTORY).read_text()
    faults(f"enospc:{point}:1")
    capsys.readouterr()
    assert main(train_args(data, run, "--epochs", "2", "--resume")) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot write ") and err.endswith(": No space left on device"), err
    assert "\n" not in err
    assert (run / runs.HISTORY).read_text() == before
    assert assert_consistent(run, settled=False) == 1
    faults(None)
    assert main(train_args(data, run, "--epochs", "2", "--resume")) == 0
    assert assert_consistent(run) == 2


def _mount_tmpfs(folder: Path, size_kb: int) -> bool:
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def test_a_really_full_disk_is_an_error_not_a_crash(trained_run, train_args, tmp_path):
    """A small tmpfs fills up during the next epoch's writes: exit 1 with one line, never a segfault."""
    disk = tmp_path / "disk"
    used = sum(p.stat().st_size for p in trained_run.rglob("*") if p.is_file()) // 1024
    if not _mount_tmpfs(disk, used + 150):
        pytest.skip("mounting a small tmpfs needs root and a mount command")
    try:
        run = disk / "run"
        shutil.copytree(trained_run, run)
        done = _train(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "3", "--resume"))
        assert done.returncode == 1, f"exit {done.returncode}: {done.stderr[-1500:]}"
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("error: cannot write ") and "No space left on device" in last, done.stderr[-1500:]
        assert "Traceback" not in done.stderr
        assert assert_consistent(run, settled=False) >= 1
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_damaged_newest_checkpoint_falls_back_to_the_one_before(trained_run, train_args, tmp_path, capsys):
    run = _copy(trained_run, tmp_path)
    data = trained_run.parent / "corpus.tsv"
    assert main(train_args(data, run, "--epochs", "2", "--resume")) == 0
    newest = checkpoints.weights_path(run, 2)
    newest.write_bytes(newest.read_bytes()[:96])  # what a kill during the old checkpoint save left
    capsys.readouterr()
    assert main(train_args(data, run, "--epochs", "2", "--resume")) == 0
    assert "epoch_002.weights.h5 cannot be loaded" in capsys.readouterr().out
    assert assert_consistent(run) == 2


def test_resume_repairs_truncated_best_weights(trained_run, train_args, tmp_path):
    run = _copy(trained_run, tmp_path)
    (run / runs.WEIGHTS).write_bytes((run / runs.WEIGHTS).read_bytes()[:500])
    assert main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "2", "--resume")) == 0
    assert assert_consistent(run) == 2


def test_probes_of_a_committed_epoch_are_written_on_resume(trained_run, train_args, tmp_path):
    """Killed right after the history row of the old order: the epoch's probe file was lost for good."""
    run = _copy(trained_run, tmp_path)
    runs.probe_file(run, 1).unlink()
    assert main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "1", "--resume")) == 0
    assert runs.probe_epochs(run) == [0, 1]
    assert assert_consistent(run) == 1


def test_killed_evaluation_keeps_metrics_whole(trained_run, tmp_path):
    run = _copy(trained_run, tmp_path)
    runs.write_metrics(run, {"bleu": 1.0})
    args = ["--run", str(run), "--data", str(trained_run.parent / "corpus.tsv"), "--write"]
    done = subprocess.run(
        [sys.executable, "-m", "core.evaluate", *args],
        env=_env("kill-during:metrics:1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == -9, done.stderr[-1500:]
    assert runs.read_metrics(run) == {"bleu": 1.0}
