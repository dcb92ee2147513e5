"""Report card of every model: architecture, size, training, test scores and loss curves."""

import pandas as pd
import streamlit as st

from core import runs
from core.runs.provenance import started_from
from ui.charts import overlay_chart
from ui.explain import show_summaries
from ui.i18n import t
from ui.language import widget_index
from ui.models import list_models, model_card, read_history
from ui.share import from_link, one_of, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "models", "models_"
METRICS = ("val_loss", "loss", "val_accuracy", "accuracy")  # columns of history.csv; the link values


def column_labels() -> dict[str, str]:
    """Report-card columns (as ``model_card`` names them) in the current language."""
    return {
        "model": t("models.col_model"),
        "architecture": t("models.col_architecture"),
        "text": t("models.col_text"),
        "parameters": t("models.col_parameters"),
        "epochs": t("models.col_epochs"),
        "started from": t("models.col_started"),
        "saved epoch": t("models.col_saved"),
        "training time (min)": t("models.col_time"),
        "hardware": t("models.col_hardware"),
        "BLEU": t("models.col_bleu"),
        "chrF": t("models.col_chrf"),
        "BLEU (cased)": t("models.col_bleu_cased"),
        "BLEU (beam)": t("models.col_bleu_beam"),
        "test sentences": t("models.col_sentences"),
    }


def saved_label(row: dict) -> dict:
    """The row with its saved epoch said in words (which epoch, and the rule that kept it)."""
    epoch, keep = row.get("saved epoch"), row.get("kept")
    said = t(f"models.saved_{keep}", epoch=epoch) if epoch is not None and keep in ("best", "last") else epoch
    return {k: said if k == "saved epoch" else v for k, v in row.items() if k != "kept"}


def metric_labels() -> dict[str, str]:
    return {
        "val_loss": t("models.metric_val_loss"),
        "loss": t("models.metric_loss"),
        "val_accuracy": t("models.metric_val_accuracy"),
        "accuracy": t("models.metric_accuracy"),
    }


st.title(t("models.title"))
st.caption(t("models.caption"))

models = list_models()
usable = [m for m in models if m.error is None]
if not usable:
    st.info(t("sidebar.no_model"))
    st.stop()

labels = column_labels()
rows = [saved_label(model_card(m)) for m in usable]
cards = pd.DataFrame(rows).rename(columns=labels)
numbers = {c: "{:,.0f}" for c in (labels["parameters"], labels["epochs"]) if c in cards}  # 6,401,120
numbers.update({c: "{:.2f}" for c in cards.select_dtypes("float") if c not in numbers})
st.table(cards.style.format(numbers, na_rep="–"), hide_index=True)  # a table wraps long cells: no sideways scrolling
for m, row in zip(usable, rows, strict=True):  # trained on from another's weights: not the same budget
    parent = started_from(m.path)
    if parent is not None:
        st.caption(t("models.budget_note", model=escape_markdown(m.name), parent=escape_markdown(parent[0]),
                     epochs=row.get("epochs", "–")))  # fmt: skip

curves = []
for m in usable:
    try:
        curves += [{"model": m.name, **row} for row in read_history(m.path)]
    except runs.RunError as e:
        st.warning(t("models.history_failed", name=escape_markdown(m.name), error=escape_markdown(str(e))))
metric = None
if curves:
    from_link(PAGE, "metric", PREFIX + "metric", one_of(METRICS))
    labels = metric_labels()
    metric = st.radio(t("models.curve"), METRICS, horizontal=True, index=widget_index(PREFIX + "metric", METRICS),
                      key=PREFIX + "metric", format_func=labels.get)  # fmt: skip
    frame = pd.DataFrame(curves).reindex(columns=["model", "epoch", *METRICS])
    chart = overlay_chart(frame, metric, labels[metric], t("models.col_model"), t("models.axis_epoch"))
    vega_chart(chart)

show_summaries(usable)

for m in models:
    if m.error is not None:
        st.error(t("models.broken", name=escape_markdown(m.name), error=escape_markdown(str(m.error))))

publish(metric=None if metric in (None, METRICS[0]) else metric)
