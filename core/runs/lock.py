"""One writer per run folder: an exclusive ``fcntl.flock`` on the folder itself and on ``<folder>/.lock``.

A writer creates ``.lock`` and writes its PID there (the message to a second writer names
it). A process that only reads the folder and must keep writers out meanwhile (an export)
passes ``create=False``: it locks the folder and an existing ``.lock`` but creates nothing,
so a read-only source (a shipped model) is left as it was. The operating system releases the
locks when their process ends, however it ends, so a killed writer never blocks the next one.
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


def _lock(fd: int, folder: Path, what: str, holder_fd: int | None) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(holder_fd) if holder_fd is not None else "unknown"
        raise LockedError(f"{folder} is being written by process {holder}; cannot {what} it at the same time") from None


@contextlib.contextmanager
def run_lock(folder: Path, what: str = "write", create: bool = True) -> Iterator[None]:
    """Hold the folder's lock for the block; raise :class:`LockedError` at once if another process has it.

    ``create=False``: the folder must exist and nothing is written into it (see the module docstring).
    """
    folder = Path(folder)
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    fds: list[int] = []
    try:
        fds.append(os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)))
        file_fd = None
        if create:
            file_fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        else:
            with contextlib.suppress(OSError):  # a writer of an older version locks only this file
                file_fd = os.open(folder / LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        if file_fd is not None:
            fds.append(file_fd)
        for fd in fds:
            _lock(fd, folder, what, file_fd)
        if create:
            os.ftruncate(file_fd, 0)
            os.pwrite(file_fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            if create:
                with contextlib.suppress(OSError):
                    os.ftruncate(file_fd, 0)
    finally:
        for fd in reversed(fds):
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
