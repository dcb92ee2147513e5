"""Presentation mode and the look of figures: large type and a projector-safe palette.

In presentation mode the page font grows, chrome is hidden and heatmaps use bigger cells
and a single-hue palette (white → dark blue) whose contrast survives a washed-out projector
and does not rely on telling hues apart (colour-blind safe). Otherwise viridis is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.i18n import t

PRESENT_KEY = "app_present"

_CSS = """
<style>
html { font-size: 22px; }
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 4.5rem; max-width: 100%; }
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
    high_is_dark: bool = False  # the palette's top end is dark: write cell numbers in white there
    presenting: bool = False


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
}


def presenting() -> bool:
    return bool(st.session_state.get(PRESENT_KEY, False))


def chart_style() -> ChartStyle:
    """The figure style for the current language and mode."""
    titles = {name: t(f"chart.{key}") for name, key in _TITLE_KEYS.items()}
    if presenting():
        return ChartStyle(cell=64, font=20, scheme="blues", cmap="Blues", high_is_dark=True, presenting=True, **titles)
    return ChartStyle(**titles)


def apply_page_style() -> None:
    """Large type and no toolbar when presenting (a static style sheet, no user text)."""
    if presenting():
        st.html(_CSS)
