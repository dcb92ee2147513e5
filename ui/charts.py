"""Figures: the interactive attention heatmap (Altair), its static twin (matplotlib), training curves."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.panels import label_angle, min_cell
from ui.present import MIN_CELL, ChartStyle, fit_cell
from ui.vega import VegaSpec

HEATMAP_SCHEME = "viridis"  # perceptually uniform and colour-blind safe
BARS_WIDTH = 200  # pixels the attention bars of one step may take across


def _axis(title: str, labels: Sequence[str], font: int = 13, **extra) -> dict:
    """An axis that labels positions with their tokens, as a Vega-Lite dict.

    Positions keep repeated tokens (two "." say) apart; ``labelExpr`` shows the token itself.
    """
    return {
        "title": title,
        "labelExpr": f"{json.dumps(list(labels))}[datum.value]",
        "labelLimit": 160,
        "labelOverlap": False,  # one label per token: Vega would otherwise drop labels that touch
        "labelFlush": False,  # Streamlit's theme flushes the end labels inwards, onto their neighbours
        "labelFontSize": font,
        "titleFontSize": font,
        **extra,
    }


def _indexed_axis(title: str, labels: Sequence[str], font: int = 13, **kwargs) -> alt.Axis:
    """:func:`_axis` for an Altair chart."""
    return alt.Axis(**_axis(title, labels, font, **kwargs))


def attention_frame(matrix: np.ndarray, source: Sequence[str], target: Sequence[str]) -> pd.DataFrame:
    """Long form of an attention matrix (target_len, source_len): one row per cell."""
    matrix = np.asarray(matrix)
    if matrix.shape != (len(target), len(source)):
        raise ValueError(f"attention shape {matrix.shape} != (target {len(target)}, source {len(source)})")
    t_idx, s_idx = np.meshgrid(np.arange(len(target)), np.arange(len(source)), indexing="ij")
    return pd.DataFrame(
        {
            "target_pos": t_idx.ravel(),
            "source_pos": s_idx.ravel(),
            "target": np.asarray(target, dtype=object)[t_idx.ravel()],
            "source": np.asarray(source, dtype=object)[s_idx.ravel()],
            "weight": matrix.ravel().astype(float),
        }
    )


def attention_heatmap(
    matrix: np.ndarray,
    source: Sequence[str],
    target: Sequence[str],
    cell: int | None = None,
    vmax: float = 1.0,
    centres: Sequence[float] | None = None,
    style: ChartStyle | None = None,
) -> VegaSpec:
    """Source tokens across, target tokens down; hover shows both tokens and the weight.

    ``centres`` (one per target token) marks local-p's predicted window centre ``p_t``
    with a ring on the nearest source token. Written as a Vega-Lite dict (:class:`VegaSpec`):
    it is drawn on every click.
    """
    style = style or ChartStyle()
    cell = cell or fit_cell(len(source), style)
    tables = {"cells": attention_frame(matrix, source, target)}
    angle = label_angle(cell, style.font)  # slanted while neighbours stay apart, else upright: never dropped
    position = {
        "x": {"field": "source_pos", "type": "ordinal",
              "axis": _axis(style.source_title, source, style.font, orient="top", labelAngle=angle)},
        "y": {"field": "target_pos", "type": "ordinal", "axis": _axis(style.target_title, target, style.font)},
        # on the cell and on the number written in it: the words, not the positions
        "tooltip": [
            {"field": "target", "type": "nominal", "title": style.target_title},
            {"field": "source", "type": "nominal", "title": style.source_title},
            {"field": "weight", "type": "quantitative", "title": style.weight_title, "format": ".3f"},
        ],
    }  # fmt: skip
    legend = {
        "title": style.weight_title,
        "orient": "bottom",
        "direction": "horizontal",
        "gradientLength": int(max(120, min(240, cell * len(source)))),
        "labelFontSize": style.font,
        "titleFontSize": style.font,
    }
    colour = {"field": "weight", "type": "quantitative", "legend": legend,
              "scale": {"scheme": style.scheme, "domain": [0, vmax]}}  # fmt: skip
    layers = [{"data": {"name": "cells"}, "mark": {"type": "rect"}, "encoding": {**position, "color": colour}}]
    number_font = min(style.font - 4, int((cell - 4) / 2.3))  # "0.17" fits inside its cell
    if len(source) * len(target) <= 400 and number_font >= 9:
        light, dark = ("white", "black") if style.high_is_dark else ("black", "white")
        text = {"field": "weight", "type": "quantitative", "format": ".2f"}
        written = {"condition": {"test": f"(datum.weight > {0.5 * vmax!r})", "value": light}, "value": dark}
        layers.append({"data": {"name": "cells"}, "mark": {"type": "text", "fontSize": number_font},
                       "encoding": {**position, "text": text, "color": written}})  # fmt: skip
    if centres is not None and len(centres):
        tables["centres"] = pd.DataFrame(
            {
                "target_pos": np.arange(len(centres)),
                "source_pos": np.clip(np.rint(centres), 0, len(source) - 1).astype(int),
                "centre": np.asarray(centres, dtype=float),
            }
        )
        ring = {"type": "point", "shape": "circle", "size": cell * cell * 0.6, "filled": False,
                "strokeWidth": 3, "color": "#D55E00"}  # fmt: skip
        layers.append({"data": {"name": "centres"}, "mark": ring, "encoding": {
            "x": {"field": "source_pos", "type": "ordinal"},
            "y": {"field": "target_pos", "type": "ordinal"},
            "tooltip": [{"field": "centre", "type": "quantitative", "title": style.centre_title, "format": ".2f"}],
        }})  # fmt: skip
    return VegaSpec({"layer": layers, "width": {"step": cell}, "height": {"step": cell}}, tables)


def attention_figure(
    matrix: np.ndarray, source: Sequence[str], target: Sequence[str], title: str = "", style: ChartStyle | None = None
):
    """A matplotlib figure of the heatmap, for PNG/SVG download, with the page's axis titles in its language.

    Chinese titles are drawn with the shipped CJK subset (``ui.fonts``), on any machine.
    """
    from matplotlib.figure import Figure

    from ui.fonts import register_cjk_font

    register_cjk_font()
    style = style or ChartStyle()
    matrix = np.asarray(matrix)
    fig = Figure(figsize=(1.0 + 0.55 * max(len(source), 3), 1.0 + 0.45 * max(len(target), 3)), dpi=150)
    ax = fig.add_subplot()
    im = ax.imshow(matrix, cmap=style.cmap, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(source)), labels=list(source), rotation=45, ha="left")
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(target)), labels=list(target))
    ax.set_xlabel(style.source_title)
    ax.set_ylabel(style.target_title)
    if title:
        ax.set_title(title, pad=12, fontsize=10, loc="left")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


def figure_bytes(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight")
    return buf.getvalue()


def matrix_csv(matrix: np.ndarray, source: Sequence[str], target: Sequence[str]) -> bytes:
    """The matrix as CSV: a header of source tokens, one row per output token, 5 decimals.

    Tokens that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` first) get a ``'`` in front.
    Written with the ``csv`` module (quoting as a spreadsheet expects): made on every click, it
    must cost little.
    """
    from ui.text import csv_safe

    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (len(target), len(source)):
        raise ValueError(f"matrix shape {matrix.shape} != (target {len(target)}, source {len(source)})")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["output \\ source", *(csv_safe(w) for w in source)])
    for word, row in zip(target, matrix, strict=True):
        writer.writerow([csv_safe(word), *(f"{x:.5f}" for x in row)])
    return out.getvalue().encode("utf-8")


def overlay_chart(
    curves: pd.DataFrame, metric: str, title: str | None = None, model_title: str = "model", epoch_title: str = "epoch"
) -> alt.Chart:
    """``metric`` per epoch, one line per model (column ``model``); titles in the page's language."""
    data = curves[["model", "epoch", metric]].dropna()
    title = title or metric.replace("_", " ")
    return (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title=epoch_title, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(f"{metric}:Q", title=title, scale=alt.Scale(zero=False)),
            color=alt.Color("model:N", title=model_title),
            tooltip=[
                alt.Tooltip("model:N", title=model_title),
                alt.Tooltip("epoch:Q", title=epoch_title),
                alt.Tooltip(f"{metric}:Q", title=title, format=".4f"),
            ],
        )
        .properties(height=320)
    )


def attention_bars(
    row: np.ndarray, source: Sequence[str], centre: float | None = None, style: ChartStyle | None = None
) -> alt.Chart:
    """One decoder step's attention over the source tokens as bars (``row`` (source_len,)).

    ``centre`` (local-p) marks the predicted window centre with a triangle under the nearest token.
    """
    style = style or ChartStyle()
    row = np.asarray(row, dtype=float)
    if row.shape != (len(source),):
        raise ValueError(f"attention row shape {row.shape} != (source {len(source)},)")
    df = pd.DataFrame({"source_pos": np.arange(len(source)), "source": list(source), "weight": row})
    value_font = max(11, style.font - 6)  # "0.17" over each bar, as wide as the bar
    step = max(MIN_CELL, min_cell(style.font), math.ceil(2.6 * value_font),
               min(44, BARS_WIDTH // max(1, len(source))))  # fmt: skip
    x = alt.X("source_pos:O",
              axis=_indexed_axis(style.source_title, source, style.font, labelAngle=label_angle(step, style.font)))  # fmt: skip
    top = max(1e-6, float(row.max(initial=0)))
    bars = (
        alt.Chart(df)
        .mark_bar(color="#0072B2")
        .encode(
            x=x,
            y=alt.Y("weight:Q", title=style.weight_title, scale=alt.Scale(domain=[0, top])),
            tooltip=[
                alt.Tooltip("source:N", title=style.token_title),
                alt.Tooltip("weight:Q", title=style.weight_title, format=".3f"),
            ],
        )
    )
    labels = bars.mark_text(dy=-8, fontSize=value_font).encode(text=alt.Text("weight:Q", format=".2f"))
    layers = [bars, labels]
    if centre is not None:
        mark = pd.DataFrame(
            {"source_pos": [int(np.clip(np.rint(centre), 0, len(source) - 1))], "centre": [float(centre)], "y": [0.0]}
        )
        layers.append(
            alt.Chart(mark)
            .mark_point(shape="triangle-up", size=260, filled=True, color="#D55E00")
            .encode(
                x="source_pos:O",
                y="y:Q",
                tooltip=[alt.Tooltip("centre:Q", title=style.centre_title, format=".2f")],
            )
        )
    return alt.layer(*layers).properties(height=260, width=alt.Step(step))


def candidates_chart(
    candidates: Sequence[tuple[str, float]],
    chosen: str,
    style: ChartStyle | None = None,
    width: int | str = "container",
) -> alt.Chart:
    """The model's best next tokens (most probable first) as horizontal bars; ``chosen`` in orange.

    ``width`` is the whole figure's, labels and legend included (Vega fits the bars into what is left).
    The default, ``"container"``, takes the width of the column it is drawn in (``width="stretch"``
    on the page), so a narrow column on a projector never crops it.
    """
    style = style or ChartStyle()
    written, other = style.written_label, style.other_label
    df = pd.DataFrame(
        {
            "rank": np.arange(len(candidates)),
            "token": [t for t, _ in candidates],
            "probability": [float(p) for _, p in candidates],
            "written": [written if t == chosen else other for t, _ in candidates],
        }
    )
    y = alt.Y("rank:O", axis=_indexed_axis(style.next_title, list(df["token"]), style.font))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("probability:Q", title=style.probability_title, scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "written:N",
                scale=alt.Scale(domain=[written, other], range=["#E69F00", "#56B4E9"]),
                # stacked, one entry a line: as narrow as its longest word, never wider than the chart
                legend=alt.Legend(
                    title=None, orient="bottom", direction="vertical", labelFontSize=style.font, labelLimit=0
                ),
            ),
            tooltip=[
                alt.Tooltip("token:N", title=style.next_title),
                alt.Tooltip("probability:Q", title=style.probability_title, format=".3f"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4, fontSize=max(12, style.font - 2)).encode(
        text=alt.Text("probability:Q", format=".2f")
    )
    return alt.layer(bars, labels).properties(
        height=alt.Step(max(36, style.font * 2)),
        width=width,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )
