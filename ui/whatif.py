"""Drawing helpers of the interventions page: a translation with its changed tokens marked, heatmaps side by side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.interventions.source_edit import changed_tokens
from ui import levels
from ui.charts import attention_heatmap
from ui.downloads import attention_downloads
from ui.panels import heatmap_width, wrap_css
from ui.present import ChartStyle, fit_cell
from ui.text import escape_markdown
from ui.vega import vega_chart


def marked(tokens: Sequence[str], changed: Sequence[bool]) -> str:
    """Markdown of ``tokens`` with the changed ones on an orange background (tokens escaped, no HTML)."""
    words = [f":orange-background[**{escape_markdown(w)}**]" if c else escape_markdown(w)
             for w, c in zip(tokens, changed, strict=True)]  # fmt: skip
    return " ".join(words) if words else "—"


def side_by_side(panels: Sequence[tuple[str, str, np.ndarray, Sequence[str], Sequence[str]]], key: str,
                 style: ChartStyle, name: str = "panel") -> None:  # fmt: skip
    """Heatmaps ``(title, translation, matrix, source, target)`` side by side while they fit, else in rows.

    ``translation`` is markdown (e.g. from :func:`marked`) written under the title; one colour scale
    0..1 and one cell size for every panel; each with its downloads, named ``<name>-<n>``.
    """
    drawn = [(source, target) for *_, source, target in panels if len(target)]
    longest = max((len(source) for source, _ in drawn), default=1)
    cell = fit_cell(longest, style, style.panel_width)
    width = max((heatmap_width(source, target, cell, style.font) for source, target in drawn), default=0)
    st.html(wrap_css(key + "panels", width))
    columns = st.container(key=key + "panels").columns(len(panels))
    for n, (col, (title, translation, matrix, source, target)) in enumerate(zip(columns, panels, strict=True)):
        with col:
            st.markdown(f"**{escape_markdown(title)}**  \n{translation}")
            if len(target) == 0:
                st.caption("—")
                continue
            vega_chart(attention_heatmap(matrix, source, target, cell=cell, style=style), width="content")
            attention_downloads(
                matrix, source, target, title=title, key=f"{key}{n}_", style=style, name=f"{name}-{n + 1}"
            )


def compared(titles: tuple[str, str], before, after, matrices: tuple[np.ndarray, np.ndarray], level: str) -> list:
    """Two :func:`side_by_side` panels of translations ``before`` and ``after`` at ``level``.

    Each panel's matrix and labels are ``ui.levels.cross`` of its translation (words summed from
    pieces at the words level); the output tokens, or words, that changed are marked.
    """
    views = [levels.cross(tr, m, level) for tr, m in zip((before, after), matrices, strict=True)]
    old, new = changed_tokens(views[0][2], views[1][2])
    return [(titles[0], marked(views[0][2], old), *views[0]), (titles[1], marked(views[1][2], new), *views[1])]
