"""One writer per run folder: an exclusive ``fcntl.flock`` on ``<folder>/.lock``.

The lock file holds the PID of the process that has it. The operating system releases the
lock when that process ends, however it ends, so a killed writer never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = ".lock"


class LockedError(RuntimeError):
    """Another process is writing the run folder."""


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 32).decode("ascii", "replace").strip()
    return text if text.isascii() and text.isdigit() else "unknown"


@contextlib.contextmanager
def run_lock(folder: Path, what: str = "write") -> Iterator[None]:
    """Hold the folder's lock for the block; raise :class:`LockedError` at once if another process has it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"{folder} is being written by process {_holder(fd)}; cannot {what} it at the same time"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
