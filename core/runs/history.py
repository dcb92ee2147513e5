"""Training curves of run folders: reading, validating, smoothing and laying them out for plotting.

Sources of one run's curves:

- ``history.csv``: one row per finished epoch (see :data:`core.runs.names.HISTORY_COLUMNS`);
- ``steps.csv``: the running training loss and accuracy every few steps (optional);
- ``tensorboard/{train,validation}/events.out.tfevents.*``: the same epoch values written by
  ``keras.callbacks.TensorBoard`` (tags ``epoch_loss``, ``epoch_masked_accuracy``, ...).

Files of a run being trained grow while they are read: a last line or record without its end
is the part still being written and is left out. Everything else that is malformed raises
:class:`HistoryError`, whose ``code`` and ``values`` let a caller word the message itself.

The x axis of a curve is the epoch, the optimiser step or the wall time. Epoch ``e`` ends at
step ``e × S`` with ``S`` steps per epoch, taken from TensorBoard's
``evaluation_loss_vs_iterations`` (exact) or estimated from the step log (see
:func:`steps_per_epoch`).
"""

from __future__ import annotations

import csv
import io
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.runs import names

METRICS = ("loss", "accuracy")
SPLITS = ("train", "validation")
X_AXES = ("epoch", "step", "wall_time")
X_COLUMNS = {"epoch": "epoch", "step": "step", "wall_time": "wall_time_min"}  # column name in the long form
METRIC_COLUMNS = ("loss", "val_loss", "accuracy", "val_accuracy")
NUMERIC_COLUMNS = ("epoch", *METRIC_COLUMNS, "learning_rate", "wall_time")
STEP_COLUMNS = ("step", "epoch", "loss", "accuracy")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # the same as the server's upload cap
MAX_ROWS = 100_000
MAX_EVENT_BYTES = 16 * 1024 * 1024  # one TensorBoard event file (a 100-epoch run writes a few kB)
MAX_EVENT_FILES = 64  # event files per split folder (one per start or resume of a run)

MESSAGES = {
    "empty": "The file is empty.",
    "too_large": "The file has {size} bytes; at most {limit} are allowed.",
    "not_utf8": "The file is not UTF-8 text (undecodable byte at position {position}).",
    "columns": "The file needs an `epoch` column and at least one of {wanted}; its columns are {columns}.",
    "no_rows": "The file has a header but no rows.",
    "too_many_rows": "The file has more than {limit} rows.",
    "fields": "Row {row} (line {line}) has {found} fields; the header has {expected}.",
    "not_number": "Row {row} (line {line}), column `{column}`: “{value}” is not a number.",
    "no_epoch": "Row {row} (line {line}) has no epoch number.",
    "missing_file": "There is no {file} in {folder}.",
    "no_events": "There are no TensorBoard event files in {folder}.",
    "bad_events": "The event file {file} is damaged at byte {offset}: {error}",
    "no_steps": "Epochs cannot be mapped to steps: the run has no step log with two epochs or more.",
    "no_wall_time": "The curves have no wall time.",
    "bad_csv": "Line {line} cannot be read as CSV: {error}",
    "bad_file": "{error}",
}


class HistoryError(ValueError):
    """A history that cannot be read or used; ``code`` is a key of :data:`MESSAGES`."""

    def __init__(self, code: str, **values) -> None:
        self.code, self.values = code, values
        super().__init__(MESSAGES[code].format(**values))


@dataclass(frozen=True)
class RunCurves:
    """One run's curves: epoch rows, the step log (if any) and its steps per epoch (if known)."""

    epochs: pd.DataFrame  # columns "epoch" and some of NUMERIC_COLUMNS, one row per epoch
    steps: pd.DataFrame | None = None  # columns STEP_COLUMNS
    steps_per_epoch: float | None = None
    missing_epochs: tuple[int, ...] = ()  # epochs of history.csv that the TensorBoard events lack


# --------------------------------------------------------------------------- CSV


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise HistoryError("not_utf8", position=e.start) from None


def parse_csv(
    text: str, columns: tuple[str, ...], required: str, wanted: tuple[str, ...], growing: bool, limit: int | None = None
) -> pd.DataFrame:
    """Rows of a CSV as a frame of the known numeric ``columns`` found in its header.

    ``required`` must be a column, and at least one of ``wanted``.
    With ``growing`` a last line without its newline is dropped (a writer is mid-way through
    it); otherwise it counts. Other columns are ignored; empty cells become NaN.
    """
    if not text.strip():
        raise HistoryError("empty")
    lines = text.splitlines(keepends=True)
    if growing and lines and not lines[-1].endswith(("\n", "\r")):
        lines.pop()
    reader = csv.reader(io.StringIO("".join(lines)))
    try:
        return _parse_rows(reader, columns, required, wanted, limit)
    except csv.Error as e:  # e.g. a field over the csv module's limit: refused, the limit is kept
        raise HistoryError("bad_csv", line=reader.line_num, error=str(e)[:100]) from None


