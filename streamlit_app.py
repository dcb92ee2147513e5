"""attention-lab: type English, read Spanish, and see where the model looked."""

from pathlib import Path

import streamlit as st

from ui.sidebar import model_picker

st.set_page_config(
    page_title="attention-lab", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide"
)

pages = [
    st.Page("pages/translate.py", title="Translate", icon=":material/translate:", default=True),
    st.Page("pages/step_through.py", title="Step through", icon=":material/skip_next:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
    st.Page("pages/training.py", title="Training curves", icon=":material/show_chart:"),
    st.Page("pages/attention_over_training.py", title="Attention over training", icon=":material/animation:"),
    st.Page("pages/models.py", title="Models", icon=":material/leaderboard:"),
    st.Page("pages/how_attention_works.py", title="How attention works", icon=":material/school:"),
]
page = st.navigation(pages)
model_picker()
page.run()
