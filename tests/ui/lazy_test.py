"""A lazy expander builds its content only while it is open."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st

    from ui.lazy import lazy_expander

    box = lazy_expander("Details", "details")
    if box is not None:
        box.dataframe({"a": [1, 2]})
    st.caption("always here")


def test_closed_builds_nothing_and_open_builds_the_content():
    at = AppTest.from_function(_page).run()
    assert not at.exception
    assert [c.value for c in at.caption] == ["always here"]
    assert not at.dataframe, "the closed expander's content was built"
    assert at.session_state["details"] is False
    at.session_state["details"] = True  # what a click on the expander does
    at.run()
    assert len(at.dataframe) == 1
    assert list(at.dataframe[0].value["a"]) == [1, 2]
