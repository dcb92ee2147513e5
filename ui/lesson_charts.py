"""Charts of the teaching pages: sharpness over training, positional encodings, small labelled matrices.

Every chart takes the page's :class:`~ui.present.ChartStyle`, so type sizes (and, for weights,
the palette) follow presentation mode; axis and legend titles come from the UI catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.i18n import t
from ui.present import MIN_CELL, ChartStyle

SMALL_MATRIX_WIDTH = 200  # pixels across for a matrix that shares the page with another chart
MEASURES = ("peak", "focus")  # columns of the sharpness frame, as core.data.probes.attention_sharpness names them


def _measure_labels() -> dict[str, str]:
    return {"peak": t("overtime.measure_peak"), "focus": t("overtime.measure_focus")}


def _axis(style: ChartStyle, title: str | None, **kwargs) -> alt.Axis:
    return alt.Axis(title=title, labelFontSize=style.font, titleFontSize=style.font, **kwargs)


def _legend(style: ChartStyle, **kwargs) -> alt.Legend:
    return alt.Legend(labelFontSize=style.font, titleFontSize=style.font, **kwargs)


def _height(style: ChartStyle, height: int) -> int:
    return round(height * style.cell / ChartStyle.cell)  # grows with the heatmap cells when presenting


def sharpness_chart(frame: pd.DataFrame, epoch: int | None = None, style: ChartStyle | None = None) -> alt.Chart:
    """``peak`` and ``focus`` (columns) per ``epoch``, both on a fixed 0–1 axis; a rule marks ``epoch``."""
    style = style or ChartStyle()
    labels = _measure_labels()
    long = frame.melt(id_vars=["epoch"], value_vars=list(MEASURES), var_name="measure", value_name="value").dropna()
    long["measure"] = long["measure"].map(labels)
    epoch_title, measure_title, value_title = t("overtime.epoch"), t("overtime.measure"), t("overtime.sharpness")
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", axis=_axis(style, epoch_title, tickMinStep=1, format="d")),
            y=alt.Y("value:Q", axis=_axis(style, value_title), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "measure:N",
                scale=alt.Scale(domain=list(labels.values()), range=["#0072B2", "#E69F00"]),
                legend=_legend(style, title=None, orient="bottom", direction="vertical", labelLimit=480),
            ),
            strokeDash=alt.StrokeDash("measure:N", legend=None),
            tooltip=[
                alt.Tooltip("epoch:Q", title=epoch_title),
                alt.Tooltip("measure:N", title=measure_title),
                alt.Tooltip("value:Q", title=value_title, format=".3f"),
            ],
        )
    )
    layers = [lines]
    if epoch is not None:
        rule = (
            alt.Chart(pd.DataFrame({"epoch": [epoch]}))
            .mark_rule(color="#888", strokeDash=[4, 3])
            .encode(x=alt.X("epoch:Q", title=epoch_title))
        )
        layers.append(rule)
    return alt.layer(*layers).properties(height=_height(style, 220))


def positional_heatmap(table: np.ndarray, style: ChartStyle | None = None) -> alt.Chart:
    """A (positions, d_model) encoding table: position down, dimension across, −1 blue … +1 orange.

    The diverging palette stays in presentation mode: the values are signed, not weights.
    """
    style = style or ChartStyle()
    table = np.asarray(table, dtype=float)  # (positions, d_model)
    pos, dim = np.meshgrid(np.arange(table.shape[0]), np.arange(table.shape[1]), indexing="ij")
    df = pd.DataFrame(
        {
            "position": pos.ravel(),
            "position_end": pos.ravel() + 1,
            "dimension": dim.ravel(),
            "dimension_end": dim.ravel() + 1,
            "value": table.ravel(),
        }
    )
    dimension_title, position_title = t("howto.chart_dimension"), t("howto.chart_position")
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("dimension:Q", axis=_axis(style, dimension_title), scale=alt.Scale(domain=[0, table.shape[1]])),
            x2="dimension_end:Q",
            y=alt.Y(
                "position:Q",
                axis=_axis(style, position_title),
                scale=alt.Scale(domain=[0, table.shape[0]], reverse=True),
            ),
            y2="position_end:Q",
            color=alt.Color(
                "value:Q", scale=alt.Scale(scheme="blueorange", domain=[-1, 1]), legend=_legend(style, title="PE")
            ),
            tooltip=[
                alt.Tooltip("position:Q", title=position_title),
                alt.Tooltip("dimension:Q", title=dimension_title),
                alt.Tooltip("value:Q", title="PE", format=".3f"),
            ],
        )
        .properties(height=_height(style, 320))
    )


def positional_lines(table: np.ndarray, dimensions: Sequence[int], style: ChartStyle | None = None) -> alt.Chart:
    """``PE[pos, j]`` against the position, one line per chosen dimension ``j``."""
    style = style or ChartStyle()
    table = np.asarray(table, dtype=float)  # (positions, d_model)
    labels = {j: f"j = {j} ({'sin' if j % 2 == 0 else 'cos'})" for j in dimensions}
    rows = [
        {"position": p, "dimension": labels[j], "order": j, "value": table[p, j]}
        for j in dimensions
        for p in range(table.shape[0])
    ]
    df = pd.DataFrame(rows, columns=["position", "dimension", "order", "value"])
    dimension_title, position_title = t("howto.chart_dimension"), t("howto.chart_position")
    return (
        alt.Chart(df)
        .mark_line(point=table.shape[0] <= 40)
        .encode(
            x=alt.X("position:Q", axis=_axis(style, position_title)),
            y=alt.Y("value:Q", axis=_axis(style, "PE"), scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color(
                "dimension:N",
                sort=list(labels.values()),
                legend=_legend(style, title=None, orient="bottom", direction="vertical"),
            ),
            tooltip=[
                alt.Tooltip("dimension:N", title=dimension_title),
                alt.Tooltip("position:Q", title=position_title),
                alt.Tooltip("value:Q", title="PE", format=".3f"),
            ],
        )
        .properties(height=_height(style, 260))
    )


def matrix_heatmap(
    matrix: np.ndarray,
    columns: Sequence[str],
    rows: Sequence[str],
    x_title: str,
    y_title: str,
    vmax: float = 1.0,
    cell: int | None = None,
    style: ChartStyle | None = None,
) -> alt.Chart:
    """A small labelled matrix (weights 0 … ``vmax``) with its values written in the cells.

    The palette, type size and default cell size come from ``style``.
    """
    style = style or ChartStyle()
    across = SMALL_MATRIX_WIDTH + (40 if style.presenting else 0)  # bigger cells, still half a 1024-wide page
    cell = cell or min(round(style.cell * 1.25), max(MIN_CELL, across // max(1, len(columns))))
    matrix = np.asarray(matrix, dtype=float)  # (len(rows), len(columns))
    if matrix.shape != (len(rows), len(columns)):
        raise ValueError(f"matrix shape {matrix.shape} != (rows {len(rows)}, columns {len(columns)})")
    r, c = np.meshgrid(np.arange(len(rows)), np.arange(len(columns)), indexing="ij")
    df = pd.DataFrame(
        {
            "row": np.asarray(rows, dtype=object)[r.ravel()],
            "column": np.asarray(columns, dtype=object)[c.ravel()],
            "value": matrix.ravel(),
        }
    )
    base = alt.Chart(df).encode(
        x=alt.X("column:N", sort=list(columns), axis=_axis(style, x_title, orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=list(rows), axis=_axis(style, y_title)),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme=style.scheme, domain=[0, vmax]), legend=None),
        tooltip=[
            alt.Tooltip("row:N", title=y_title),
            alt.Tooltip("column:N", title=x_title),
            alt.Tooltip("value:Q", title=style.weight_title, format=".3f"),
        ],
    )
    text = base.mark_text(fontSize=style.font + 1).encode(
        text=alt.Text("value:Q", format=".2f"),
        color=alt.condition(
            alt.datum.value > 0.5 * vmax,
            alt.value("white" if style.high_is_dark else "black"),
            alt.value("black" if style.high_is_dark else "white"),
        ),
    )
    return alt.layer(rect, text).properties(width=alt.Step(cell), height=alt.Step(cell))
