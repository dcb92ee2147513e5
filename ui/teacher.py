"""The teacher key: only a session that typed it may start, stop, continue or delete live runs.

The key comes from the server's configuration: ``$ATTENTION_LAB_TEACHER_KEY``, else
``teacher_key`` in ``.streamlit/secrets.toml``. With neither, live training is view-only. A
typed key is compared in constant time (``hmac.compare_digest``), again at every action, so a
key changed on the server takes effect at the next click.
"""

from __future__ import annotations

import hmac
import os
import unicodedata

import streamlit as st

KEY_ENV = "ATTENTION_LAB_TEACHER_KEY"
SECRET_NAME = "teacher_key"
MAX_KEY_CHARS = 200
TYPED_KEY = "live_teacher_key"  # session state: the key this session typed (kept across pages)


def configured_key() -> str | None:
    """The server's teacher key, or None when none is set (an empty value counts as none)."""
    value = os.environ.get(KEY_ENV)
    if not value:
        try:
            value = st.secrets.get(SECRET_NAME) if st.secrets.load_if_toml_exists() else None
        except Exception:  # noqa: BLE001 - a broken secrets.toml reads as "no key": view-only, never a traceback
            value = None
    return value if isinstance(value, str) and value.strip() else None


def normalise(typed: str | None) -> str:
    """What a typed key is compared as: NFC, surrounding spaces cut, at most :data:`MAX_KEY_CHARS` characters."""
    return unicodedata.normalize("NFC", typed or "").strip()[:MAX_KEY_CHARS]


def is_teacher(typed: str | None = None) -> bool:
    """Whether ``typed`` (default: this session's typed key) is the server's teacher key."""
    key = configured_key()
    typed = normalise(st.session_state.get(TYPED_KEY) if typed is None else typed)
    if key is None or not typed:
        return False
    return hmac.compare_digest(typed.encode("utf-8"), normalise(key).encode("utf-8"))
