"""A heatmap of one translation's attention, for a notebook or a file: SVG with no outside
resources (no script, no font or style sheet from the network), or PNG through matplotlib.

The page charts live in ``ui/``; this is the same picture for ``python -m core.translate --png``
and for Jupyter, where a :class:`Heatmap` shows itself (``_repr_html_``, ``_repr_png_``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

CELL = 28  # px per cell in the SVG
_VIRIDIS = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))


def _colour(v: float) -> str:
    """Viridis (five stops, linear between them) of ``v`` in [0, 1]."""
    v = min(max(float(v), 0.0), 1.0) * (len(_VIRIDIS) - 1)
    i = min(int(v), len(_VIRIDIS) - 2)
    t = v - i
    r, g, b = (round(a + (b - a) * t) for a, b in zip(_VIRIDIS[i], _VIRIDIS[i + 1], strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class Heatmap:
    """An attention matrix with its labels: rows attend (output), columns are attended to (source)."""

    matrix: np.ndarray
    source: list[str]
    target: list[str]
    title: str = ""

    def svg(self) -> str:
        m = np.asarray(self.matrix, dtype="float32")
        rows, cols = m.shape
        left = 12 + 8 * max((len(t) for t in self.target), default=1)
        top = 24 + 7 * max((len(s) for s in self.source), default=1)
        width, height = left + cols * CELL + 8, top + rows * CELL + 8
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'
        ]
        if self.title:
            out.append(f'<text x="4" y="14">{escape(self.title)}</text>')
        for j, label in enumerate(self.source):
            x, y = left + j * CELL + CELL / 2, top - 6
            out.append(f'<text x="{x:.1f}" y="{y}" transform="rotate(-60 {x:.1f} {y})">{escape(label)}</text>')
        for i, label in enumerate(self.target):
            y = top + i * CELL + CELL / 2 + 4
            out.append(f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end">{escape(label)}</text>')
            for j in range(cols):
                v = float(m[i, j])
                tip = f"{self.target[i]} → {self.source[j]}: {v:.3f}"
                out.append(
                    f'<rect x="{left + j * CELL}" y="{top + i * CELL}" width="{CELL}" height="{CELL}" '
                    f'fill="{_colour(v)}"><title>{escape(tip)}</title></rect>'
                )
        out.append("</svg>")
        return "".join(out)

    def png(self, dpi: int = 120) -> bytes:
        from matplotlib.figure import Figure

        m = np.asarray(self.matrix)
        fig = Figure(figsize=(1.5 + 0.5 * max(len(self.source), 3), 1.2 + 0.42 * max(len(self.target), 3)), dpi=dpi)
        ax = fig.add_subplot()
        im = ax.imshow(m, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
        ax.set_xticks(range(len(self.source)), labels=self.source, rotation=60, ha="left")
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(self.target)), labels=self.target)
        if self.title:
            ax.set_title(self.title, pad=12, fontsize=10, loc="left")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()

    def _repr_html_(self) -> str:
        return self.svg()

    def _repr_png_(self) -> bytes:
        return self.png()


def heatmap(matrix: np.ndarray, source: Sequence[str], target: Sequence[str], title: str = "") -> Heatmap:
    return Heatmap(np.asarray(matrix, dtype="float32"), list(source), list(target), title)
