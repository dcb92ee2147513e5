"""Keeping choices across a language switch; the upload box's own words from the catalogue."""

from __future__ import annotations

from ui.language import CHOICE_DECODERS, keep_choices, uploader_css, widget_index, widget_value


class Recording(dict):
    """A session state that records what is stored into it."""

    def __init__(self, *args):
        super().__init__(*args)
        self.stored = []

    def __setitem__(self, key, value):
        self.stored.append(key)
        super().__setitem__(key, value)


def test_keep_choices_stores_back_only_the_choice_widgets_it_is_given():
    state = Recording({"translate_head": None, "translate_decoding": "beam", "translate_png": False, "app_lang": "zh"})
    kept = keep_choices(
        skip=("app_lang",), state=state, keys={"translate_head", "translate_decoding", "app_lang", "gone"}
    )
    assert kept == ["translate_decoding", "translate_head"]
    assert state.stored == kept and state["translate_head"] is None and state["translate_decoding"] == "beam"


def test_current_value_is_the_default_a_redrawn_widget_gets():
    state = {"translate_head": None, "translate_width": 6, "translate_decoding": "beam", "gone": "nowhere"}
    assert widget_value("translate_width", 4, state=state) == 6
    assert widget_value("translate_head", 0, state=state) is None  # None is a value, not "missing"
    assert widget_value("translate_alpha", 0.6, state=state) == 0.6
    assert widget_index("translate_decoding", ("greedy", "beam"), state=state) == 1
    assert widget_index("translate_head", [None, 0, 1], fallback=2, state=state) == 0
    assert widget_index("gone", ["here"], fallback=0, state=state) == 0  # a value no longer offered
    assert widget_index("missing", range(3), fallback=2, state=state) == 2


def test_choice_widgets_are_named_by_their_decoders():
    import streamlit.elements.widgets.multiselect as multiselect
    import streamlit.elements.widgets.radio as radio
    import streamlit.elements.widgets.selectbox as selectbox

    for module, name in ((radio, "RadioSerde"), (selectbox, "SelectboxSerde"), (multiselect, "MultiSelectSerde")):
        assert hasattr(module, name) and name in CHOICE_DECODERS  # a Streamlit upgrade that renames them fails here


def test_uploader_words_come_from_the_catalogue():
    import streamlit as st

    st.session_state["app_lang"] = "zh"
    try:
        css = uploader_css(["csv"])
    finally:
        del st.session_state["app_lang"]
    assert 'content: "上传"' in css and "CSV" in css and '"Upload"' not in css
