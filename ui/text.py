"""Showing user-provided text as text."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every Markdown/Streamlit-directive character so text shows literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
