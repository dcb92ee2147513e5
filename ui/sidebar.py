"""The sidebar shared by every page: language, presentation mode and the model picker.

These three are app-wide, so they are also app-wide link parameters (``lang``, ``present``,
``model``): read from a shared link once per session and written back on every page. So is the
lesson's sentence (``text``, see :mod:`ui.lesson`), which every translating page shows.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import LANG_KEY, LANGUAGES, t
from ui.language import keep_choices, widget_value
from ui.lesson import LESSON_KEY, publish_lesson
from ui.models import MODEL_KEY, list_models, score_label
from ui.present import PRESENT_KEY
from ui.share import from_link, one_of, publish, sentence

_APP = "*"  # link parameters that belong to every page


def _flag(value: str) -> bool:
    return one_of(("0", "1"))(value) == "1"


def display_settings() -> None:
    """Language and presentation switches (drawn before navigation: page titles depend on them)."""
    from_link(_APP, "lang", LANG_KEY, one_of(tuple(LANGUAGES)))
    from_link(_APP, "present", PRESENT_KEY, _flag)
    st.session_state.setdefault(LANG_KEY, "en")
    with st.sidebar:
        st.segmented_control(
            t("sidebar.language"), list(LANGUAGES), format_func=LANGUAGES.get, key=LANG_KEY, required=True,
            default=widget_value(LANG_KEY, "en"),
            on_change=keep_choices, kwargs={"skip": (LANG_KEY,)},
        )  # fmt: skip
        st.toggle(
            t("sidebar.present"),
            value=widget_value(PRESENT_KEY, False),
            key=PRESENT_KEY,
            help=t("sidebar.present_help"),
        )


def model_picker() -> None:
    models = list_models()
    usable = [m for m in models if m.error is None]
    broken = [m for m in models if m.error is not None]
    names = [m.name for m in usable]
    from_link(_APP, "model", MODEL_KEY, one_of(names))
    from_link(_APP, "text", LESSON_KEY, sentence)
    with st.sidebar:
        st.header(t("sidebar.model"))
        if not usable:
            st.error(t("sidebar.no_model"))
        else:
            labels = {m.name: score_label(m) for m in usable}
            if st.session_state.get(MODEL_KEY) not in names:
                st.session_state[MODEL_KEY] = names[0]
            st.selectbox(  # the current model is also the default: a redrawn box must not fall back to the first
                t("sidebar.model_label"),
                names,
                index=names.index(st.session_state[MODEL_KEY]),
                key=MODEL_KEY,
                format_func=labels.get,
            )
        if broken:
            with st.expander(t("sidebar.broken", n=len(broken))):
                for m in broken:
                    st.text(f"{m.name}: {m.error}")
        st.caption(t("sidebar.share"))
        st.caption(t("sidebar.credit"))
    publish(
        lang=None if st.session_state.get(LANG_KEY) == "en" else st.session_state.get(LANG_KEY),
        present="1" if st.session_state.get(PRESENT_KEY) else None,
        model=st.session_state.get(MODEL_KEY),
    )
    publish_lesson()
