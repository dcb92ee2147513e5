"""Train live: a teacher starts a small model and everyone watches its loss fall and its attention form."""

import streamlit as st

from core.train.live.root import live_root
from ui.i18n import t
from ui.live_controls import key_box
from ui.live_view import live_panel

st.title(t("live.title"))
st.caption(t("live.caption"))
teacher = key_box()
live_panel(live_root(), teacher)
