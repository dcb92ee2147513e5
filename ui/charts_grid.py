"""Small multiples of attention: one small heatmap per Transformer layer × head, one colour scale."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from ui.present import ChartStyle

PICK = "pick"  # name of the click selection (a layer × head panel)
PANEL = 132  # target side of one small heatmap in pixels (presentation mode: 1.5×)
HIGHLIGHT = "#D55E00"  # vermilion outline of the enlarged panel (Okabe–Ito, colour-blind safe)


def grid_frame(
    weights: np.ndarray, row_labels: Sequence[str], col_labels: Sequence[str], chosen: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Long form of ``weights`` (layers, heads, rows, cols): one row per cell, layers and heads from 1."""
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 4 or weights.shape[2:] != (len(row_labels), len(col_labels)):
        raise ValueError(
            f"attention shape {weights.shape} != (layers, heads, rows {len(row_labels)}, cols {len(col_labels)})"
        )
    lay, hd, r, c = (a.ravel() for a in np.meshgrid(*map(np.arange, weights.shape), indexing="ij"))
    chosen_mask = np.zeros(lay.shape, bool) if chosen is None else (lay == chosen[0]) & (hd == chosen[1])
    return pd.DataFrame(
        {
            "layer": lay + 1,
            "head": hd + 1,
            "row": r,
            "col": c,
            "row_token": np.asarray(row_labels, dtype=object)[r],
            "col_token": np.asarray(col_labels, dtype=object)[c],
            "weight": weights.ravel().round(4),
            "chosen": chosen_mask,
        }
    )


def attention_grid(
    weights: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    chosen: tuple[int, int] | None = None,
    style: ChartStyle | None = None,
    layer_title: str = "layer",
    head_title: str = "head",
    row_title: str = "query",
    col_title: str = "key",
) -> alt.FacetChart:
    """A grid of small heatmaps of ``weights`` (layers, heads, rows, cols): a row per layer, a column per head.

    Every panel shares the colour scale 0..1, so panels can be compared at a glance; hovering a
    cell shows its layer, head, both tokens and the weight. The ``chosen`` (layer, head) panel
    (0-based) is outlined. Clicking a panel selects it through the point selection ``PICK``
    on the fields ``layer`` and ``head`` (1-based); see :func:`picked_panel`.
    """
    style = style or ChartStyle()
    df = grid_frame(weights, row_labels, col_labels, chosen)
    heads = weights.shape[1]
    side = min(int(PANEL * (1.5 if style.presenting else 1.0)), (style.grid_width + 60) // max(1, heads) - 8)
    cell = max(2, side // max(1, len(row_labels), len(col_labels)))
    pick = alt.selection_point(name=PICK, fields=["layer", "head"], on="click", clear="dblclick")
    base = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=alt.Color(
                "weight:Q",
                scale=alt.Scale(scheme=style.scheme, domain=[0, 1]),
                legend=alt.Legend(
                    title=style.weight_title,
                    orient="bottom",
                    direction="horizontal",
                    labelFontSize=style.font,
                    titleFontSize=style.font,
                ),
            ),
            stroke=alt.condition("datum.chosen", alt.value(HIGHLIGHT), alt.value(None)),
            strokeWidth=alt.condition("datum.chosen", alt.value(1.0), alt.value(0)),
            tooltip=[
                alt.Tooltip("layer:O", title=layer_title),
                alt.Tooltip("head:O", title=head_title),
                alt.Tooltip("row_token:N", title=row_title),
                alt.Tooltip("col_token:N", title=col_title),
                alt.Tooltip("weight:Q", title=style.weight_title, format=".3f"),
            ],
        )
        .add_params(pick)
        .properties(width=alt.Step(cell), height=alt.Step(cell))
    )

    def header(title: str) -> alt.Header:
        return alt.Header(
            title=None,
            labelExpr=f"{json.dumps(title)} + ' ' + datum.value",
            labelFontSize=style.font,
            labelFontWeight="bold",
        )

    return base.facet(
        row=alt.Row("layer:O", header=header(layer_title)),
        column=alt.Column("head:O", header=header(head_title)),
        spacing=8,
    )


def picked_panel(selection_state: Mapping[str, Any] | None) -> tuple[int, int] | None:
    """The (layer, head), 0-based, of the panel clicked in :func:`attention_grid`, from a chart's selection state.

    ``selection_state`` is what Streamlit returns for the chart (``{"selection": {PICK: [{"layer": 1,
    "head": 2}]}}``); anything else, or no click, gives ``None``.
    """
    try:
        points = selection_state["selection"][PICK]
        point = points[0]
        return int(point["layer"]) - 1, int(point["head"]) - 1
    except (KeyError, IndexError, TypeError, ValueError):
        return None
