"""Training curves of the selected model, read from its history.csv."""

import pandas as pd
import streamlit as st

from core import runs
from ui.charts import curves_chart
from ui.models import read_history, read_metrics, selected_model

PREFIX = "training_"

st.title("Training curves")
model = selected_model()
if model is None:
    st.stop()
st.caption(f"Loss and token accuracy of **{model.name}**, per epoch, on its training and validation data.")

try:
    rows = read_history(model.path)
except runs.RunError as e:
    st.error(f"Cannot read the training history of {model.name}: {e}")
    st.stop()
if not rows:
    st.info(f"{model.name} has no finished epoch yet.")
    st.stop()

history = pd.DataFrame(rows)
log_scale = st.toggle("Logarithmic loss axis", key=PREFIX + "log")
left, right = st.columns(2)
left.altair_chart(curves_chart(history, "loss", "Loss (cross-entropy)", log_scale=log_scale))
right.altair_chart(curves_chart(history, "accuracy", "Token accuracy"))

last = history.iloc[-1]
cols = st.columns(4)
cols[0].metric("Epochs", int(last["epoch"]))
cols[1].metric("Validation loss", f"{last.get('val_loss', float('nan')):.3f}")
cols[2].metric("Validation accuracy", f"{last.get('val_accuracy', float('nan')):.3f}")
cols[3].metric("Training time", f"{last.get('wall_time', 0) / 60:.0f} min")
metrics = read_metrics(model.path)
if metrics and "bleu" in metrics:
    st.caption(
        f"Test split ({metrics.get('sentences', '?')} sentences): BLEU {metrics['bleu']:.1f} · "
        f"chrF {metrics['chrf']:.1f} · `{metrics.get('bleu_signature', '')}`"
    )
st.subheader("Numbers")
st.dataframe(history, hide_index=True)
st.download_button("history.csv", history.to_csv(index=False).encode(), "history.csv", "text/csv", key=PREFIX + "csv")
