"""Download buttons for a drawn attention matrix: the figure as PNG and SVG, the numbers as CSV."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import streamlit as st

from ui.charts import attention_figure, figure_bytes, matrix_csv
from ui.i18n import t
from ui.present import ChartStyle

NAME_WORDS = 8  # words of the sentence a file name keeps


def _slug(text: str) -> str:
    """``text`` as lower-case ASCII words joined by ``-`` (accents dropped, anything else a separator)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def download_name(model: str, sentence: str | Sequence[str], view: str) -> str:
    """A download's file name without extension: model, sentence and view, e.g. ``additive_i-have-a-red-car_translate``.

    ``model`` is a model's name (its folder's last part is kept), ``sentence`` its text or tokens
    (the first :data:`NAME_WORDS` words), ``view`` what the figure shows. Only ASCII letters,
    digits, ``-`` and ``_``: a safe name on every system.
    """
    words = sentence.split() if isinstance(sentence, str) else list(sentence)
    parts = [_slug(model.rstrip("/").rsplit("/", 1)[-1]), _slug(" ".join(words[:NAME_WORDS])), _slug(view)]
    return "_".join(p for p in parts if p) or "attention"


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

    The figures are made only when a button is clicked (Streamlit calls ``data`` then), so a page
    with many heatmaps and a class full of users does not render unused PNGs and SVGs. ``name`` is
    the file name without extension (see :func:`download_name`).
    """
    matrix = np.array(matrix)  # a private copy for the deferred callables
    source, target = list(source), list(target)

    def figure(fmt: str):
        def draw() -> bytes:
            return figure_bytes(attention_figure(matrix, source, target, title=title, style=style), fmt)

        return draw

    c1 = c2 = c3 = st.container(horizontal=True)  # side by side, wrapping on a narrow screen
    # a download is no reason to rerun the page; a rerun would also retire the deferred figures'
    # ids while the browser may still be fetching one ("Deferred file ... not found")
    c1.download_button(t("common.download_png"), figure("png"), f"{name}.png", "image/png", key=key + "png",
                       on_click="ignore")  # fmt: skip
    c2.download_button(t("common.download_svg"), figure("svg"), f"{name}.svg", "image/svg+xml", key=key + "svg",
                       on_click="ignore")  # fmt: skip
    # the numbers are small and cheap: sent with the page, valid for as long as the button is shown
    c3.download_button(t("common.download_csv"), matrix_csv(matrix, source, target), f"{name}.csv", "text/csv",
                       key=key + "csv", on_click="ignore")  # fmt: skip
