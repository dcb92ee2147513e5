"""Drawing helpers of the interventions page: a translation with its changed tokens marked, heatmaps side by side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from ui.charts import attention_heatmap
from ui.downloads import attention_downloads
from ui.present import ChartStyle
from ui.text import escape_markdown
from ui.vega import vega_chart


def marked(tokens: Sequence[str], changed: Sequence[bool]) -> str:
    """Markdown of ``tokens`` with the changed ones on an orange background (tokens escaped, no HTML)."""
    words = [f":orange-background[**{escape_markdown(w)}**]" if c else escape_markdown(w)
             for w, c in zip(tokens, changed, strict=True)]  # fmt: skip
    return " ".join(words) if words else "—"


def side_by_side(panels: Sequence[tuple[str, np.ndarray, Sequence[str], Sequence[str]]], key: str,
                 style: ChartStyle) -> None:  # fmt: skip
    """Heatmaps ``(title, matrix, source, target)`` in columns, one colour scale 0..1, each with its downloads."""
    for n, (col, (title, matrix, source, target)) in enumerate(zip(st.columns(len(panels)), panels, strict=True)):
        with col:
            st.markdown(f"**{escape_markdown(title)}**")
            if len(target) == 0:
                st.caption("—")
                continue
            vega_chart(attention_heatmap(matrix, source, target, style=style), width="content")
            attention_downloads(
                matrix, source, target, title=title, key=f"{key}{n}_", style=style, name=f"panel{n + 1}"
            )
