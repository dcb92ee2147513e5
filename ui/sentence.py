"""The sentence form and the guarded call into a model that the translating pages share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from core import runs
from core.text import MAX_INPUT_CHARS
from ui.i18n import t
from ui.lesson import adopt, sync_box
from ui.models import error_text, get_translator
from ui.text import escape_markdown

T = TypeVar("T")


def sentence_area(prefix: str) -> str:
    """The English sentence box of a page's form, its value kept under ``<prefix>sentence``."""
    return st.text_area(
        t("translate.sentence"),
        # the box's current text is also its default: a browser that redraws the box without
        # its own copy of the value (seen after a language switch) shows this, not an empty box
        value=st.session_state.get(prefix + "sentence", ""),
        help=t("translate.sentence_help", n=MAX_INPUT_CHARS),
        height=68,  # two lines: a 12-word sentence reads whole, the chart stays on the first screen
        key=prefix + "sentence",
    )


def sentence_form(prefix: str, submit: str, options: Callable[[], Any] | None = None) -> tuple[bool, str, Any]:
    """A page's compact form: the lesson's sentence beside its button, the page's options under them.

    The box shows the lesson's sentence (:mod:`ui.lesson`); a submitted box makes its text the
    lesson's. Returns ``(submitted, text, options())``.
    """
    sync_box(prefix)
    with st.form(prefix + "form"):
        box, button = st.columns([5, 1], vertical_alignment="bottom")
        with box:
            text = sentence_area(prefix)
        submitted = button.form_submit_button(submit, type="primary", width="stretch")
        chosen = options() if options is not None else None
    if submitted:
        adopt(prefix, text)
    return submitted, text, chosen


def run_model(model: runs.RunInfo, text: str, work: Callable[[object, str], T], working: str) -> tuple[str, T] | None:
    """``(text, work(translator, text))`` for a submitted sentence, or None after telling the user why not.

    Empty input gets a hint, over-long input is cut to ``MAX_INPUT_CHARS`` with a warning, and any
    error of the model is shown as a message with its type — never a traceback.
    """
    if not text or not text.strip():
        st.info(t("translate.empty"))
        return None
    if len(text) > MAX_INPUT_CHARS:
        st.warning(t("translate.too_long_chars", n=len(text), cap=MAX_INPUT_CHARS))
        text = text[:MAX_INPUT_CHARS]
    try:
        with st.spinner(working):
            translator = get_translator(str(model.path))
            return text, work(translator, text)
    except Exception as e:  # the page shows a message, never a traceback
        st.error(t("translate.failed", model=model.name, error=escape_markdown(error_text(e))))
        return None
