"""Helpers of the live-training tests: a corpus with long epochs, a stand-in process, waiting with a deadline."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ADJECTIVES = [("big", "grande"), ("small", "pequeño"), ("old", "viejo"), ("new", "nuevo"), ("red", "rojo"),
              ("black", "negro"), ("white", "blanco"), ("good", "bueno"), ("bad", "malo"), ("tall", "alto")]  # fmt: skip
NOUNS = [("dog", "perro"), ("cat", "gato"), ("man", "hombre"), ("boy", "niño"), ("horse", "caballo"),
         ("bird", "pájaro"), ("car", "coche"), ("book", "libro"), ("train", "tren"), ("fish", "pez"),
         ("teacher", "maestro"), ("friend", "amigo"), ("house", "edificio"), ("tree", "árbol"), ("ship", "barco")]  # fmt: skip
VERBS = [("sleeps", "duerme"), ("runs", "corre"), ("eats", "come"), ("waits", "espera"), ("falls", "cae"),
         ("sings", "canta"), ("works", "trabaja"), ("stays", "queda"), ("wins", "gana"), ("swims", "nada")]  # fmt: skip


def write_corpus(path: Path, n: int = 1500) -> Path:
    """``n`` distinct pairs (at most 1500) ``the <adj> <noun> <verb> .`` / ``el <noun> <adj> <verb> .``: long epochs."""
    combos = itertools.islice(itertools.product(ADJECTIVES, NOUNS, VERBS), n)
    lines = [f"the {a} {o} {v} .\tel {o_es} {a_es} {v_es} .\n" for (a, a_es), (o, o_es), (v, v_es) in combos]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def sleeper(seconds: float = 60) -> Callable[[list[str], Path, tuple[int, ...]], subprocess.Popen]:
    """A stand-in for :func:`core.live.process.spawn`: a process that holds the passed file descriptors and sleeps."""

    def spawn(argv: list[str], log: Path, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
        log.parent.mkdir(parents=True, exist_ok=True)
        code = f"import time; time.sleep({seconds})"
        return subprocess.Popen([sys.executable, "-c", code], pass_fds=pass_fds, start_new_session=True)

    return spawn


def wait_until(condition: Callable[[], object], timeout: float, what: str, every: float = 0.2):
    """Poll ``condition`` until it is truthy (returned) or ``timeout`` seconds pass (AssertionError naming ``what``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
