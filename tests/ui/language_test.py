"""Keeping choices across a language switch; the upload box's own words from the catalogue."""

from __future__ import annotations

from ui.language import CHOICE_DECODERS, keep_choices, uploader_css


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
