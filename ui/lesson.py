"""The lesson's sentence: one English sentence shared by every translating page and by the link.

A lesson is one sentence seen through many views. The sentence lives in the session under
:data:`LESSON_KEY` — not under a widget's key, which Streamlit drops when its page is left — and
in the address bar as the app-wide link parameter ``text``. Each translating page:

1. calls :func:`sync_box` before drawing its sentence box: the box shows the lesson's sentence
   whenever another page (or a link, or an example) changed it since this page last showed it;
2. calls :func:`adopt` when its form is submitted: the box's text becomes the lesson's sentence;
3. asks :func:`stale` whether the result it holds was computed for another sentence or model,
   and if so computes it again (:func:`mark_shown` records what it computed), so a page never
   shows the result of a sentence other than the one in its box.
"""

from __future__ import annotations

import streamlit as st

from ui.examples import DEFAULT_SENTENCE
from ui.share import publish

LESSON_KEY = "lesson_sentence"
_SEEN = "lesson_seen"  # suffix: the lesson sentence a page last put in its box
_SHOWN = "lesson_shown"  # suffix: (model, sentence) of the result a page holds


def lesson() -> str:
    """The lesson's sentence (the default sentence until someone types another)."""
    return st.session_state.setdefault(LESSON_KEY, DEFAULT_SENTENCE)


def set_lesson(text: str) -> None:
    """Make ``text`` the lesson's sentence (an example's click, say); pages pick it up on their next run."""
    st.session_state[LESSON_KEY] = text


def sync_box(prefix: str) -> str:
    """Before ``<prefix>sentence`` is drawn: put the lesson's sentence in it unless this page set it.

    The box keeps its own text in the run that submits it (the lesson has not changed since the
    page last showed it); it takes the lesson's sentence when the box is new (its page was left and
    Streamlit dropped its state) or the lesson changed elsewhere. Returns the lesson's sentence.
    """
    current = lesson()
    box, seen = prefix + "sentence", prefix + _SEEN
    if st.session_state.get(seen) != current or box not in st.session_state:
        st.session_state[box] = current
        st.session_state[seen] = current
    return current


def adopt(prefix: str, text: str) -> None:
    """A submitted box: its text becomes the lesson's sentence, here and in the address bar."""
    st.session_state[LESSON_KEY] = text
    st.session_state[prefix + _SEEN] = text
    publish_lesson()


def publish_lesson() -> None:
    """Put the lesson's sentence into the link (left out while it is the default one, or blank)."""
    current = st.session_state.get(LESSON_KEY, DEFAULT_SENTENCE)
    publish(text=None if current == DEFAULT_SENTENCE or not current.strip() else current)


def stale(prefix: str, model_name: str | None = None) -> bool:
    """Whether the page's result was computed for another sentence or model than the current ones."""
    return st.session_state.get(prefix + _SHOWN) != (model_name, lesson())


def mark_shown(prefix: str, model_name: str | None = None) -> None:
    """Record that the page computed (or tried to compute) its result for the current sentence and model."""
    st.session_state[prefix + _SHOWN] = (model_name, lesson())


def forget_shown(prefix: str) -> None:
    """The page's result is gone (e.g. an empty box): the next run must not count it as shown."""
    st.session_state.pop(prefix + _SHOWN, None)
