"""The Translate form with no model behind it: what a click costs Streamlit itself.

Run by ``bench/rerun_floor.py``, never by the app. It draws the Translate page's form inside a
fragment, with the same widget keys, so ``bench/st_client.py`` clicks it as it clicks the real
page. ``ATTENTION_LAB_FLOOR`` says what a click draws:

- ``echo``: the sentence as a heading, nothing else (the rerun, the form and one delta);
- ``heatmap``: also the app's own attention heatmap (``ui.charts.attention_heatmap``) of the
  sentence's words against themselves, uniform weights, drawn through ``ui.vega.vega_chart``.
"""

import os

import numpy as np
import streamlit as st

DRAW = os.environ.get("ATTENTION_LAB_FLOOR", "echo")
PREFIX = "translate_"


@st.fragment
def view() -> None:
    with st.form(PREFIX + "form"):
        text = st.text_area("Sentence", key=PREFIX + "sentence")
        submitted = st.form_submit_button("Translate")
        st.radio("Decoding", ["greedy", "beam"], horizontal=True, key=PREFIX + "decoding")
        st.slider("Width", 2, 8, 4, key=PREFIX + "width")
    if not submitted:
        return
    words = text.split() or ["."]
    st.markdown("### " + " ".join(words))
    if DRAW == "heatmap":
        from ui.charts import attention_heatmap
        from ui.vega import vega_chart

        matrix = np.full((len(words), len(words)), 1.0 / len(words), dtype=np.float32)
        vega_chart(attention_heatmap(matrix, words, words), width="content")


view()
