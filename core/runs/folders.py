"""Run folders: the files a training run writes and everything that reads them.

A run folder holds::

    config.json          ModelConfig of the model
    training.json        how it was trained (data, split, epochs, batch size, seed, ...)
    model.weights.h5     weights (best validation loss, or the last epoch: training.json's "saved")
    vocab_src.txt        source vocabulary, one token a line
    vocab_tgt.txt        target vocabulary
    history.csv          one row per epoch
    steps.csv            optional per-step loss log
    tensorboard/         TensorBoard event files
    probes/epoch_NNN.json  attention of the probe sentences after each epoch
    checkpoint/          latest epoch's weights and optimiser state (for --resume)
    metrics.json         test-set scores written by ``python -m core.evaluate``
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from core.runs import atomic, model_files
from core.runs.names import (
    CONFIG,
    HISTORY,
    HISTORY_COLUMNS,
    MAX_HISTORY_FIELD,
    METRICS,
    PROBES,
    REQUIRED_FILES,
    SRC_VOCAB,
    TGT_VOCAB,
    TOKENIZER,
    TRAINING,
    WEIGHTS,
    RunError,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODEL_ROOTS = (PROJECT_ROOT / "assets", PROJECT_ROOT / "runs", PROJECT_ROOT / "runs" / "live")
MODEL_DIRS_ENV = "ATTENTION_LAB_MODEL_DIRS"  # os.pathsep-separated folders to search instead
LIVE_DIR_ENV = "ATTENTION_LAB_LIVE_DIR"  # where the runs started from the app live (see core.train.live.root)


def model_roots() -> tuple[Path, ...]:
    """Folders whose sub-folders are models: ``$ATTENTION_LAB_MODEL_DIRS``, else ``assets/``, ``runs/``
    and the live runs' folder (``runs/live/`` or ``$ATTENTION_LAB_LIVE_DIR``)."""
    value = os.environ.get(MODEL_DIRS_ENV)
    if value:
        return tuple(Path(p) for p in value.split(os.pathsep) if p)
    live = os.environ.get(LIVE_DIR_ENV)
    return (*MODEL_ROOTS[:2], Path(live)) if live else MODEL_ROOTS


@dataclass(frozen=True)
class RunInfo:
    """A model found on disk: its folder, display name, and any error found reading it."""

    name: str
    path: Path
    error: str | None = None


def is_run(path: Path) -> bool:
    return (path / CONFIG).is_file()


def display_name(part: str) -> str:
    """A file or folder name as a page may show it: bytes that are not UTF-8 and control characters escaped.

    ``bad\\xff`` for a folder whose name is the bytes ``bad`` and ``0xff``; such a name cannot
    be sent to a browser as it is.
    """
    text = os.fsencode(part).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


NOT_UTF8 = "the folder's name or path is not UTF-8 text (shown with \\x escapes); rename it to use the model"


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_staging(path: Path) -> bool:
    """A hidden folder, among them the ``.tmp-<pid>-<name>`` staging folder of an export (killed or under way)."""
    return path.name.startswith(".")


def _candidates(root: Path) -> list[Path]:
    """The folders directly under ``root`` that hold a ``config.json``; none when ``root`` cannot be listed."""
    try:
        entries = sorted(root.iterdir()) if root.is_dir() else []
    except OSError:
        return []
    found = []
    for p in entries:
        try:
            if not is_staging(p) and p.is_dir() and is_run(p):
                found.append(p)
        except OSError:  # a name too long, a link loop: not a model
            continue
    return found


_CHECKED_FILES = (CONFIG, SRC_VOCAB, TGT_VOCAB, TOKENIZER, WEIGHTS, METRICS, TRAINING)
_checks: OrderedDict[tuple, str | None] = OrderedDict()  # a folder's files' signature -> what check() said
_checks_lock = threading.Lock()
_CHECKS_KEPT = 4096


def _signature(path: Path) -> tuple:
    """The folder and each file ``model_files.check`` reads: link and target, inode, size, modification time."""
    out: list = [str(path)]
    for name in ("", *_CHECKED_FILES):
        for look in (os.lstat, os.stat):
            try:
                info = look(path / name if name else path)
                out.append((info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode))
            except OSError as e:
                out.append(e.errno)
    return tuple(out)


def _check(path: Path) -> str | None:
    """``model_files.check(path)``, remembered until one of the files it reads changes; never raises."""
    key = _signature(path)
    with _checks_lock:
        if key in _checks:
            _checks.move_to_end(key)
            return _checks[key]
    try:
        error = model_files.check(path)
    except Exception as e:  # noqa: BLE001 - whatever a folder holds, the listing goes on
        error = model_files.scrub(f"{type(e).__name__}: {e}")[:300]
    with _checks_lock:
        _checks[key] = error
        while len(_checks) > _CHECKS_KEPT:
            _checks.popitem(last=False)
    return error


def find_runs(roots: tuple[Path, ...] | list[Path] | None = None) -> list[RunInfo]:
    """Run folders directly under each root (``assets/<name>``, ``runs/<name>``), every file checked.

    A model is named ``<root's name>/<folder>`` (see :func:`display_name`); when two roots
    share a name, the later one's models get the root's parent folder in front, so no two
    models share a name. Each folder's check is remembered until one of its files changes.
    Hidden folders (an export's staging folder) are not models; a
    folder whose path is not UTF-8 is listed, unusable, with :data:`NOT_UTF8` (its path cannot
    key a cache or reach a browser).
    """

    found, names = [], set()
    for root in model_roots() if roots is None else roots:
        for path in _candidates(root):
            missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
            error = f"missing {', '.join(missing)}" if missing else _check(path)
            if not _is_text(str(path)):
                error = NOT_UTF8
            base = f"{display_name(root.name)}/{display_name(path.name)}"
            name = base
            if name in names:
                name = f"{display_name(root.parent.name)}/{base}"
            n = 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
            names.add(name)
            found.append(RunInfo(name=name, path=path, error=error))
    return found


