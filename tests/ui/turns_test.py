"""The click queue: deadlines decide the order, the slots bound the work at once, nothing stalls."""

from __future__ import annotations

import threading
import time

import pytest

from ui.turns import BUDGET_S, SLOTS_ENV, Turns, budget_s, click_turn, default_slots

WAIT_S = 5.0  # bound on every wait in these tests


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _until(condition) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _held(turns: Turns) -> tuple[threading.Event, threading.Thread]:
    """A click that holds a turn until the event is set."""
    release = threading.Event()

    def hold():
        with turns.turn(BUDGET_S["greedy"]):
            release.wait(WAIT_S)

    holder = threading.Thread(target=hold)
    holder.start()
    _until(lambda: turns.running == 1)
    return release, holder


def _order_of(arrivals: list[tuple[str, float]]) -> list[str]:
    """The order in which clicks (decoding, arrival time) get the one turn while it is held."""
    clock = Clock()
    turns = Turns(1, clock=clock)
    release, holder = _held(turns)
    order, threads = [], []
    for n, (decoding, at) in enumerate(arrivals):
        clock.now = at

        def click(name=f"{decoding}{n}", budget=BUDGET_S[decoding]):
            with turns.turn(budget):
                order.append(name)

        threads.append(threading.Thread(target=click))
        threads[-1].start()
        _until(lambda n=n: turns.waiting == n + 1)
    release.set()
    for t in [holder, *threads]:
        t.join(WAIT_S)
    assert turns.running == 0 and turns.waiting == 0
    return order


def test_a_greedy_click_overtakes_a_beam_search_that_came_just_before() -> None:
    assert _order_of([("beam", 0.0), ("greedy", 0.5)]) == ["greedy1", "beam0"]


def test_an_older_beam_search_is_never_overtaken() -> None:
    assert _order_of([("beam", 0.0), ("greedy", 1.5)]) == ["beam0", "greedy1"]


def test_clicks_of_one_decoding_keep_their_order() -> None:
    assert _order_of([("greedy", 0.0), ("greedy", 0.0), ("beam", 0.1), ("beam", 0.1)]) == [
        "greedy0", "greedy1", "beam2", "beam3",
    ]  # fmt: skip


def test_no_more_clicks_run_at_once_than_there_are_slots() -> None:
    turns = Turns(2)
    lock, now, most = threading.Lock(), [0], [0]

    def click():
        with turns.turn(BUDGET_S["greedy"]):
            with lock:
                now[0] += 1
                most[0] = max(most[0], now[0])
            time.sleep(0.01)
            with lock:
                now[0] -= 1

    threads = [threading.Thread(target=click) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT_S)
    assert most[0] == 2 and turns.running == 0 and turns.waiting == 0


def test_an_error_in_a_turn_frees_it() -> None:
    turns = Turns(1)
    with pytest.raises(RuntimeError), turns.turn(1.0):
        raise RuntimeError("the model failed")
    assert turns.running == 0
    with turns.turn(1.0):
        assert turns.running == 1


def test_a_stuck_turn_lets_the_others_run_after_the_longest_wait() -> None:
    turns = Turns(1, max_wait_s=0.2)
    release, holder = _held(turns)
    started = time.monotonic()
    with turns.turn(1.0):
        waited = time.monotonic() - started
        assert turns.running == 1  # ran without a turn of its own
    assert 0.2 <= waited < WAIT_S and turns.waiting == 0
    release.set()
    holder.join(WAIT_S)
    assert turns.running == 0


def test_a_click_that_gives_up_waiting_leaves_the_queue_in_order() -> None:
    turns = Turns(1, max_wait_s=0.2)
    release, holder = _held(turns)
    gave_up = threading.Thread(target=lambda: turns.turn(1.0).__enter__())  # no turn after 0.2 s
    gave_up.start()
    gave_up.join(WAIT_S)
    assert turns.waiting == 0
    turns.max_wait_s = WAIT_S
    order = []

    def patient():
        with turns.turn(3.0):
            order.append("patient")

    later = threading.Thread(target=patient)
    later.start()
    _until(lambda: turns.waiting == 1)
    release.set()
    for t in (holder, later):
        t.join(WAIT_S)
    assert order == ["patient"] and turns.running == 0


def test_zero_slots_turn_the_queue_off() -> None:
    turns = Turns(0)
    with turns.turn(1.0), turns.turn(1.0):
        assert turns.running == 0 and turns.waiting == 0


def test_slots_come_from_the_environment_or_the_cores(monkeypatch) -> None:
    monkeypatch.setenv(SLOTS_ENV, "3")
    assert default_slots() == 3
    monkeypatch.setenv(SLOTS_ENV, "0")
    assert default_slots() == 0
    monkeypatch.setenv(SLOTS_ENV, "many")
    assert default_slots() >= 1
    monkeypatch.delenv(SLOTS_ENV)
    assert default_slots() >= 1


def test_unknown_decodings_get_the_longest_budget() -> None:
    assert budget_s("greedy") == BUDGET_S["greedy"] < budget_s("beam") == BUDGET_S["beam"]
    assert budget_s("nbest") == max(BUDGET_S.values())
    with click_turn("nbest"):
        pass


def test_a_negative_number_of_slots_is_refused() -> None:
    with pytest.raises(ValueError):
        Turns(-1)


def test_the_budgets_are_the_load_benchmarks_targets() -> None:
    from bench.load import TARGETS

    assert {"greedy": TARGETS["p95_greedy_s"], "beam": TARGETS["p95_beam_s"]} == BUDGET_S
