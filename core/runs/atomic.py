"""Atomic writes of run-folder files, and the fault hooks the crash tests use.

Every file is first written to a temporary name in its own folder, flushed and fsynced, and
then moved over the old one with ``os.replace``; the folder is fsynced after the move. A
reader therefore sees the old file or the new one, never a mix, whatever stops the writer.

A failed write (disk full, no permission) removes its temporary file, leaves the old file as
it was, and raises :class:`WriteError`, whose message names the file and the reason in one line.

Fault hooks: ``$ATTENTION_LAB_FAULT`` holds ``ACTION:POINT:N`` (several joined by commas) to
make the N-th write at the write point ``POINT`` (see :data:`WRITE_POINTS`) misbehave:

- ``kill-before``: the process kills itself (SIGKILL) before writing;
- ``kill-during``: half the bytes reach the temporary file, then SIGKILL;
- ``kill-after``: SIGKILL right after the file is in place;
- ``enospc``: the write fails as on a full disk.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

FAULT_ENV = "ATTENTION_LAB_FAULT"
TEMP_PREFIX = ".tmp-"
# every named write of a training run, in the order an epoch makes them
WRITE_POINTS = ("vocab", "config", "training", "steps", "checkpoint", "probes", "history", "weights", "metrics")
FAULT_ACTIONS = ("kill-before", "kill-during", "kill-after", "enospc")

_counts: Counter[str] = Counter()


class WriteError(OSError):
    """A run-folder file could not be written; the message is one line naming the file."""


def _faults() -> dict[tuple[str, int], str]:
    """``{(point, n): action}`` from ``$ATTENTION_LAB_FAULT``."""
    out = {}
    for item in filter(None, os.environ.get(FAULT_ENV, "").split(",")):
        action, point, n = item.split(":")
        out[(point, int(n))] = action
    return out


def _fault(point: str) -> str | None:
    """The action planned for this write at ``point`` (counting it), or None."""
    if not os.environ.get(FAULT_ENV):
        return None
    _counts[point] += 1
    return _faults().get((point, _counts[point]))


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can fsync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def describe(path: Path, error: OSError) -> str:
    """``cannot write history.csv in runs/x: No space left on device``: one line."""
    reason = error.strerror or str(error) or type(error).__name__
    return f"cannot write {path.name} in {path.parent}: {reason}"


def ensure_space(path: Path, needed: int) -> None:
    """Raise :class:`WriteError` (disk full) unless ``path``'s folder has ``needed`` bytes free.

    HDF5 writers are checked before they start: a full disk in the middle of an HDF5 write
    leaves the library in a state that can crash the process when it exits.
    """
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return  # cannot tell: let the write itself report
    if free < needed:
        raise WriteError(describe(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))))


def hdf5_bytes(variables: list, like: Path | None = None) -> int:
    """A generous estimate of the size of an HDF5 file holding ``variables``.

    The raw bytes plus 4 kB per dataset and 256 kB of slack, or the size of ``like`` (the
    previous file of the same kind) when that is larger.
    """
    import numpy as np

    raw = sum(math.prod(v.shape) * np.dtype(getattr(v.dtype, "name", v.dtype)).itemsize for v in variables)
    estimate = raw + 4096 * len(variables) + 256 * 1024
    with contextlib.suppress(OSError, TypeError):
        estimate = max(estimate, os.path.getsize(like) + 256 * 1024) if like is not None else estimate
    return estimate


@contextlib.contextmanager
def replacing(path: str | os.PathLike, point: str = "", needed: int = 0) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends, fsync it and move it into place.

    For writers that need a file name (HDF5 weights). The temporary name keeps ``path``'s
    suffixes (``.weights.h5``) so such writers accept it. ``needed``: bytes that must be free
    in the folder before the writer starts (see :func:`ensure_space`).
    """
    path = Path(path)
    action = _fault(point) if point else None
    if action == "kill-before":
        _die()
    if needed:
        ensure_space(path, needed)
    tmp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        yield tmp
        if action == "kill-during":
            with open(tmp, "r+b") as f:
                f.truncate(max(0, os.path.getsize(tmp) // 2))
            _die()
        if action == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError(describe(path, e)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)
    if action == "kill-after":
        _die()


def write_bytes(path: str | os.PathLike, data: bytes, point: str = "") -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring)."""
    with replacing(path, point) as tmp, open(tmp, "wb") as f:
        f.write(data)
        f.flush()


def write_text(path: str | os.PathLike, text: str, point: str = "") -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"), point)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or a number no process has: left alone
    return True


def remove_stale(folder: Path) -> list[str]:
    """Remove ``.tmp-<pid>-<name>`` files and folders directly in ``folder`` whose process is gone; their names.

    What a killed writer leaves (an export's staging folder, a temporary file); a writer that is
    still running keeps its own.
    """
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for p in entries:
        pid = p.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if not p.name.startswith(TEMP_PREFIX) or not pid.isascii() or not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
            removed.append(p.name)
    return removed


def remove_temporaries(folder: Path) -> None:
    """Delete temporary files a killed writer left in ``folder`` and its sub-folders."""
    if folder.is_dir():
        for p in folder.rglob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                p.unlink()
