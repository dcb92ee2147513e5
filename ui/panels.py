"""Heatmaps side by side while they fit the page, in rows when they do not; token labels that never overlap.

A multi-panel view (Compare's models, Attention vs attribution's maps, an intervention's before
and after) puts each panel in a column of a keyed container. :func:`wrap_css` lets those columns
wrap, each at least as wide as its chart, so a 1024-pixel projector shows two panels a row where a
1920-pixel screen shows four, and no panel is cut. A chart's width is estimated from its tokens
(:func:`heatmap_width`), the way Vega lays it out. A chart wider than the whole page still scrolls
inside its own box, with a visible scrollbar (``ui.present``).

:func:`label_angle` picks the slant of a heatmap's column labels from the cell size and the font:
slanted while neighbouring labels stay a line apart, upright otherwise. No label is dropped.
Nothing here draws: the pages and ``ui.charts`` do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SLANT = -40  # degrees: column labels slanted while they have room
LINE = 1.3  # a label's line, in font sizes: neighbouring labels this far apart never touch
CHAR = 0.62  # a character's mean advance, in font sizes (Source Sans and most sans-serif faces)
LABEL_LIMIT = 160  # pixels an axis label may take (Vega's labelLimit in ui.charts)
AXIS_GAP = 14  # pixels between an axis's labels and its title, ticks included


def min_cell(font: int) -> int:
    """The smallest cell that keeps upright labels of ``font`` a line apart."""
    return math.ceil(LINE * font)


def label_angle(cell: int, font: int) -> int:
    """Slant of column labels: :data:`SLANT` when slanted neighbours stay a line apart, else upright (-90)."""
    return SLANT if cell * math.sin(math.radians(-SLANT)) >= LINE * font else -90


def text_width(text: str, font: int) -> float:
    """Estimated pixels of ``text`` at ``font`` (wide characters, e.g. 中文, count twice)."""
    units = sum(2 if ord(c) > 0x2E80 else 1 for c in text)
    return min(LABEL_LIMIT, units * CHAR * font)


def heatmap_width(source: Sequence[str], target: Sequence[str], cell: int, font: int) -> int:
    """Estimated pixels across an attention heatmap of ``ui.charts``: row labels, cells, slanted column labels.

    Row labels and the axis title take the left; the last column's label, when slanted, reaches
    past the cells on the right. Rounded up to a multiple of 10 with a margin of 16 pixels.
    """
    left = max((text_width(w, font) for w in target), default=0) + AXIS_GAP + font
    right = 0.0
    if source and label_angle(cell, font) == SLANT:
        right = max(0.0, text_width(source[-1], font) * math.cos(math.radians(SLANT)) - cell / 2)
    return int(math.ceil((left + cell * len(source) + right + 16) / 10) * 10)


def wrap_css(key: str, min_width: int) -> str:
    """A style sheet for the container ``key``: its columns wrap to rows, each at least ``min_width`` wide."""
    return f"""<style>
.st-key-{key} [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; row-gap: 1rem; }}
.st-key-{key} [data-testid="stColumn"] {{ min-width: min(100%, {int(min_width)}px); }}
</style>"""
