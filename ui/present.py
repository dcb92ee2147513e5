"""Presentation mode and the look of figures: large type and a projector-safe palette.

In presentation mode the page font grows, chrome is hidden and heatmaps use bigger cells
and a single-hue palette (white → dark blue) whose contrast survives a washed-out projector
and does not rely on telling hues apart (colour-blind safe). Otherwise viridis is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.i18n import t
from ui.panels import min_cell

PRESENT_KEY = "app_present"

# always: a chart wider than its column scrolls inside its own box with a scrollbar that stays visible
# (the page never scrolls sideways), and a button's label wraps onto a second line rather than end in "…"
_BASE_CSS = """
<style>
[data-testid="stVegaLiteChart"], [data-testid="stFullScreenFrame"]:has([data-testid="stVegaLiteChart"]) {
  max-width: 100%; overflow-x: auto; overflow-y: hidden;
}
[data-testid="stVegaLiteChart"]::-webkit-scrollbar { height: 10px; }
[data-testid="stVegaLiteChart"]::-webkit-scrollbar-thumb { background: #9aa0a6; border-radius: 5px; }
[data-testid="stVegaLiteChart"]::-webkit-scrollbar-track { background: #eceff1; }
[data-testid="stMain"] button [data-testid="stMarkdownContainer"] p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: break-word;
}
[data-testid="stMain"] button { height: auto; min-height: 2.5rem; }
[data-testid="stSidebarNavLink"] span { white-space: normal; overflow: visible; text-overflow: clip; }
</style>
"""
# presenting: large type that still leaves a 1024-wide projector room for the heatmaps, no chrome
_CSS = """
<style>
html { font-size: clamp(18px, 1.75vw, 22px); }
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 3.5rem 1.5rem 4rem; max-width: 100%; }
h1 { font-size: 2.6rem !important; }
</style>
"""


@dataclass(frozen=True)
class ChartStyle:
    """Sizes, palette and axis titles shared by the heatmaps of every page."""

    cell: int = 44
    font: int = 13
    scheme: str = "viridis"  # perceptually uniform and colour-blind safe
    cmap: str = "viridis"  # the matplotlib twin for PNG/SVG downloads
    source_title: str = "source (English)"
    target_title: str = "output (Spanish)"
    weight_title: str = "attention"
    token_title: str = "token"
    next_title: str = "next token"
    probability_title: str = "probability"
    written_label: str = "written"
    other_label: str = "other"
    centre_title: str = "predicted centre p"
    run_title: str = "run"
    split_title: str = "split"
    smoothed_title: str = "smoothed"
    high_is_dark: bool = False  # the palette's top end is dark: write cell numbers in white there
    presenting: bool = False
    grid_width: int = 440  # pixels a heatmap's cells may take across: fits a 1024-wide screen beside the sidebar
    panel_width: int = 440  # the same for one of several panels side by side (ui.panels): two a row at 1024


_TITLE_KEYS = {  # ChartStyle field -> catalogue key "chart.<key>"
    "source_title": "source",
    "target_title": "target",
    "weight_title": "weight",
    "token_title": "token",
    "next_title": "next_token",
    "probability_title": "probability",
    "written_label": "written",
    "other_label": "other",
    "centre_title": "centre",
    "run_title": "run",
    "split_title": "split",
    "smoothed_title": "smoothed",
}


MIN_CELL = 22  # below this a heatmap scrolls sideways inside its own box rather than shrink further


def fit_cell(columns: int, style: ChartStyle, width: int | None = None) -> int:
    """Cell side in pixels for ``columns`` source tokens: ``style.cell`` unless that is wider than ``width``.

    Never below :data:`MIN_CELL`, nor below a line of the style's font (upright labels never touch).
    """
    width = style.grid_width if width is None else width
    return int(max(MIN_CELL, min_cell(style.font), min(style.cell, width // max(1, columns))))


def presenting() -> bool:
    return bool(st.session_state.get(PRESENT_KEY, False))


def chart_style() -> ChartStyle:
    """The figure style for the current language and mode."""
    titles = {name: t(f"chart.{key}") for name, key in _TITLE_KEYS.items()}
    if presenting():
        return ChartStyle(
            cell=64,
            font=20,
            scheme="blues",
            cmap="Blues",
            high_is_dark=True,
            presenting=True,
            grid_width=460,
            panel_width=330,
            **titles,
        )
    return ChartStyle(**titles)


def apply_page_style() -> None:
    """Charts that scroll in their own box, wrapping buttons; large type and no toolbar when presenting.

    Static style sheets, no user text.
    """
    st.html(_BASE_CSS + (_CSS if presenting() else ""))