def read_history(path: Path) -> list[dict[str, float]]:
    """Rows of ``history.csv`` as floats, every column of :data:`HISTORY_COLUMNS` present (NaN if absent).

    Raises :class:`RunError` naming the file, line and value on anything malformed: not
    UTF-8, a missing ``epoch`` or ``loss`` column, an epoch that is not a whole number, a
    cell that is not a number, or a cell longer than :data:`MAX_HISTORY_FIELD` characters.
    """

    folder, name = (path, HISTORY) if path.is_dir() else (path.parent, path.name)
    if not (folder / name).is_file():
        raise RunError(f"no {HISTORY} in {folder.name}")
    text = model_files.read_text(folder, name)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in ("epoch", "loss") if c not in header]
        if missing:
            shown = [h[:20] for h in header[:10]]
            raise RunError(f"{name} lacks columns {missing}; it has {shown}")
        rows = []
        for fields in reader:
            if not fields:
                continue
            rows.append(_history_row(name, reader.line_num, header, fields))
    except csv.Error as e:
        raise RunError(f"{name} line {reader.line_num}: {e}") from None
    return rows


def _history_row(name: str, line: int, header: list[str], fields: list[str]) -> dict[str, float]:
    if len(fields) > len(header):
        raise RunError(f"{name} line {line} has {len(fields)} fields; the header has {len(header)}")
    row = dict.fromkeys(HISTORY_COLUMNS, math.nan)
    for key, cell in zip(header, fields, strict=False):
        if not key:
            continue
        cell = cell.strip()
        if len(cell) > MAX_HISTORY_FIELD:
            raise RunError(f"{name} line {line}, column {key[:20]}: a cell of {len(cell):,} characters")
        try:
            row[key] = float(cell) if cell else math.nan
        except ValueError:
            raise RunError(f"{name} line {line}, column {key[:20]}: {cell[:20]!r} is not a number") from None
    epoch = row["epoch"]
    if not math.isfinite(epoch) or epoch < 1 or epoch != int(epoch) or epoch > 100_000:
        raise RunError(f"{name} line {line}: epoch {fields[header.index('epoch')][:20]!r} is not a whole number ≥ 1")
    return row


def write_history(path: Path, rows: list[dict[str, float]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HISTORY_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in HISTORY_COLUMNS} | {"epoch": int(row["epoch"])})
    atomic.write_text(path / HISTORY, out.getvalue(), "history")


def read_json(path: Path, name: str) -> dict | None:
    """A JSON object of the folder ``path`` (None when the file is absent), read through the validating reader."""

    if not (path / name).exists() and not (path / name).is_symlink():
        return None
    return model_files.read_object(path, name)


def read_metrics(path: Path) -> dict | None:
    """``metrics.json``, each field checked (raises :class:`RunError` on a defect)."""

    return model_files.read_metrics(path)


def write_metrics(path: Path, metrics: dict) -> None:
    """Write ``metrics.json`` of the run folder at ``path`` (readable JSON, accents kept), atomically."""
    write_json_atomic(path / METRICS, metrics, "metrics")


def write_config(path: Path, config) -> None:
    """Write a :class:`~core.models.config.ModelConfig` as ``config.json`` at ``path``, atomically."""
    atomic.write_text(path, config.to_json(), "config")


def write_vocab(path: Path, vocab) -> None:
    """Write a :class:`~core.text.vocab.Vocabulary` at ``path``, atomically."""
    atomic.write_text(path, vocab.to_text(), "vocab")


def write_json_atomic(path: Path, data: dict, point: str = "") -> None:
    """Write ``data`` as readable JSON at ``path`` through a temporary file, fsync and ``os.replace``."""
    atomic.write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", point)


def weights_load(path: Path) -> bool:
    """Whether the folder's weights file is an HDF5 file that opens."""

    try:
        model_files.check_weights(path)
    except RunError:
        return False
    return True


def probe_epochs(path: Path) -> list[int]:
    """Epochs for which probe-sentence attention was saved."""
    folder = path / PROBES
    if not folder.is_dir():
        return []
    names = (p.stem.split("_")[1] for p in folder.glob("epoch_*.json"))
    return sorted(int(n) for n in names if n.isascii() and n.isdigit() and len(n) <= 6)


def probe_file(path: Path, epoch: int) -> Path:
    return path / PROBES / f"epoch_{epoch:03d}.json"


def read_probes(path: Path, epoch: int) -> list[dict]:
    """Probe translations of one epoch: source/target tokens and attention lists, each checked."""

    file = probe_file(path, epoch)
    if not file.exists():
        raise RunError(f"no probes for epoch {epoch} in {path.name}")
    name = f"{PROBES}/{file.name}"
    return model_files.check_probes(model_files.read_object(path, name), name)


def describe_hardware() -> str:
    """This machine in a few words: CPU cores and any GPUs TensorFlow sees."""
    import platform

    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    cpu = f"{os.cpu_count()} CPU cores ({platform.machine()})"
    return f"{cpu}, {len(gpus)} GPU(s)" if gpus else f"{cpu}, no GPU"
