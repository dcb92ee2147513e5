"""The sidebar shared by every page: the model picker."""

from __future__ import annotations

import streamlit as st

from ui.models import MODEL_KEY, list_models, score_label


def model_picker() -> None:
    models = list_models()
    usable = [m for m in models if m.error is None]
    broken = [m for m in models if m.error is not None]
    with st.sidebar:
        st.header("Model")
        if not usable:
            st.error("No model found. Shipped models live in `assets/`; train one with `python -m core.train`.")
        else:
            names = [m.name for m in usable]
            labels = {m.name: score_label(m) for m in usable}
            if st.session_state.get(MODEL_KEY) not in names:
                st.session_state[MODEL_KEY] = names[0]
            st.selectbox("Translation model", names, key=MODEL_KEY, format_func=labels.get)
        if broken:
            with st.expander(f"{len(broken)} model folder(s) could not be read"):
                for m in broken:
                    st.text(f"{m.name}: {m.error}")
        st.caption("Data: Tatoeba English–Spanish pairs via manythings.org/anki (CC-BY 2.0 FR).")
