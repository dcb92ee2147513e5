"""Clicks take turns: at most a few run at once in the app's process, the earliest deadline first.

When a class presses Translate together, every session's script thread wants the interpreter at
the same moment. Python shares it among them (its lock passes from thread to thread every few
milliseconds), so every click finishes near the end of the burst: a greedy click that needs
50 ms of CPU waits as long as the class's beam searches, and the first heatmap appears only when
nearly all are done. Here the work of a click (decoding and drawing its result) waits for a
turn. At most :func:`default_slots` clicks hold one at a time, and the next turn goes to the waiting
click with the earliest *deadline*: its arrival plus the time a class is promised for its
decoding (:data:`BUDGET_S`, the targets of ``bench/load.py``). A greedy click thus overtakes
beam searches that arrived less than a second before it, never older ones, so no click
starves; clicks of one decoding keep their order of arrival.

A click that has waited :data:`MAX_WAIT_S` runs without a turn rather than wait longer (a stuck
turn never stalls a class). ``ATTENTION_LAB_CLICK_SLOTS`` sets the number of turns; 0 turns the
queue off.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

SLOTS_ENV = "ATTENTION_LAB_CLICK_SLOTS"
BUDGET_S = {"greedy": 2.0, "beam": 3.0}  # what a class is promised, per decoding (bench/load.py)
MAX_WAIT_S = 30.0


def default_slots() -> int:
    """Turns at once: ``ATTENTION_LAB_CLICK_SLOTS``, else one per core (a click's ops run beside another's Python)."""
    value = os.environ.get(SLOTS_ENV, "").strip()
    if value.isdigit():
        return int(value)
    return max(1, os.cpu_count() or 1)


class Turns:
    """A queue of clicks: ``with turns.turn(budget_s): ...`` runs the block in its turn."""

    def __init__(self, slots: int, max_wait_s: float = MAX_WAIT_S, clock=time.monotonic):
        if slots < 0:
            raise ValueError(f"slots must be >= 0, not {slots}")
        self.slots, self.max_wait_s, self.clock = slots, max_wait_s, clock
        self._cond = threading.Condition()
        self._waiting: list[tuple[float, int]] = []  # (deadline, arrival number): a heap
        self._running = 0
        self._numbers = itertools.count()

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _acquire(self, budget_s: float) -> bool:
        """Wait for a turn; True when one was taken, False after waiting ``max_wait_s`` without one."""
        start = self.clock()
        entry = (start + budget_s, next(self._numbers))
        with self._cond:
            heapq.heappush(self._waiting, entry)
            while not (self._running < self.slots and self._waiting[0] == entry):
                left = start + self.max_wait_s - self.clock()
                if left <= 0:
                    self._waiting.remove(entry)
                    heapq.heapify(self._waiting)
                    self._cond.notify_all()  # the head may have changed
                    return False
                self._cond.wait(left)
            heapq.heappop(self._waiting)
            self._running += 1
            self._cond.notify_all()  # the next in line may take a free slot too
            return True

    def _release(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify_all()

    @contextmanager
    def turn(self, budget_s: float) -> Iterator[None]:
        """Run the block in this click's turn (at once when the queue is off)."""
        if self.slots == 0:
            yield
            return
        taken = self._acquire(budget_s)
        try:
            yield
        finally:
            if taken:
                self._release()


TURNS = Turns(default_slots())  # one queue for every session of the process


def budget_s(decoding: str) -> float:
    """The time a class is promised for ``decoding``; the longest for a decoding without a target."""
    return BUDGET_S.get(decoding, max(BUDGET_S.values()))


def click_turn(decoding: str) -> AbstractContextManager[None]:
    """The process's queue; use as ``with click_turn(decoding): ...`` around a click's work."""
    return TURNS.turn(budget_s(decoding))
