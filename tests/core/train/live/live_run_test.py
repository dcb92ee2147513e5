"""Real live runs (slow): Stop in the middle of an epoch leaves a valid folder, marked stopped, that Continue finishes."""

from __future__ import annotations

import json
import signal

import pytest

from core import runs
from core.decoding import load_translator
from core.runs import atomic
from core.train import checkpoints, stop
from core.train.live import launcher, process
from core.train.live.presets import PRESETS, Preset
from core.train.live.progress import look
from tests.live_runs import wait_until, write_corpus

pytestmark = pytest.mark.slow


def _steps_epochs(folder) -> set[int]:
    try:
        lines = (folder / runs.STEPS).read_text(encoding="utf-8").splitlines()[1:]
    except OSError:
        return set()
    return {int(line.split(",")[1]) for line in lines if line.count(",") == 3}


def test_stop_mid_epoch_keeps_a_valid_resumable_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_DATA", str(write_corpus(tmp_path / "corpus.tsv")))
    # 1500 pairs in batches of 4: a few hundred steps per epoch, time to stop in the middle of the second
    monkeypatch.setitem(PRESETS, "long", Preset("long", 10, 1500, 60, 60, 3, 4, 3e-3))
    root = tmp_path / "live"
    state = launcher.start(root, "long", "additive")
    folder = root / state.run
    try:
        wait_until(lambda: 2 in _steps_epochs(folder) or not look(root).active, 900, "epoch 2 to begin", every=0.5)
        assert look(root).status == "training", (root / ".logs" / f"{state.run}.log").read_text()
        assert launcher.stop(root) == "stopping"
        wait_until(lambda: not look(root).active, 120, "the run to stop", every=0.5)
    finally:
        if launcher.running(root) is not None:
            process.send(state.pid, signal.SIGKILL)
    view = look(root)
    assert (view.status, view.detail, view.epochs_done) == ("stopped", "1", 1)
    assert [int(r["epoch"]) for r in runs.read_history(folder)] == [1]
    assert [p.epoch for p in checkpoints.found(folder)] == [1]
    assert runs.probe_epochs(folder) == [0, 1]
    assert _steps_epochs(folder) == {1}  # the unfinished epoch's batches are gone
    training = json.loads((folder / runs.TRAINING).read_text(encoding="utf-8"))
    assert stop.stopped_record(training)["signal"] == "SIGTERM"
    assert not list(folder.rglob(f"{atomic.TEMP_PREFIX}*"))
    assert load_translator(folder).translate("the big dog sleeps .").target_tokens is not None
    assert "stopped by SIGTERM after epoch 1" in (root / ".logs" / f"{state.run}.log").read_text()

    launcher.resume(root, state.run)
    wait_until(lambda: not look(root).active, 900, "the continued run to end", every=0.5)
    view = look(root)
    assert view.status == "finished", (root / ".logs" / f"{state.run}.log").read_text()
    assert [int(r["epoch"]) for r in runs.read_history(folder)] == [1, 2, 3]
    assert runs.probe_epochs(folder) == [0, 1, 2, 3]
    assert stop.STOPPED not in json.loads((folder / runs.TRAINING).read_text(encoding="utf-8"))
