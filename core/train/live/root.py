"""The live root: the folder whose sub-folders are the runs started from the app, and its caps."""

from __future__ import annotations

import os
from pathlib import Path

from core import runs

LIVE_DIR_ENV = runs.LIVE_DIR_ENV
DEFAULT_ROOT = runs.MODEL_ROOTS[2]
STATE_FILE = "live.json"  # what the last start launched (core.train.live.state)
LIVE_LOCK = ".live.lock"  # held by the training process while it runs: one live run per machine
LOGS = ".logs"  # <name>.log: the training process's output, one file per run
MAX_RUNS = 3  # live runs kept, the one about to start included; the oldest go first
MAX_BYTES = 300_000_000  # all live runs together


class RootError(ValueError):
    """The live root is a place live runs must not be written or removed (a shipped model folder)."""


def live_root() -> Path:
    """``$ATTENTION_LAB_LIVE_DIR``, else ``runs/live`` in the project."""
    value = os.environ.get(LIVE_DIR_ENV)
    return Path(value) if value else DEFAULT_ROOT


def check_root(root: Path) -> Path:
    """``root`` resolved; :class:`RootError` when it is, holds or lies inside the shipped models' folder."""
    resolved = root.resolve()
    shipped = (runs.PROJECT_ROOT / "assets").resolve()
    if resolved == shipped or shipped.is_relative_to(resolved) or resolved.is_relative_to(shipped):
        raise RootError(f"the live root {root.name} overlaps the shipped models in assets/: set {LIVE_DIR_ENV}")
    return resolved


def is_model_root(root: Path) -> bool:
    """Whether the model picker lists the runs in ``root`` (then a finished live run appears on every page)."""
    resolved = root.resolve()
    return any(r.resolve() == resolved for r in runs.model_roots())


def log_file(root: Path, name: str) -> Path:
    return root / LOGS / f"{name}.log"
