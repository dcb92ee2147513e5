"""Showing user-provided text as text."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every Markdown/Streamlit-directive character so text shows literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: one starting with ``= + - @`` gets a ``'`` in front."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell
