"""Shared, cached attribution and intervention objects for the explanation pages, and their one-line readings."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from ui.i18n import t
from ui.models import get_translator
from ui.vega import vega_chart


@st.cache_resource(show_spinner=False, max_entries=8)
def get_attributor(path: str):
    """One shared, read-only Attributor per model folder (its compiled function is traced once)."""
    from core.attribution import Attributor

    return Attributor(get_translator(path))


@st.cache_resource(show_spinner=False, max_entries=4)
def get_head_ablation(path: str):
    from core.interventions.ablation import HeadAblation

    return HeadAblation(get_translator(path))


@st.cache_resource(show_spinner=False, max_entries=8)
def get_replacement(path: str):
    from core.interventions.replace import AttentionReplacement

    return AttentionReplacement(get_translator(path))


def reading_band(rho: float | None) -> str:
    """The reading of a mean Spearman ρ: ``strong``, ``moderate``, ``weak``, ``none``, ``disagree`` or ``undefined`` (NaN)."""
    if rho is None or not math.isfinite(rho):
        return "undefined"
    if rho >= 0.6:
        return "strong"
    if rho >= 0.3:
        return "moderate"
    if rho >= 0.1:
        return "weak"
    return "none" if rho > -0.1 else "disagree"


def reading(rho: float | None) -> str:
    """One line that says what a mean Spearman ρ means, with its value, in the UI language.

    ρ ≥ 0.6 strong, ≥ 0.3 moderate, ≥ 0.1 weak agreement; between −0.1 and 0.1 none to speak
    of; −0.1 or less is named disagreement (attention and the gradients rank the words in
    opposite orders).
    """
    band = reading_band(rho)
    if band == "undefined":
        return t("explain.reading_undefined")
    return t(f"explain.reading_{band}", rho=f"{rho:.2f}")


def mean_defined(values: np.ndarray) -> float:
    values = np.asarray(values, dtype="float64")
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")


def summary_rows(models) -> tuple[list[dict], list[str]]:
    """Per usable model: mean attention–attribution correlations and the most important head; and messages.

    Reads ``attribution.json`` and ``head_importance.json`` of each folder; a defective file
    becomes a message about that model, never an exception.
    """
    from core.attribution.summary import SummaryError, read_summary
    from core.interventions.importance import ImportanceError, read_importance

    rows, problems = [], []
    for m in models:
        try:
            summary = read_summary(m.path)
        except (SummaryError, OSError) as e:
            problems.append(t("explain.summary_failed", name=m.name, error=str(e)))
            summary = None
        try:
            importance = read_importance(m.path)
        except (ImportanceError, OSError) as e:
            problems.append(t("explain.summary_failed", name=m.name, error=str(e)))
            importance = None
        if summary is None and importance is None:
            continue
        rho = (summary or {}).get("spearman", {})
        top = (importance or {}).get("most_important")
        rows.append({
            t("models.col_model"): m.name,
            t("explain.col_rho_ig"): rho.get("attention_vs_integrated"),
            t("explain.col_rho_gi"): rho.get("attention_vs_grad_input"),
            t("explain.col_rho_rollout"): rho.get("rollout_vs_integrated"),
            t("explain.col_sentences"): (summary or {}).get("sentences"),
            t("explain.col_top_head"): None if not top else t(
                "explain.top_head", kind=t(f"layers.kind_{top['kind']}"), layer=top["layer"], head=top["head"],
                drop=top["bleu_drop"]),
        })  # fmt: skip
    return rows, problems


def show_summaries(models) -> None:
    """The Models page's section: does attention agree with the gradients, per model (precomputed files)."""
    import pandas as pd

    from ui.text import escape_markdown

    rows, problems = summary_rows(models)
    st.subheader(t("explain.summary_title"))
    st.caption(t("explain.summary_caption"))
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    else:
        st.info(t("explain.summary_none"))
    for p in problems:
        st.warning(escape_markdown(p))


def importance_chart(grid: np.ndarray, title: str, layer_title: str, head_title: str):
    """A (layers, heads) heatmap of head importance (BLEU drop when that head alone is off), numbers written in."""
    import altair as alt
    import pandas as pd

    layers, heads = grid.shape
    df = pd.DataFrame([{"layer": i + 1, "head": h + 1, "value": float(grid[i, h])} for i in range(layers)
                       for h in range(heads) if np.isfinite(grid[i, h])])  # fmt: skip
    base = alt.Chart(df).encode(x=alt.X("head:O", title=head_title), y=alt.Y("layer:O", title=layer_title))
    top = max(1e-6, float(np.nanmax(np.abs(grid)))) if np.isfinite(grid).any() else 1.0
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", title=title, scale=alt.Scale(scheme="orangered", domain=[0, top]),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),  # on screen on a phone too
        tooltip=[alt.Tooltip("layer:O", title=layer_title), alt.Tooltip("head:O", title=head_title),
                 alt.Tooltip("value:Q", title=title, format=".2f")],
    )  # fmt: skip
    text = base.mark_text(fontSize=13).encode(text=alt.Text("value:Q", format=".2f"))
    return alt.layer(rect, text).properties(width=alt.Step(56), height=alt.Step(40))


def show_head_importance(path, kind: str, num_layers: int, num_heads: int) -> None:
    """Under the Layers & heads grid: each head of ``kind`` coloured by its importance, when the folder has it."""
    from core.interventions.importance import ImportanceError, importance_grid, read_importance

    try:
        data = read_importance(path)
    except (ImportanceError, OSError) as e:
        from ui.text import escape_markdown

        st.warning(escape_markdown(str(e)))
        return
    if data is None:
        st.caption(t("explain.importance_none"))
        return
    grid = importance_grid(data, kind, num_layers, num_heads)
    st.caption(t("explain.importance_caption", n=data.get("sentences", "?"), bleu=data.get("bleu", "?")))
    chart = importance_chart(grid, t("explain.importance_title"), t("translate.layer"), t("translate.head"))
    vega_chart(chart, width="content")
