"""The weights file of a model folder: an HDF5 file that opens, of a bounded size, every number finite.

:func:`check` is what :func:`core.runs.model_files.check_weights` runs. The scan for NaN and
infinite values reads the file dataset by dataset in slabs of at most :data:`SLAB` values, so
its memory stays bounded whatever the file claims; a file whose datasets hold more than
:data:`MAX_VALUES` values in all (a compressed file can claim far more than its bytes) is
refused before any is read. A scan is remembered until the file changes (its device, inode,
size and modification time), so a listing every few seconds reads each file once.
"""

from __future__ import annotations

import math
import os
import stat
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from core.runs.cost import MAX_PARAMS

MAX_VALUES = 2 * MAX_PARAMS  # values in all datasets of one file (the budget's parameters, float16 or float32)
SLAB = 1 << 22  # values read at once
MAX_DATASETS = 10_000
_REMEMBERED = 4096  # files whose scan is kept

_scans: OrderedDict[tuple, str | None] = OrderedDict()
_scans_lock = threading.Lock()


def signature(path: Path) -> tuple:
    """What identifies one version of a file: its path, device, inode, size and modification time."""
    info = os.stat(path)
    return (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, stat.S_IFMT(info.st_mode))


def _datasets(f) -> list:
    import h5py

    found = []

    def visit(_name, obj):
        if isinstance(obj, h5py.Dataset):
            found.append(obj)
            if len(found) > MAX_DATASETS:
                raise ValueError(f"more than {MAX_DATASETS:,} datasets")

    f.visititems(visit)
    return found


def _non_finite(dataset) -> bool:
    """Whether a float dataset holds a NaN or an infinity (read in slabs along its first axis)."""
    if dataset.dtype.kind not in "fc" or dataset.size == 0:
        return False
    if dataset.ndim == 0:
        return not np.isfinite(dataset[()]).all()
    per_row = max(1, math.prod(dataset.shape[1:]))
    step = max(1, SLAB // per_row)
    return any(not np.isfinite(dataset[start : start + step]).all() for start in range(0, dataset.shape[0], step))


def scan(path: Path) -> str | None:
    """Why the HDF5 file at ``path`` cannot be used (one line), or None; raises OSError if it cannot be read."""
    import h5py

    with h5py.File(path, "r") as f:
        datasets = _datasets(f)
        values = sum(d.size for d in datasets)
        if values > MAX_VALUES:
            return f"holds {values:,} values; at most {MAX_VALUES:,} are allowed"
        bad = [d.name for d in datasets if _non_finite(d)]
    if bad:
        return f"holds NaN or infinite values ({len(bad)} array(s), e.g. {bad[0][-60:]}); the model cannot be used"
    return None


def check(path: Path) -> str | None:
    """:func:`scan`, remembered for the file's current version."""
    key = signature(path)
    with _scans_lock:
        if key in _scans:
            _scans.move_to_end(key)
            return _scans[key]
    try:
        problem = scan(path)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as e:
        problem = f"is not a readable HDF5 file ({type(e).__name__}: {str(e)[:100]})"
    with _scans_lock:
        _scans[key] = problem
        while len(_scans) > _REMEMBERED:
            _scans.popitem(last=False)
    return problem
