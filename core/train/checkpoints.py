"""Resume checkpoints of a run: the last two epochs' model and optimiser state.

``checkpoint/epoch_NNN.weights.h5`` holds the state after epoch NNN (``model.save_weights``
of a compiled model includes Adam's moments and step count), ``checkpoint/epoch_NNN.json``
the epoch's ``history.csv`` row and the best epoch so far. The JSON is written after the
weights, so a checkpoint with both files is complete. A checkpoint is the commit of an
epoch: on resume, history, probes and best weights are brought in line with it.

Folders written by ``keras.callbacks.BackupAndRestore`` (``latest.weights.h5`` beside
``training_metadata.json``) are read too.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from core import runs
from core.runs import atomic

KEEP = 2
_NAME = re.compile(r"^epoch_(\d{3,6})\.json$")
_LEGACY_WEIGHTS, _LEGACY_META = "latest.weights.h5", "training_metadata.json"


@dataclass(frozen=True)
class Checkpoint:
    """One saved state: the epoch it ends, its weights file and what it recorded."""

    epoch: int
    weights: Path
    row: dict = field(default_factory=dict)  # the epoch's history row ({} for a legacy checkpoint)
    best_epoch: int | None = None  # the epoch whose weights model.weights.h5 holds after this one


def weights_path(folder: Path, epoch: int) -> Path:
    return folder / runs.CHECKPOINT / f"epoch_{epoch:03d}.weights.h5"


def weights_bytes(model) -> bytes:
    """The ``.weights.h5`` file of ``model`` (what ``model.save_weights`` writes), made in memory.

    HDF5 never writes to the disk itself: a full disk then fails the plain write of these
    bytes (:func:`write_weights`) with an ``OSError``, instead of failing inside the HDF5
    library, whose file can then not be closed without crashing the process.
    """
    from keras.src.saving import saving_lib

    buffer = io.BytesIO()
    store = saving_lib.H5IOStore(buffer, mode="w")
    try:
        saving_lib._save_state(model, weights_store=store, assets_store=None, inner_path="", visited_saveables=set())
    finally:
        store.close()
    return buffer.getvalue()


def write_weights(model, path: Path, point: str, needed: int = 0) -> None:
    """``model``'s weights at ``path``, atomically (see :func:`weights_bytes`); ``needed`` bytes checked free first."""
    if needed:
        atomic.ensure_space(path, needed)
    atomic.write_bytes(path, weights_bytes(model), point)


def save(model, folder: Path, epoch: int, row: dict, best_epoch: int | None) -> None:
    """Write the state after ``epoch`` and drop all but the last :data:`KEEP` checkpoints."""
    target = folder / runs.CHECKPOINT
    target.mkdir(exist_ok=True)
    meta = {"epoch": epoch, "row": row, "best_epoch": best_epoch}
    previous = found(folder)
    needed = atomic.hdf5_bytes(
        [*model.weights, *(model.optimizer.variables if model.optimizer else [])],
        like=previous[0].weights if previous else None,
    )
    write_weights(model, weights_path(folder, epoch), "checkpoint", needed)
    atomic.write_text(target / f"epoch_{epoch:03d}.json", json.dumps(meta) + "\n")
    for old in found(folder)[KEEP:]:
        for p in (old.weights, old.weights.with_name(f"epoch_{old.epoch:03d}.json")):
            p.unlink(missing_ok=True)


def _read(meta_file: Path) -> Checkpoint:
    data = json.loads(meta_file.read_text(encoding="utf-8"))
    epoch = data.get("epoch") if isinstance(data, dict) else None
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 1:
        raise ValueError(f"{meta_file.name} has no epoch number")
    row = data.get("row") if isinstance(data.get("row"), dict) else {}
    best = data.get("best_epoch")
    return Checkpoint(epoch, weights_path(meta_file.parent.parent, epoch), row, best if isinstance(best, int) else None)


def found(folder: Path) -> list[Checkpoint]:
    """Checkpoints with both files, newest first; unreadable descriptions are skipped."""
    target = folder / runs.CHECKPOINT
    if not target.is_dir():
        return []
    out = []
    for meta in target.iterdir():
        match = _NAME.match(meta.name)
        if not match:
            continue
        try:
            point = _read(meta)
        except (OSError, ValueError):
            continue
        if point.epoch == int(match.group(1)) and point.weights.is_file():
            out.append(point)
    legacy = target / _LEGACY_META
    if (target / _LEGACY_WEIGHTS).is_file() and legacy.is_file():
        try:
            epoch = json.loads(legacy.read_text(encoding="utf-8"))["epoch"]
            if isinstance(epoch, int) and epoch >= 1 and all(p.epoch != epoch for p in out):
                out.append(Checkpoint(epoch, target / _LEGACY_WEIGHTS))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return sorted(out, key=lambda p: p.epoch, reverse=True)


def restore(model, folder: Path, say=print) -> Checkpoint | None:
    """Load the newest checkpoint that loads into ``model``; a damaged one falls back to the one before.

    ``model`` must be compiled. Returns the checkpoint used, or None when none loads.
    """
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    for point in found(folder):
        try:
            model.load_weights(str(point.weights))
        except Exception as e:  # a damaged HDF5 file raises several kinds of errors
            first = (str(e).splitlines() or [type(e).__name__])[0][:200]
            say(f"checkpoint {point.weights.name} cannot be loaded ({first}); trying the one before")
            continue
        return point
    return None
