"""A clean stop of core.train: SIGTERM/SIGINT raise ``Stopped`` (at a safe point while fitting), the folder is marked."""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from core import runs
from core.train import stop


def test_a_signal_raises_stopped_and_the_old_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(stop.Stopped) as caught, stop.stoppable():
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between bytecodes
            pass
    assert caught.value.name == "SIGTERM" and caught.value.exit_code == 143
    assert isinstance(caught.value, KeyboardInterrupt)  # no `except Exception` swallows it
    assert signal.getsignal(signal.SIGTERM) is before


def test_while_deferred_a_signal_only_raises_the_flag():
    with stop.stoppable():
        with stop.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            assert stop.requested() == signal.SIGINT  # nothing raised inside
            with pytest.raises(stop.Stopped) as caught:
                stop.check()
        assert caught.value.exit_code == 130
    assert stop.requested() is None


def test_outside_the_main_thread_nothing_changes():
    seen = []

    def worker():
        with stop.stoppable():
            seen.append(signal.getsignal(signal.SIGTERM))

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [before]


def _folder(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    runs.write_history(folder, [{"epoch": 1, "loss": 2.0, "val_loss": 2.1}])
    (folder / runs.STEPS).write_text(
        "step,epoch,loss,accuracy\n5,1,3.0,0.1\n10,1,2.5,0.2\n15,2,2.4,0.2\n20,2,2.3,0.3\n", encoding="utf-8"
    )
    (folder / runs.TRAINING).write_text(json.dumps({"epochs": 3, "commands": ["python -m core.train"]}))
    return folder


def test_mark_stopped_keeps_the_finished_epochs_steps_and_records_the_stop(tmp_path):
    folder = _folder(tmp_path)
    assert stop.mark_stopped(folder, signal.SIGTERM) == 1
    lines = (folder / runs.STEPS).read_text(encoding="utf-8").splitlines()
    assert lines == ["step,epoch,loss,accuracy", "5,1,3.0,0.1", "10,1,2.5,0.2"]
    training = json.loads((folder / runs.TRAINING).read_text(encoding="utf-8"))
    assert training["commands"] == ["python -m core.train"]  # the rest kept
    record = stop.stopped_record(training)
    assert record["epoch"] == 1 and record["signal"] == "SIGTERM"


@pytest.mark.parametrize("value", [None, 3, "x", {"epoch": "1"}, {"epoch": True}, {}])
def test_a_malformed_stop_record_reads_as_none(value):
    assert stop.stopped_record({stop.STOPPED: value}) is None
