"""The live root's caps: oldest runs removed first; never a foreign folder, a link, a running run or the shipped models."""

from __future__ import annotations

import os
import time

import pytest

from core import runs
from core.runs.lock import run_lock
from core.train.live import retention
from core.train.live.root import RootError, check_root, log_file


def _run(root, name: str, age: float, size: int = 1000):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / runs.CONFIG).write_text("{}")
    (folder / runs.HISTORY).write_bytes(b"x" * size)
    log_file(root, name).parent.mkdir(exist_ok=True)
    log_file(root, name).write_text("log")
    stamp = time.time() - age
    os.utime(folder, (stamp, stamp))
    return folder


def test_prune_removes_the_oldest_first_with_their_logs(tmp_path):
    for name, age in (("a", 300), ("b", 200), ("c", 100)):
        _run(tmp_path, name, age)
    assert retention.prune(tmp_path, keep=2, max_bytes=10**9) == ["a"]
    assert [p.name for p in retention.live_runs(tmp_path)] == ["b", "c"]
    assert not log_file(tmp_path, "a").exists() and log_file(tmp_path, "b").exists()


def test_prune_by_size(tmp_path):
    for name, age in (("a", 300), ("b", 200), ("c", 100)):
        _run(tmp_path, name, age, size=10_000)
    assert retention.prune(tmp_path, keep=5, max_bytes=15_000) == ["a", "b"]


def test_foreign_folders_links_and_runs_being_written_stay(tmp_path):
    mine = _run(tmp_path, "mine", 50)
    foreign = _run(tmp_path, "foreign", 400)
    (foreign / "notes.txt").write_text("a teacher's notes")
    busy = _run(tmp_path, "busy", 300)
    elsewhere = _run(tmp_path / "elsewhere", "x", 500)
    (tmp_path / "link").symlink_to(elsewhere, target_is_directory=True)
    with run_lock(busy, "train"):
        assert retention.prune(tmp_path, keep=0, max_bytes=0) == ["mine"]
    assert foreign.is_dir() and busy.is_dir() and elsewhere.is_dir() and not mine.exists()


def test_the_shipped_models_are_never_a_live_root():
    shipped = runs.PROJECT_ROOT / "assets"
    for root in (shipped, shipped / "live", runs.PROJECT_ROOT):
        with pytest.raises(RootError):
            check_root(root)
    with pytest.raises(RootError):
        retention.prune(shipped, keep=0, max_bytes=0)
    with pytest.raises(RootError):
        retention.remove(shipped, shipped / "additive")
    assert (shipped / "additive" / runs.CONFIG).is_file()
