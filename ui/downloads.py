"""Download buttons for a drawn attention matrix: the figure as PNG and SVG, the numbers as CSV."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from ui.charts import attention_figure, figure_bytes, matrix_csv
from ui.fonts import register_cjk_font
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
    """Three buttons under a heatmap; ``key`` keeps the widgets of several heatmaps apart.

    The figures and the CSV are made only when a button is clicked (Streamlit calls ``data`` then), so a
    page with many heatmaps and a class full of users does not render unused PNGs and SVGs.
    """
    matrix = np.array(matrix)  # a private copy for the deferred callables
    source, target = list(source), list(target)

    def figure(fmt: str):
        def draw() -> bytes:
            register_cjk_font()  # 中文 titles drawn with the shipped font, not as empty boxes
            return figure_bytes(attention_figure(matrix, source, target, title=title, style=style), fmt)

        return draw

    c1 = c2 = c3 = st.container(horizontal=True)  # side by side, wrapping on a narrow screen
    c1.download_button(t("common.download_png"), figure("png"), f"{name}.png", "image/png", key=key + "png")
    c2.download_button(t("common.download_svg"), figure("svg"), f"{name}.svg", "image/svg+xml", key=key + "svg")
    c3.download_button(
        t("common.download_csv"), lambda: matrix_csv(matrix, source, target), f"{name}.csv", "text/csv", key=key + "csv"
    )
