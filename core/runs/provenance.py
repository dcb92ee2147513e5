"""Where a run folder's weights come from: which epoch was saved, why, and the commands that trained it.

``training.json`` holds, beside the :class:`~core.train.TrainConfig` fields::

    "commands": ["python -m core.train --out runs/x --epochs 10", "... --resume ..."]
    "saved": {"epoch": 14, "keep": "last", "val_loss": 1.0813, "best_epoch": 11, "best_val_loss": 1.0802}

``keep`` is the rule that chose the weights: ``best`` keeps the epoch of the lowest
*validation* loss (the test split is never looked at while training), ``last`` the latest
epoch. ``best_epoch`` / ``best_val_loss`` name the validation optimum either way, so a reader
sees what ``last`` gave up.
"""

from __future__ import annotations

import math
import shlex
from pathlib import Path

from core.runs import folders, names

KEEP_RULES = ("best", "last")
COMMANDS = "commands"
SAVED = "saved"
TRAIN_COMMAND = "python -m core.train"


def command_line(argv: list[str]) -> str:
    """The shell command that runs ``core.train`` with ``argv``, quoted so that it can be pasted back."""
    return " ".join([TRAIN_COMMAND, shlex.join(argv)]) if argv else TRAIN_COMMAND


def should_save(keep: str, val_loss: float, best_val_loss: float, have_weights: bool) -> bool:
    """Whether the weights of an epoch that reached ``val_loss`` replace the saved ones under rule ``keep``."""
    if keep not in KEEP_RULES:
        raise ValueError(f"--keep {keep!r} is not one of {KEEP_RULES}")
    if keep == "last" or not have_weights or math.isnan(val_loss):
        return True
    return val_loss <= best_val_loss


def saved_record(keep: str, epoch: int, val_loss: float, history: list[dict[str, float]]) -> dict:
    """``training.json``'s ``saved`` entry for weights of ``epoch`` chosen by ``keep``, given the history so far."""
    scored = [r for r in history if not math.isnan(r.get("val_loss", math.nan))]
    best = min(scored, key=lambda r: r["val_loss"]) if scored else None
    return {
        "epoch": int(epoch),
        "keep": keep,
        "val_loss": None if math.isnan(val_loss) else float(val_loss),
        "best_epoch": int(best["epoch"]) if best else None,
        "best_val_loss": float(best["val_loss"]) if best else None,
    }


def read_training(path: Path) -> dict:
    """The run folder's ``training.json`` as a dict (empty when there is none)."""
    return folders.read_json(path, names.TRAINING) or {}


def update_training(path: Path, **entries) -> None:
    """Set top-level ``entries`` of ``training.json`` in the run folder at ``path``, keeping the rest."""
    training = {**read_training(path), **entries}
    folders.write_json_atomic(path / names.TRAINING, training)


def saved(path: Path) -> dict | None:
    """Which epoch's weights the run folder holds and by which rule.

    From ``training.json``'s ``saved`` entry; a run written before it was recorded kept the
    epoch of the lowest validation loss, which ``history.csv`` names (``keep`` ``best``).
    ``None`` when neither file says; a damaged ``training.json`` counts as one that does not say.
    """
    try:
        record = read_training(path).get(SAVED)
    except (names.RunError, OSError):
        record = None
    if isinstance(record, dict) and isinstance(record.get("epoch"), int):
        return record
    try:
        history = folders.read_history(path)
    except names.RunError:
        return None
    scored = [r for r in history if not math.isnan(r.get("val_loss", math.nan))]
    if not scored:
        return None
    best = min(scored, key=lambda r: r["val_loss"])
    return saved_record("best", int(best["epoch"]), best["val_loss"], history)


INIT_FROM = "init_from"


def started_from(path: Path) -> tuple[str, int | None] | None:
    """The folder whose weights the run started from, by name, and the epoch of the weights it held.

    From ``training.json``'s ``init_from`` (``core.train --init-from``); the epoch is read from the
    folder of that name beside this one (None where it is not there). None for a run trained from
    scratch or a ``training.json`` that cannot be read. Only a name, never a path, leaves here.
    """
    try:
        value = read_training(path).get(INIT_FROM)
    except (names.RunError, OSError):
        return None
    if not isinstance(value, str) or not value.strip():
        return None
    parent = Path(value).name
    record = saved(path.parent / parent) if parent and (path.parent / parent / names.TRAINING).is_file() else None
    return parent, record["epoch"] if record else None


def commands(path: Path) -> list[str]:
    """The command lines recorded in the run folder, oldest first (``core.train``, then ``core.train.export``)."""
    value = read_training(path).get(COMMANDS)
    return [c for c in value if isinstance(c, str)] if isinstance(value, list) else []
