"""A clean stop of ``python -m core.train`` on SIGTERM or SIGINT: the run folder stays whole and resumable.

While :func:`stoppable` holds, either signal raises :class:`Stopped` at once, except while
``model.fit`` runs (:func:`deferred`): there it only raises a flag that :class:`StopCallback`
turns into :class:`Stopped` after the current batch, or after the end-of-epoch writes once they
are done. An epoch is thus either committed whole (checkpoint, probes, history row, weights) or
not at all; the batches of an unfinished epoch are dropped from ``steps.csv`` by
:func:`mark_stopped`, which also records the stop in ``training.json`` (``stopped``). A resume
(``--resume``) trains that epoch again and drops the mark.

This module imports only the standard library and :mod:`core.runs` / :mod:`core.runs.provenance` /
:mod:`core.train.args`; the Keras callback is built on first use.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

STOPPED = "stopped"  # training.json entry: {"epoch": last committed epoch, "signal": "SIGTERM", "time": ISO}
SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_CODES = {signal.SIGTERM: 143, signal.SIGINT: 130}  # the shell's 128 + signal number


class Stopped(KeyboardInterrupt):
    """The process was asked to stop (a KeyboardInterrupt, so no ``except Exception`` swallows it)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.signum, 1)


_state = {"requested": None, "deferred": False}


def requested() -> int | None:
    """The signal that asked this process to stop, or None."""
    return _state["requested"]


def _handler(signum, frame) -> None:
    _state["requested"] = signum
    if not _state["deferred"]:
        raise Stopped(signum)


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """SIGTERM and SIGINT raise :class:`Stopped` for the block; the previous handlers come back after it.

    Outside the main thread (signals cannot be handled there) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {s: signal.getsignal(s) for s in SIGNALS}
    _state.update(requested=None, deferred=False)
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        _state.update(requested=None, deferred=False)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """For the block (``model.fit``, the writes of a stop), a signal only raises the flag that :func:`check` reads.

    A stop asked for after the last batch of the last epoch lets the block end: the run is complete.
    """
    before = _state["deferred"]
    _state["deferred"] = True
    try:
        yield
    finally:
        _state["deferred"] = before


def check() -> None:
    """Raise :class:`Stopped` if a stop was asked for."""
    if _state["requested"] is not None:
        raise Stopped(_state["requested"])


def callback():
    """A Keras callback that raises :class:`Stopped` at the first safe point after a signal.

    Safe points: after a training or validation batch, and after ``on_epoch_end`` of every
    callback before it in the list (put it last: the epoch's files are then written).
    """
    import keras

    class StopCallback(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            check()

        def on_test_batch_end(self, batch, logs=None):
            check()

        def on_epoch_end(self, epoch, logs=None):
            check()

    return StopCallback()


def mark_stopped(out: Path, signum: int) -> int:
    """Record the stop in ``training.json`` and drop the unfinished epoch's rows from ``steps.csv``.

    Returns the last committed epoch. The caller holds the folder's lock.
    """
    from core import runs
    from core.runs import atomic, provenance
    from core.train import args as train_args

    epoch = train_args.finished_epoch(out)
    steps = out / runs.STEPS
    with contextlib.suppress(OSError, UnicodeDecodeError):
        lines = steps.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = lines[:1] + [line for line in lines[1:] if _step_epoch(line) is not None and _step_epoch(line) <= epoch]
        if kept != lines:
            atomic.write_text(steps, "".join(kept), "steps")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    provenance.update_training(out, **{STOPPED: {"epoch": epoch, "signal": signal.Signals(signum).name, "time": stamp}})
    return epoch


def _step_epoch(line: str) -> int | None:
    fields = line.rstrip("\n").split(",")
    if not line.endswith("\n") or len(fields) != 4 or not (fields[1].isascii() and fields[1].isdigit()):
        return None
    return int(fields[1])


def stopped_record(training: dict) -> dict | None:
    """``training.json``'s ``stopped`` entry when it is well formed, else None."""
    record = training.get(STOPPED) if isinstance(training, dict) else None
    if isinstance(record, dict) and isinstance(record.get("epoch"), int) and not isinstance(record["epoch"], bool):
        return record
    return None
