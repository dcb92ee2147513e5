"""Charts of the teaching pages: sharpness over training, positional encodings, small labelled matrices."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import HEATMAP_SCHEME

MEASURES = {
    "peak": "peak weight (mean of each row's largest)",
    "focus": "focus (1 − normalised entropy)",
}


def sharpness_chart(frame: pd.DataFrame, epoch: int | None = None) -> alt.Chart:
    """``peak`` and ``focus`` (columns) per ``epoch``, both on a fixed 0–1 axis; a rule marks ``epoch``."""
    long = frame.melt(id_vars=["epoch"], value_vars=list(MEASURES), var_name="measure", value_name="value").dropna()
    long["measure"] = long["measure"].map(MEASURES)
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title="sharpness", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "measure:N",
                scale=alt.Scale(domain=list(MEASURES.values()), range=["#0072B2", "#E69F00"]),
                legend=alt.Legend(title=None, orient="bottom", labelLimit=320),
            ),
            strokeDash=alt.StrokeDash("measure:N", legend=None),
            tooltip=["epoch:Q", "measure:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
    layers = [lines]
    if epoch is not None:
        rule = (
            alt.Chart(pd.DataFrame({"epoch": [epoch]})).mark_rule(color="#888", strokeDash=[4, 3]).encode(x="epoch:Q")
        )
        layers.append(rule)
    return alt.layer(*layers).properties(height=220)


def positional_heatmap(table: np.ndarray) -> alt.Chart:
    """A (positions, d_model) encoding table: position down, dimension across, −1 blue … +1 orange."""
    table = np.asarray(table, dtype=float)
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
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("dimension:Q", title="dimension j of the encoding", scale=alt.Scale(domain=[0, table.shape[1]])),
            x2="dimension_end:Q",
            y=alt.Y(
                "position:Q",
                title="position in the sentence",
                scale=alt.Scale(domain=[0, table.shape[0]], reverse=True),
            ),
            y2="position_end:Q",
            color=alt.Color(
                "value:Q", scale=alt.Scale(scheme="blueorange", domain=[-1, 1]), legend=alt.Legend(title="PE")
            ),
            tooltip=["position:Q", "dimension:Q", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(height=320)
    )


def positional_lines(table: np.ndarray, dimensions: Sequence[int]) -> alt.Chart:
    """``PE[pos, j]`` against the position, one line per chosen dimension ``j``."""
    table = np.asarray(table, dtype=float)
    rows = [
        {"position": p, "dimension": f"j = {j} ({'sin' if j % 2 == 0 else 'cos'})", "order": j, "value": table[p, j]}
        for j in dimensions
        for p in range(table.shape[0])
    ]
    df = pd.DataFrame(rows, columns=["position", "dimension", "order", "value"])
    labels = [f"j = {j} ({'sin' if j % 2 == 0 else 'cos'})" for j in dimensions]
    return (
        alt.Chart(df)
        .mark_line(point=table.shape[0] <= 40)
        .encode(
            x=alt.X("position:Q", title="position in the sentence"),
            y=alt.Y("value:Q", title="PE", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("dimension:N", sort=labels, legend=alt.Legend(title=None, orient="bottom")),
            tooltip=["dimension:N", "position:Q", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(height=260)
    )


def matrix_heatmap(
    matrix: np.ndarray,
    columns: Sequence[str],
    rows: Sequence[str],
    x_title: str,
    y_title: str,
    vmax: float = 1.0,
    cell: int = 56,
) -> alt.Chart:
    """A small labelled matrix (weights 0 … ``vmax``) with its values written in the cells."""
    matrix = np.asarray(matrix, dtype=float)
    r, c = np.meshgrid(np.arange(len(rows)), np.arange(len(columns)), indexing="ij")
    df = pd.DataFrame(
        {
            "row": np.asarray(rows, dtype=object)[r.ravel()],
            "column": np.asarray(columns, dtype=object)[c.ravel()],
            "value": matrix.ravel(),
        }
    )
    base = alt.Chart(df).encode(
        x=alt.X("column:N", sort=list(columns), title=x_title, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=list(rows), title=y_title),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme=HEATMAP_SCHEME, domain=[0, vmax]), legend=None),
        tooltip=["row:N", "column:N", alt.Tooltip("value:Q", format=".3f")],
    )
    text = base.mark_text(fontSize=14).encode(
        text=alt.Text("value:Q", format=".2f"),
        color=alt.condition(alt.datum.value > 0.5 * vmax, alt.value("black"), alt.value("white")),
    )
    return alt.layer(rect, text).properties(width=alt.Step(cell), height=alt.Step(cell))
