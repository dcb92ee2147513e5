"""Download buttons for a drawn attention matrix: the figure as PNG and SVG, the numbers as CSV."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from ui.charts import attention_figure, figure_bytes, matrix_csv
from ui.i18n import t
from ui.present import ChartStyle


def attention_downloads(
    matrix: np.ndarray,
    source: Sequence[str],
    target: Sequence[str],
    *,
    title: str,
    key: str,
    style: ChartStyle,
    name: str = "attention",
) -> None:
    """Three buttons under a heatmap; ``key`` keeps the widgets of several heatmaps apart."""
    fig = attention_figure(matrix, source, target, title=title, style=style)
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("common.download_png"), figure_bytes(fig, "png"), f"{name}.png", "image/png", key=key + "png")
    c2.download_button(
        t("common.download_svg"), figure_bytes(fig, "svg"), f"{name}.svg", "image/svg+xml", key=key + "svg"
    )
    c3.download_button(
        t("common.download_csv"), matrix_csv(matrix, source, target), f"{name}.csv", "text/csv", key=key + "csv"
    )
