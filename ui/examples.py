"""The default sentence and the "Try these" list: sentences chosen to show an attention phenomenon.

Every sentence here is translated correctly by the default shipped model (``assets/additive``,
the first in the model list); ``tests/ui/examples_test.py`` pins that model's output for each
and records the other shipped models' outputs. Notes are catalogue keys ``examples.<key>``.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.lazy import lazy_expander

DEFAULT_SENTENCE = "I have a red car."  # → "Tengo un coche rojo.": "rojo" looks back past "coche" to "red"

# (catalogue key of the note, English sentence)
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("adjective", "The red car is mine."),
    ("like", "I like dogs."),
    ("negation", "I don't like coffee."),
    ("question", "Where is the station?"),
    ("pronoun", "We live in a big house."),
    ("agreement", "The girls are tall."),
    ("long", "My father bought a new car last year."),
)
RUN_SUFFIX = "example_run"  # session key suffix: a picked example is translated on the next run
OPEN_SUFFIX = "examples"  # session key suffix: whether the list is open


def _pick(prefix: str, sentence: str) -> None:
    st.session_state[prefix + "sentence"] = sentence
    st.session_state[prefix + RUN_SUFFIX] = True


def example_clicked(prefix: str) -> bool:
    """True once after an example was clicked: the page translates it as if its button was pressed."""
    return bool(st.session_state.pop(prefix + RUN_SUFFIX, False))


def try_these(prefix: str) -> None:
    """An expander listing the examples; a click puts the sentence in the page's box (``<prefix>sentence``).

    The list is built only while the expander is open (``<prefix>examples``).
    """
    box = lazy_expander(t("examples.title"), prefix + OPEN_SUFFIX, icon=":material/lightbulb:")
    if box is None:
        return
    with box:
        st.caption(t("examples.caption"))
        for i, (note, sentence) in enumerate(EXAMPLES):
            left, right = st.columns([2, 3], vertical_alignment="center")
            left.button(sentence, key=f"{prefix}example_{i}", on_click=_pick, args=(prefix, sentence), width="stretch")
            right.caption(t(f"examples.{note}"))
