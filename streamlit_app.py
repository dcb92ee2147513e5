"""attention-lab: type English, read Spanish, and see where the model looked."""

from pathlib import Path

import streamlit as st

from ui.guard import guarded
from ui.i18n import t
from ui.levels import keep as keep_level
from ui.present import apply_page_style, presenting
from ui.sidebar import display_settings, model_picker
from ui.warm_up import warm_up

st.set_page_config(
    page_title="attention-lab", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide"
)

display_settings()  # language and presentation mode first: page titles below depend on them
# presenting: the sidebar starts closed, so the projector's width goes to the charts
st.set_page_config(initial_sidebar_state="collapsed" if presenting() else "auto")
pages = [
    st.Page("app_pages/translate.py", title=t("nav.translate"), icon=":material/translate:", default=True),
    st.Page("app_pages/step_through.py", title=t("nav.step_through"), icon=":material/skip_next:"),
    st.Page("app_pages/beam.py", title=t("nav.beam"), icon=":material/account_tree:"),
    st.Page("app_pages/compare.py", title=t("nav.compare"), icon=":material/compare:"),
    st.Page("app_pages/layers_heads.py", title=t("nav.layers_heads"), icon=":material/grid_view:"),
    st.Page("app_pages/attribution.py", title=t("nav.attribution"), icon=":material/psychology_alt:"),
    st.Page("app_pages/interventions.py", title=t("nav.interventions"), icon=":material/science:"),
    st.Page("app_pages/training.py", title=t("nav.training"), icon=":material/show_chart:"),
    st.Page(
        "app_pages/attention_over_training.py", title=t("nav.attention_over_training"), icon=":material/animation:"
    ),
    st.Page("app_pages/train_live.py", title=t("nav.train_live"), icon=":material/model_training:"),
    st.Page("app_pages/models.py", title=t("nav.models"), icon=":material/leaderboard:"),
    st.Page("app_pages/how_attention_works.py", title=t("nav.how_attention_works"), icon=":material/school:"),
]
page = st.navigation(pages)
apply_page_style()
keep_level()  # pieces or words: one choice that follows the class from page to page
guarded(model_picker, "the sidebar")  # an error becomes a message naming the model, never a traceback
warm_up()  # once per process, in the background: every model loaded and traced
guarded(page.run, f"the page {page.url_path or 'home'}")
