"""The page-level guard: whatever a page or the sidebar raises becomes one short message, never a traceback.

``guarded(run, where)`` runs a part of the app (the sidebar, a page). An exception that
escapes it is logged with its traceback on the server (logger ``attention_lab.pages``) and
shown as one line naming the selected model by its display name, the error's type and its
message with absolute paths cut to their last part and undecodable characters escaped.
Streamlit's own control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) derives from
``BaseException`` and passes through. What escapes even this (a widget callback) is cut by
``client.showErrorDetails = "none"`` in ``.streamlit/config.toml``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

LOG = logging.getLogger("attention_lab.pages")
MAX_SHOWN = 300  # characters of an error a page shows


def safe_text(text: str) -> str:
    """``text`` that encodes as UTF-8: a file name's undecodable bytes as ``\\xff``, other lone surrogates escaped."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def short(error: BaseException) -> str:
    """An error in one line: its type and message, absolute paths cut, at most :data:`MAX_SHOWN` characters."""
    from core.runs.model_files import scrub

    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - an exception whose message itself fails
        message = ""
    text = safe_text(scrub(f"{type(error).__name__}: {message}" if message else type(error).__name__))
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def guarded(run: Callable[[], object], where: str) -> None:
    """Run ``run()``; an exception becomes a message on the page and a traceback in the server log."""
    try:
        run()
    except Exception as e:  # noqa: BLE001 - the guard of last resort: every error becomes a message
        from ui.i18n import t
        from ui.models import MODEL_KEY
        from ui.text import escape_markdown

        model = safe_text(str(st.session_state.get(MODEL_KEY) or "–"))
        LOG.exception("%s failed with the model %s", where, model)
        st.error(t("guard.failed", model=escape_markdown(model), error=escape_markdown(short(e))))
