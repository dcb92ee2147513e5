"""The live root's state file: which run the last start launched, as which process, and when.

Written atomically by the app (:mod:`core.train.live.launcher`) under the root's writer lock; read by
every page that shows the live run. The process is named by its PID and its start time (clock
ticks since boot), so a PID that the system gave to another process later is not taken for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.runs import atomic
from core.train.live.root import STATE_FILE

MAX_STATE_BYTES = 64 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class StateError(ValueError):
    """The state file is damaged; the message names the file and the field."""


@dataclass(frozen=True)
class LiveState:
    """One start: the run folder's name in the root, the process and the choices that made it."""

    run: str
    pid: int
    pid_start: int | None  # clock ticks since boot when the process started (None: not known here)
    started: float  # Unix time
    preset: str
    mechanism: str
    epochs: int  # the epochs the run trains to
    command: list[str] = field(default_factory=list)
    stop_requested: float | None = None  # Unix time of the first Stop


def valid_name(name: str) -> bool:
    """A plain folder name: letters, digits, ``.``, ``_``, ``-``; no path, not hidden."""
    return isinstance(name, str) and bool(_NAME.match(name)) and name not in (".", "..")


def read_state(root: Path) -> LiveState | None:
    """The state file of ``root`` (None when there is none); :class:`StateError` when it is damaged."""
    path = root / STATE_FILE
    try:
        if path.stat().st_size > MAX_STATE_BYTES:
            raise StateError(f"{STATE_FILE} is larger than {MAX_STATE_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StateError(f"{STATE_FILE} cannot be read: {type(e).__name__}") from None
    return _parse(data)


def _parse(data) -> LiveState:
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise StateError(f"{STATE_FILE}: {what}")

    need(isinstance(data, dict), "not a JSON object")
    need(valid_name(data.get("run")), "'run' must be a plain folder name")
    for key in ("pid", "epochs"):
        value = data.get(key)
        need(isinstance(value, int) and not isinstance(value, bool) and value > 0, f"'{key}' must be a whole number")
    start = data.get("pid_start")
    need(start is None or (isinstance(start, int) and not isinstance(start, bool)), "'pid_start' must be a number")
    for key in ("started", "stop_requested"):
        value = data.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        need(ok or (key == "stop_requested" and value is None), f"'{key}' must be a time")
    for key in ("preset", "mechanism"):
        need(isinstance(data.get(key), str) and len(data[key]) <= 40, f"'{key}' must be a short text")
    command = data.get("command", [])
    need(isinstance(command, list) and all(isinstance(c, str) for c in command), "'command' must be a list of text")
    return LiveState(
        run=data["run"],
        pid=data["pid"],
        pid_start=start,
        started=float(data["started"]),
        preset=data["preset"],
        mechanism=data["mechanism"],
        epochs=data["epochs"],
        command=list(command),
        stop_requested=None if data.get("stop_requested") is None else float(data["stop_requested"]),
    )


def write_state(root: Path, state: LiveState) -> None:
    """Write the state file atomically (the caller holds the root's writer lock)."""
    atomic.write_text(root / STATE_FILE, json.dumps(asdict(state), indent=2, ensure_ascii=False) + "\n")
