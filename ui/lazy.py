"""Expanders whose content is built only while they are open.

Streamlit builds and sends everything inside a closed expander on every rerun. Pages whose
buttons a whole class presses at once keep rarely opened content (the example list, the
per-token table) in these: opening one reruns the page once, and while it is closed its
content costs nothing.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def lazy_expander(label: str, key: str, icon: str | None = None) -> DeltaGenerator | None:
    """The expander's container while it is open (its state under ``key``), else None."""
    box = st.expander(label, key=key, icon=icon, on_change="rerun")
    return box if box.open else None
