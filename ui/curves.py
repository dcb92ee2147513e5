"""The Training curves page's data access (cached by file change) and its overlay chart."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from core import runs
from core.runs import history
from ui.present import ChartStyle

# Okabe–Ito: told apart with every common colour-vision deficiency; yellow last (weak on white)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
DASHES = ([1, 0], [7, 4])  # train solid, validation dashed
RAW_OPACITY = 0.25  # the unsmoothed curve behind a smoothed one
MAX_POINTS = 60  # curves with at most this many points per line get point marks
_GREY = "#444444"  # the split legend's symbols (colour belongs to the runs)


def _signature(folder: Path, source: str) -> tuple[tuple[str, int, int], ...]:
    """(file, mtime, size) of every file the curves are read from: a change re-reads them."""
    if source == "tensorboard":
        files = sorted((folder / runs.TENSORBOARD).glob("*/events.out.tfevents.*"))
    else:
        files = [folder / runs.HISTORY]
    out = []
    for file in [*files, folder / runs.STEPS]:
        try:
            stat = file.stat()
        except OSError:
            continue
        out.append((file.name, stat.st_mtime_ns, stat.st_size))
    return tuple(out)


@st.cache_data(show_spinner=False, max_entries=128)
def _run_curves(path: str, source: str, signature: tuple) -> history.RunCurves:
    return history.read_run(Path(path), source)


def run_curves(folder: Path, source: str) -> history.RunCurves:
    """A run folder's curves from ``history`` or ``tensorboard``, re-read whenever its files change."""
    return _run_curves(str(folder), source, _signature(folder, source))


@st.cache_data(show_spinner=False, max_entries=16)
def upload_curves(data: bytes) -> history.RunCurves:
    """An uploaded ``history.csv`` as curves; raises :class:`core.runs.history.HistoryError`."""
    return history.RunCurves(history.validate_upload(data))


def curves_overlay(
    long: pd.DataFrame,
    x_column: str,
    *,
    title: str,
    x_title: str,
    y_title: str,
    runs_order: list[str],
    splits_order: list[str],
    smoothed: bool,
    log_scale: bool = False,
    style: ChartStyle | None = None,
) -> alt.LayerChart:
    """One metric of several runs (long form: run, split, ``x_column``, value, smoothed).

    Colour tells runs apart, the dash pattern tells training from validation. With smoothing
    the smoothed curve is drawn over its raw values, which stay visible as a faint line.
    """
    style = style or ChartStyle()
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(runs_order))]
    legend = {
        "orient": "bottom",
        "symbolType": "stroke",
        "symbolStrokeWidth": 2.5,
        "symbolSize": 500,
        "symbolOpacity": 1,
    }
    # colour by run, dashes by split; the layers share these scales and one legend
    colour = alt.Color("run:N", title=None, scale=alt.Scale(domain=runs_order, range=colours),
                       legend=alt.Legend(direction="vertical", labelLimit=320, **legend))  # fmt: skip
    dash = alt.StrokeDash("split:N", title=None, scale=alt.Scale(domain=splits_order, range=list(DASHES)),
                          legend=alt.Legend(symbolStrokeColor=_GREY, symbolFillColor=_GREY, **{**legend, "orient": "top"}))  # fmt: skip

    x = alt.X(f"{x_column}:Q", title=x_title, axis=alt.Axis(tickMinStep=1) if x_column == "epoch" else alt.Axis())
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    tooltip = [
        alt.Tooltip("run:N", title=style.run_title),
        alt.Tooltip("split:N", title=style.split_title),
        alt.Tooltip(f"{x_column}:Q", title=x_title, format=",.4~f"),
        alt.Tooltip("value:Q", title=y_title, format=".4f"),
    ]
    base = alt.Chart(long).encode(x=x, detail="split:N")
    points = bool(len(long)) and bool(long.groupby(["run", "split"]).size().max() <= MAX_POINTS)
    y = "value"
    layers = []
    if smoothed:
        tooltip.append(alt.Tooltip("smoothed:Q", title=style.smoothed_title, format=".4f"))
        layers.append(
            base.mark_line(opacity=RAW_OPACITY, strokeWidth=1.5).encode(
                y=alt.Y("value:Q", title=y_title, scale=y_scale), color=colour, strokeDash=dash
            )
        )
        y = "smoothed"
    layers.append(
        base.mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(filled=True) if points else False).encode(
            y=alt.Y(f"{y}:Q", title=y_title, scale=y_scale), tooltip=tooltip, color=colour, strokeDash=dash
        )
    )
    return (
        alt.layer(*layers, title=title)
        .properties(height=420 if style.presenting else 320)
        .configure_axis(labelFontSize=style.font, titleFontSize=style.font)
        .configure_legend(labelFontSize=style.font)
        .configure_title(fontSize=style.font + 3)
    )
