"""UI strings in English and Chinese: one JSON catalogue per language in ``ui/locales/``.

Pages call ``t("page.key", name=value)``; the current language lives in
``st.session_state[LANG_KEY]``. A key missing from a catalogue falls back to English, and a
key missing from English is shown as the key itself so the gap is visible, not fatal.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT = "en"
LANG_KEY = "app_lang"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The strings of one language, read once per process (read-only afterwards)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {sorted(LANGUAGES)}")
    with open(LOCALES / f"{lang}.json", encoding="utf-8") as f:
        return json.load(f)


def language() -> str:
    lang = st.session_state.get(LANG_KEY, DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT


def translate(key: str, lang: str, **values) -> str:
    text = catalogue(lang).get(key) or catalogue(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def t(key: str, **values) -> str:
    """The UI string ``key`` in the current language, with ``{placeholders}`` filled in."""
    return translate(key, language(), **values)
