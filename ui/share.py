"""Shareable links: a page's view is encoded in query parameters and restored from them.

A link is read once per browser session and page: each parameter is parsed by a validator
that accepts only known values (model names that exist, bounded integers, capped text).
Anything else is refused with a message and the page keeps its defaults. After its widgets
are drawn, a page publishes its current state so the address bar always holds a link that
reopens the same view.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import streamlit as st

from core.text import MAX_INPUT_CHARS, normalize
from ui.i18n import t
from ui.text import escape_markdown

_READ = "share_read"  # set of (page, param) already applied in this browser session
_SHOWN = 60  # characters of a refused value echoed back
MAX_DIGITS = 9  # an integer in a link has at most this many ASCII digits


class Refused(ValueError):
    """A query-parameter value that is not on the allow-list."""


def _echo(value: str) -> str:
    value = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
    return escape_markdown(value)


def one_of(allowed: Collection[str]) -> Callable[[str], str]:
    """Accept exactly one of ``allowed`` (e.g. the names of the models on disk)."""

    def parse(value: str) -> str:
        if value not in allowed:
            raise Refused(value)
        return value

    return parse


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """Accept a decimal integer in ``[lo, hi]``: ASCII digits only (not ``²`` or ``①``), at most :data:`MAX_DIGITS`."""

    def parse(value: str) -> int:
        digits = value.strip()
        if not (0 < len(digits) <= MAX_DIGITS and digits.isascii() and digits.isdigit()):
            raise Refused(value)
        if not lo <= int(digits) <= hi:
            raise Refused(value)
        return int(digits)

    return parse


def sentence(value: str) -> str:
    """Accept text up to the input cap, NFC-normalised; longer text is refused, not cut."""
    if len(value) > MAX_INPUT_CHARS or not value.strip():
        raise Refused(value)
    return normalize(value)


def _first_visit_value(page: str, param: str) -> str | None:
    """``?param=`` of the link a page was first opened with in this session, else None.

    Only that first link counts, not what the page publishes into the address bar later.
    """
    read = st.session_state.setdefault(_READ, set())
    if (page, param) in read:
        return None
    read.add((page, param))
    return st.query_params.get(param)


def from_link(page: str, param: str, key: str, parse: Callable[[str], Any]) -> bool:
    """Before the widget ``key`` is drawn, set it from ``?param=`` of the link, once per session.

    Returns True when the link's value was applied (a page may then redo what the link shows).
    """
    raw = _first_visit_value(page, param)
    if raw is None:
        return False
    try:
        st.session_state[key] = parse(raw)
    except Refused:
        st.warning(t("share.refused", param=param, value=_echo(raw)))
        return False
    return True


def from_link_list(page: str, param: str, key: str, parse: Callable[[str], Any], limit: int) -> bool:
    """Like :func:`from_link` for a comma-separated list (e.g. several models), at most ``limit``."""
    raw = _first_visit_value(page, param)
    if raw is None:
        return False
    good = []
    for item in [v for v in raw.split(",") if v][:limit]:
        try:
            good.append(parse(item))
        except Refused:
            st.warning(t("share.refused", param=param, value=_echo(item)))
    if good:
        st.session_state[key] = good
    return bool(good)


def publish(**params: Any) -> None:
    """Write the page's current view into the address bar; ``None`` removes a parameter."""
    for name, value in params.items():
        if value is None or value == [] or value == "":
            if name in st.query_params:
                del st.query_params[name]
            continue
        text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        if st.query_params.get(name) != text:
            st.query_params[name] = text
