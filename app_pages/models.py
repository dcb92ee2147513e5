"""Report card of every model: architecture, size, training, test scores and loss curves."""

import pandas as pd
import streamlit as st

from core import runs
from ui.charts import overlay_chart
from ui.models import list_models, model_card, read_history

PREFIX = "models_"

st.title("Models")
st.caption(
    "Every model found in assets/ and runs/. Scores are sacreBLEU on the held-out test split "
    "(split by unique English sentence, all references of a sentence used)."
)

models = list_models()
usable = [m for m in models if m.error is None]
if not usable:
    st.info("No model found. Shipped models live in assets/; train one with `python -m core.train`.")
    st.stop()

st.dataframe(pd.DataFrame([model_card(m) for m in usable]), hide_index=True)

curves = []
for m in usable:
    try:
        curves += [{"model": m.name, **row} for row in read_history(m.path)]
    except runs.RunError as e:
        st.warning(f"{m.name}: {e}")
if curves:
    metric = st.radio("Curve", ["val_loss", "loss", "val_accuracy", "accuracy"], horizontal=True, key=PREFIX + "metric")
    st.altair_chart(overlay_chart(pd.DataFrame(curves), metric))

for m in models:
    if m.error is not None:
        st.error(f"{m.name} cannot be used: {m.error}")
