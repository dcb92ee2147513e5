"""Helpers of the live-training tests: a corpus with long epochs, a stand-in process, waiting with a deadline."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

COLD = "I am cold."
UNIFORM = [[0.25] * 4] * 3
DIAGONAL = [[0.1, 0.8, 0.05, 0.05], [0.0, 0.05, 0.9, 0.05], [0.0, 0.0, 0.1, 0.9]]
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
    """A stand-in for :func:`core.train.live.process.spawn`: a process that holds the passed file descriptors and sleeps."""

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


def write_quick_run(folder: Path, tiny_config, epochs_done: int = 2) -> None:
    """A run folder written by hand: a tiny untrained model, ``epochs_done`` epochs of history and step log,
    and probe files of ``I am cold.`` at epoch 0 (even rows) and at the last epoch (a diagonal)."""
    from core import runs
    from core.models import build_model
    from core.text import tokenize
    from core.text.vocab import Vocabulary
    from tests.conftest import TINY_PAIRS

    folder.mkdir(parents=True)
    src = Vocabulary.adapt([tokenize(en) for en, _ in TINY_PAIRS], 30)
    tgt = Vocabulary.adapt([tokenize(es) for _, es in TINY_PAIRS], 40)
    config = tiny_config(len(src), len(tgt))
    runs.write_config(folder / runs.CONFIG, config)
    runs.write_vocab(folder / runs.SRC_VOCAB, src)
    runs.write_vocab(folder / runs.TGT_VOCAB, tgt)
    build_model(config).save_weights(str(folder / runs.WEIGHTS))
    runs.write_history(folder, [{"epoch": e, "loss": 3.0 - 0.5 * e, "val_loss": 3.1 - 0.4 * e, "accuracy": 0.2 * e,
                                 "val_accuracy": 0.18 * e, "wall_time": 10.0 * e} for e in range(1, epochs_done + 1)])  # fmt: skip
    steps = "".join(
        f"{s},{(s - 1) // 10 + 1},{3.5 - 0.05 * s:.3f},{0.01 * s:.3f}\n" for s in range(5, 10 * epochs_done + 1, 5)
    )
    (folder / runs.STEPS).write_text("step,epoch,loss,accuracy\n" + steps, encoding="utf-8")
    (folder / runs.PROBES).mkdir()
    for epoch, target, attention in (
        (0, ["sos", "gato", "ven"], UNIFORM),
        (epochs_done, ["tengo", "frío", "."], DIAGONAL),
    ):
        probe = {"source": COLD, "source_tokens": ["i", "am", "cold", "."], "target_tokens": target,
                 "unknown": [False] * 4, "attention": attention}  # fmt: skip
        runs.probe_file(folder, epoch).write_text(json.dumps({"epoch": epoch, "probes": [probe]}), encoding="utf-8")
