"""The live root's caps: at most a few runs and a few hundred megabytes, the oldest removed first.

Only a folder directly in the live root, not a link, holding nothing but what a training run
writes, and not being written (its run lock is free) is ever removed: a shipped model, a folder
someone put there by hand, or the running one is left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from core.runs.lock import LockedError, run_lock
from core.train import args as train_args
from core.train.live.root import check_root, log_file


def live_runs(root: Path) -> list[Path]:
    """The folders in the root that live runs made, the least recently written first."""
    if not root.is_dir():
        return []
    found = []
    for p in root.iterdir():
        if p.name.startswith(".") or p.is_symlink() or not p.is_dir():
            continue
        with contextlib.suppress(OSError):
            found.append((p.stat().st_mtime, p.name, p))
    return [p for _, _, p in sorted(found)]


def folder_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (links not followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def removable(root: Path, folder: Path) -> bool:
    """Whether ``folder`` is a live run's folder that may be removed (see the module docstring)."""
    resolved = check_root(root)
    if folder.is_symlink() or not folder.is_dir() or folder.resolve().parent != resolved:
        return False
    return not train_args.foreign_entries(folder)


def remove(root: Path, folder: Path) -> bool:
    """Remove one live run's folder and its log; False when it may not be removed or is being written."""
    if not removable(root, folder):
        return False
    try:
        with run_lock(folder, "remove"):
            shutil.rmtree(folder)
    except LockedError:
        return False
    except OSError:
        return False
    log_file(root, folder.name).unlink(missing_ok=True)
    return True


def prune(root: Path, keep: int, max_bytes: int, spare: frozenset[str] = frozenset()) -> list[str]:
    """Remove the oldest live runs until at most ``keep`` remain and they take at most ``max_bytes``.

    Folders named in ``spare`` stay. Returns the names removed; :class:`RootError` for a root
    that overlaps the shipped models.
    """
    check_root(root)
    runs = [p for p in live_runs(root) if p.name not in spare]
    sizes = {p.name: folder_bytes(p) for p in runs}
    total = sum(sizes.values())
    removed = []
    for p in runs:
        if len(runs) - len(removed) <= keep and total <= max_bytes:
            break
        if remove(root, p):
            removed.append(p.name)
            total -= sizes[p.name]
    return removed
