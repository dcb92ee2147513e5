"""The live state file: written atomically, read back, every damaged field a StateError naming it."""

from __future__ import annotations

import json

import pytest

from core.train.live.root import STATE_FILE
from core.train.live.state import LiveState, StateError, read_state, valid_name, write_state

STATE = LiveState(run="20250101-101500-additive-2min", pid=1234, pid_start=5678, started=1.5e9, preset="2min",
                  mechanism="additive", epochs=6, command=["nice", "python", "-m", "core.train"])  # fmt: skip


def test_round_trip_and_absent(tmp_path):
    assert read_state(tmp_path) is None
    write_state(tmp_path, STATE)
    assert read_state(tmp_path) == STATE
    assert not [p for p in tmp_path.iterdir() if p.name != STATE_FILE]  # no temporary left


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("run", "../assets/additive", "'run'"),
        ("run", ".hidden", "'run'"),
        ("pid", -1, "'pid'"),
        ("pid", True, "'pid'"),
        ("epochs", "6", "'epochs'"),
        ("pid_start", "x", "'pid_start'"),
        ("started", None, "'started'"),
        ("stop_requested", "soon", "'stop_requested'"),
        ("preset", "x" * 41, "'preset'"),
        ("command", "python", "'command'"),
    ],
)
def test_damaged_fields_are_named(tmp_path, field, value, words):
    data = {**json.loads(json.dumps(STATE.__dict__)), field: value}
    (tmp_path / STATE_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(StateError, match=words):
        read_state(tmp_path)


@pytest.mark.parametrize("content", [b"{", b"\xff\xfe", b"[]", b"x" * 70_000])
def test_unreadable_files(tmp_path, content):
    (tmp_path / STATE_FILE).write_bytes(content)
    with pytest.raises(StateError, match=STATE_FILE):
        read_state(tmp_path)


def test_valid_names():
    assert valid_name("20250101-101500-local-p-2min")
    assert not any(valid_name(n) for n in ("", ".", "..", "a/b", "-x", "a b", None, "x" * 101))