def _parse_rows(reader, columns, required, wanted, limit) -> pd.DataFrame:
    header = [h.strip() for h in next(reader, [])]
    known = [c for c in columns if c in header]
    if required not in header or not any(c in header for c in wanted):
        shown = ", ".join(h[:30] for h in header[:12])
        raise HistoryError("columns", wanted=", ".join(wanted), columns=shown or "none")
    index = {c: header.index(c) for c in known}
    values: dict[str, list[float]] = {c: [] for c in known}
    row = 0
    for fields in reader:
        if not fields:  # a blank line
            continue
        row, line = row + 1, reader.line_num
        if limit is not None and row > limit:
            raise HistoryError("too_many_rows", limit=limit)
        if len(fields) != len(header):
            raise HistoryError("fields", row=row, line=line, found=len(fields), expected=len(header))
        for c, i in index.items():
            cell = fields[i].strip()
            try:
                value = float(cell) if cell else math.nan
            except ValueError:
                raise HistoryError("not_number", row=row, line=line, column=c, value=cell[:40]) from None
            if c == required and not math.isfinite(value):
                raise HistoryError("no_epoch", row=row, line=line)
            values[c].append(value)
    return pd.DataFrame(values, columns=known, dtype=float)


def _drop_repeats(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Sorted by ``key``; of rows with the same key the last written wins (resumed runs)."""
    return frame.drop_duplicates(key, keep="last").sort_values(key, kind="stable").reset_index(drop=True)


def validate_upload(data: bytes) -> pd.DataFrame:
    """A user's ``history.csv`` as epoch rows; raises :class:`HistoryError` saying what is wrong."""
    if not data:
        raise HistoryError("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise HistoryError("too_large", size=len(data), limit=MAX_UPLOAD_BYTES)
    frame = parse_csv(_decode(data), NUMERIC_COLUMNS, "epoch", METRIC_COLUMNS, growing=False, limit=MAX_ROWS)
    if frame.empty:
        raise HistoryError("no_rows")
    return _drop_repeats(frame, "epoch")


def _read(folder: Path, name: str, limit: int | None = None) -> bytes:
    """A file's bytes through the validating reader (inside the folder, within its size cap)."""
    from core.runs import model_files

    try:
        return model_files.read_bytes(folder, name, limit)
    except model_files.ModelFileError as e:
        raise HistoryError("bad_file", error=str(e)) from None


def read_history(folder: Path) -> pd.DataFrame:
    """The finished epochs of a run folder's ``history.csv`` (none yet: an empty frame)."""
    file = folder / names.HISTORY
    if not file.is_file():
        raise HistoryError("missing_file", file=names.HISTORY, folder=folder.name)
    text = _decode(_read(folder, names.HISTORY))
    if not text.strip() or "\n" not in text:  # nothing yet, or the header is being written
        return pd.DataFrame(columns=["epoch"], dtype=float)
    return _drop_repeats(parse_csv(text, NUMERIC_COLUMNS, "epoch", METRIC_COLUMNS, growing=True), "epoch")


def read_steps(folder: Path) -> pd.DataFrame | None:
    """The step log of a run folder (``steps.csv``), or None when it has none."""
    file = folder / names.STEPS
    if not file.is_file():
        return None
    text = _decode(_read(folder, names.STEPS))
    if "\n" not in text:
        return None
    return _drop_repeats(parse_csv(text, STEP_COLUMNS, "step", METRICS, growing=True), "step")


def steps_per_epoch(steps: pd.DataFrame | None) -> float | None:
    """Steps per epoch ``S`` estimated from a step log with columns ``step`` and ``epoch``.

    Epoch ``e`` ends at step ``e × S``, so every step logged in epoch ``e`` is at most ``e × S``
    and every step logged in epoch ``e + 1`` is above it. These bounds pin ``S`` to within the
    logging interval divided by the epoch number; the middle of the interval is returned.
    Without an upper bound (fewer than two epochs logged) ``S`` is unknown: None.
    """
    if steps is None or steps.empty or "epoch" not in steps:
        return None
    epochs = steps.dropna(subset=["epoch", "step"]).groupby("epoch")["step"]
    last, first = epochs.max(), epochs.min()
    lows = [last[e] / e for e in last.index if e >= 1]
    highs = [(first[e + 1] - 1) / e for e in last.index if e >= 1 and e + 1 in first.index]
    if not lows or not highs:
        return None
    low, high = math.ceil(max(lows)), math.floor(min(highs))
    if high < low:  # an inconsistent log (e.g. restarted counts): trust the lower bound
        return float(low)
    return float(round((low + high) / 2))


# --------------------------------------------------------------------------- TensorBoard

_TAGS = {  # Keras TensorBoard tag -> history column (before the validation prefix)
    "epoch_loss": "loss",
    "epoch_masked_accuracy": "accuracy",
    "epoch_accuracy": "accuracy",
    "epoch_learning_rate": "learning_rate",
}
_ITERATIONS = "evaluation_loss_vs_iterations"  # validation loss at the step count of each epoch's end


def _records(data: bytes):
    """The records of a TFRecord file's bytes; a last record still being written is left out."""
    offset = 0
    while offset + 12 <= len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        end = offset + 12 + length + 4  # length, its CRC, the record, its CRC
        if end > len(data):
            return
        yield offset, data[offset + 12 : offset + 12 + length]
        offset = end


def _scalar(value) -> float | None:
    """The number of a scalar summary; None for anything else, or for a tensor whose bytes do not match its shape."""
    if value.HasField("simple_value"):
        return float(value.simple_value)
    if not value.HasField("tensor"):
        return None
    tensor = value.tensor
    if math.prod(d.size for d in tensor.tensor_shape.dim) != 1:  # only scalars; never expand a claimed shape
        return None
    from tensorboard.util import tensor_util

    try:
        array = tensor_util.make_ndarray(tensor)
    except (ValueError, TypeError, KeyError):  # bytes that do not fill the shape, an unknown dtype
        return None
    return float(array.reshape(-1)[0]) if array.size == 1 and array.dtype.kind in "fiu" else None


def _read_events(run: Path, split: str) -> tuple[list[tuple[str, int, float, float]], list[tuple[float, float]]]:
    """``(tag, step, wall_time, value)`` of every scalar in a split's event files, and each file's (first, last) time.

    Each file is read through the validating reader: a regular file inside the run folder, at
    most :data:`MAX_EVENT_BYTES`.
    """
    from google.protobuf.message import DecodeError
    from tensorboard.compat.proto import event_pb2

    folder = f"{names.TENSORBOARD}/{split}"
    files = sorted((run / folder).glob("events.out.tfevents.*"))
    if len(files) > MAX_EVENT_FILES:
        raise HistoryError(
            "bad_file", error=f"{folder} holds {len(files)} event files; at most {MAX_EVENT_FILES} are read"
        )
    scalars, spans = [], []
    for file in files:
        first = last = None
        for offset, record in _records(_read(run, f"{folder}/{file.name}", MAX_EVENT_BYTES)):
            try:
                event = event_pb2.Event.FromString(record)
            except DecodeError as e:
                raise HistoryError("bad_events", file=file.name, offset=offset, error=str(e) or "undecodable") from None
            first = event.wall_time if first is None else min(first, event.wall_time)
            last = event.wall_time if last is None else max(last, event.wall_time)
            for value in event.summary.value:
                number = _scalar(value)
                if number is not None:
                    scalars.append((value.tag, int(event.step), float(event.wall_time), number))
        if first is not None:
            spans.append((float(first), float(last)))
    return scalars, spans


def training_clock(spans: list[tuple[float, float]]):
    """Seconds of training before a time stamp: idle gaps between training sessions do not count.

    ``spans`` are the (first, last) time stamps of every event file; overlapping spans are one
    session (a run's train and validation files), and the time between one session's end and the
    next one's start (a run stopped and resumed days later) is left out, as ``history.csv`` does.
    """
    merged: list[list[float]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    origin = merged[0][0] if merged else 0.0

    def clock(t: float) -> float:
        idle = sum(nxt[0] - prev[1] for prev, nxt in zip(merged, merged[1:], strict=False) if nxt[0] <= t)
        return t - origin - idle

    return clock


def read_tensorboard(folder: Path) -> RunCurves:
    """Epoch rows from a run's ``tensorboard/`` events; wall time is training time from the first event.

    Keras writes ``epoch_*`` tags with the 0-based epoch index as step. Steps per epoch come
    from ``evaluation_loss_vs_iterations``, whose k-th value of a file is logged at step k × S.
    """
    board = folder / names.TENSORBOARD
    files = sorted(board.glob("*/events.out.tfevents.*")) if board.is_dir() else []
    if not files:
        raise HistoryError("no_events", folder=f"{folder.name}/{names.TENSORBOARD}")
    columns: dict[tuple[int, str], float] = {}
    wall: dict[int, float] = {}
    ratios: list[float] = []
    train, train_spans = _read_events(folder, "train")
    validation, val_spans = _read_events(folder, "validation")
    clock = training_clock(train_spans + val_spans)
    for prefix, scalars in (("", train), ("val_", validation)):
        seen = 0
        for tag, step, wall_time, value in scalars:
            if tag == _ITERATIONS:
                seen += 1
                ratios.append(step / seen)
            elif tag in _TAGS:
                epoch = step + 1
                columns[(epoch, prefix + _TAGS[tag])] = value
                if prefix == "" or epoch not in wall:
                    wall[epoch] = clock(wall_time)
    epochs = sorted({e for e, _ in columns})
    present = [c for c in NUMERIC_COLUMNS[1:-1] if any(k[1] == c for k in columns)]
    frame = pd.DataFrame(
        {
            "epoch": np.asarray(epochs, dtype=float),
            **{c: [columns.get((e, c), math.nan) for e in epochs] for c in present},
            "wall_time": [round(wall.get(e, math.nan), 1) for e in epochs],
        }
    )
    steps = read_steps(folder)
    per_epoch = float(np.median(ratios)) if ratios else steps_per_epoch(steps)
    return RunCurves(frame, steps, per_epoch, _lacking(folder, epochs))


def _lacking(folder: Path, epochs: list[int]) -> tuple[int, ...]:
    """Epochs that ``history.csv`` has and the events lack (a kill between the two writes); () without a history."""
    try:
        logged = read_history(folder)["epoch"]
    except (HistoryError, OSError):
        return ()
    return tuple(sorted(int(e) for e in set(logged.dropna().astype(int)) - set(epochs)))


def read_run(folder: Path, source: str = "history") -> RunCurves:
    """A run folder's curves from ``history`` (CSV logs) or ``tensorboard`` (event files)."""
    if source == "tensorboard":
        return read_tensorboard(folder)
    if source != "history":
        raise ValueError(f"source {source!r} is not 'history' or 'tensorboard'")
    steps = read_steps(folder)
    return RunCurves(read_history(folder), steps, steps_per_epoch(steps))


# --------------------------------------------------------------------------- smoothing and layout


def ema(values: np.ndarray | list[float], weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average of a curve (``values`` (n,)).

    ``last = weight · last + (1 − weight) · value`` starting from 0, divided by
    ``1 − weight^k`` after the k-th finite value so early points are not pulled to zero.
    Non-finite values pass through unchanged. ``weight`` 0 returns the curve itself.
    """
    if not 0 <= weight < 1:
        raise ValueError(f"smoothing weight {weight} is not in [0, 1)")
    values = np.asarray(values, dtype=float)
    out = values.copy()
    last, count = 0.0, 0
    for i, value in enumerate(values):
        if not math.isfinite(value):
            continue
        last = weight * last + (1 - weight) * value
        count += 1
        out[i] = last / (1 - weight**count)
    return out


def epoch_x(epochs: pd.DataFrame, x: str, per_epoch: float | None) -> np.ndarray:
    """The x position of each epoch row (``epochs`` (n rows,)): epoch, step ``e × S``, or minutes."""
    if x == "epoch":
        return epochs["epoch"].to_numpy(dtype=float)
    if x == "step":
        if not per_epoch:
            raise HistoryError("no_steps")
        return epochs["epoch"].to_numpy(dtype=float) * per_epoch
    if x == "wall_time":
        if "wall_time" not in epochs or epochs["wall_time"].isna().all():
            raise HistoryError("no_wall_time")
        return epochs["wall_time"].to_numpy(dtype=float) / 60
    raise ValueError(f"x axis {x!r} is not one of {X_AXES}")


def long_form(curves: RunCurves, run: str, metrics: list[str] | tuple[str, ...], x: str, weight: float) -> pd.DataFrame:
    """One run's plotted points: columns run, split, metric, the x column, value, smoothed.

    On the step axis a run with a step log draws its training curve from every logged step.
    """
    xcol = X_COLUMNS[x]
    parts = []
    for metric in metrics:
        for split, column in (("train", metric), ("validation", f"val_{metric}")):
            steps = curves.steps
            if x == "step" and split == "train" and steps is not None and metric in steps and len(steps):
                xs, ys = steps["step"].to_numpy(dtype=float), steps[metric].to_numpy(dtype=float)
            elif column in curves.epochs and len(curves.epochs):
                xs, ys = epoch_x(curves.epochs, x, curves.steps_per_epoch), curves.epochs[column].to_numpy(dtype=float)
            else:
                continue
            keep = np.isfinite(xs) & np.isfinite(ys)
            xs, ys = xs[keep], ys[keep]
            if not len(ys):
                continue
            parts.append(
                pd.DataFrame(
                    {"run": run, "split": split, "metric": metric, xcol: xs, "value": ys, "smoothed": ema(ys, weight)}
                )
            )
    if not parts:
        return pd.DataFrame(columns=["run", "split", "metric", xcol, "value", "smoothed"])
    return pd.concat(parts, ignore_index=True)
