"""The live run's charts: loss and accuracy so far, the probes' attention at epoch 0 beside the latest, the table.

Everything is read from the run folder through caches keyed on the files' change times, so
a class watching the same run shares one read of each file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from core import runs
from core.data.probes import attention_entropy
from core.runs import history
from core.text import detokenize
from ui.charts import attention_heatmap
from ui.curves import curves_overlay
from ui.i18n import t
from ui.models import error_text, read_probes
from ui.present import ChartStyle
from ui.text import escape_markdown
from ui.vega import vega_chart

PREFIX = "live_"
PROBE_KEY = PREFIX + "probe"
MAX_ROWS = 12  # output words drawn per heatmap; an untrained model writes up to its length limit


def _signature(folder: Path) -> tuple:
    out = []
    for name in (runs.HISTORY, runs.STEPS):
        try:
            stat = (folder / name).stat()
            out.append((name, stat.st_mtime_ns, stat.st_size))
        except OSError:
            continue
    return tuple(out)


@st.cache_data(show_spinner=False, max_entries=16)
def _curves(path: str, signature: tuple) -> history.RunCurves:
    folder = Path(path)
    steps = history.read_steps(folder)
    try:
        epochs = history.read_history(folder)
    except history.HistoryError as e:
        if e.code != "missing_file":
            raise
        epochs = pd.DataFrame(columns=["epoch"], dtype=float)
    per_epoch = history.steps_per_epoch(steps)
    if per_epoch is None and steps is not None and len(epochs) and (steps["epoch"] == 1).any():
        per_epoch = float(steps.loc[steps["epoch"] == 1, "step"].max())  # one epoch logged: its last logged step
    return history.RunCurves(epochs, steps, per_epoch)


def live_curves(folder: Path) -> history.RunCurves:
    """The run's curves so far: training loss every few steps, validation after each epoch."""
    return _curves(str(folder), _signature(folder))


def plotted(curves: history.RunCurves, name: str) -> pd.DataFrame:
    """Long form on the step axis; validation points join once the steps per epoch are known."""
    try:
        return history.long_form(curves, name, list(history.METRICS), "step", 0.0)
    except history.HistoryError:
        training_only = history.RunCurves(pd.DataFrame(columns=["epoch"], dtype=float), curves.steps, None)
        return history.long_form(training_only, name, list(history.METRICS), "step", 0.0)


def draw_curves(folder: Path, name: str, style: ChartStyle) -> None:
    st.subheader(t("live.curves_title"))
    try:
        data = plotted(live_curves(folder), name)
    except (history.HistoryError, OSError) as e:
        st.warning(t("live.curves_unreadable", error=escape_markdown(error_text(e))))
        return
    if data.empty:
        st.info(t("live.curves_none"))
        return
    splits = {"train": t("training.train"), "validation": t("training.validation")}
    data["split"] = data["split"].map(splits)
    titles = {"loss": t("training.loss_title"), "accuracy": t("training.accuracy_title")}
    labels = {"loss": t("training.loss"), "accuracy": t("training.accuracy")}
    for column, metric in zip(st.columns(2), history.METRICS, strict=True):
        part = data[data["metric"] == metric]
        if part.empty:
            continue
        chart = curves_overlay(
            part,
            "step",
            title=titles[metric],
            x_title=t("training.x_step"),
            y_title=labels[metric],
            runs_order=[name],
            splits_order=list(splits.values()),
            smoothed=False,
            style=style,
        )
        vega_chart(chart, container=column)
        column.caption(t(f"live.note_{metric}"))


@dataclass(frozen=True)
class Probe:
    """One probe sentence at one epoch, checked: source labels, output words, (output, source) weights."""

    source: str
    labels: list[str]
    target: list[str]
    matrix: np.ndarray

    @property
    def text(self) -> str:
        return detokenize(self.target) if self.target else t("live.no_words")


def probe_of(item: dict) -> Probe:
    """A saved probe, checked; ``ValueError``/``KeyError``/``TypeError`` when malformed."""
    source = [str(w) for w in item["source_tokens"]]
    target = [str(w) for w in item["target_tokens"]]
    unknown = [bool(u) for u in item.get("unknown") or [False] * len(source)]
    matrix = np.asarray(item["attention"], dtype=float) if target else np.zeros((0, len(source)))
    if matrix.shape != (len(target), len(source)) or len(unknown) != len(source):
        raise ValueError(f"attention shape {matrix.shape} != (target {len(target)}, source {len(source)})")
    labels = [f"{w} [UNK]" if u else w for w, u in zip(source, unknown, strict=True)]
    return Probe(str(item["source"]), labels, target, matrix)


def epoch_probes(folder: Path, epoch: int) -> dict[str, Probe]:
    """The probes of one epoch by sentence; a damaged file or entry raises (the caller says so)."""
    return {p.source: p for p in (probe_of(item) for item in read_probes(folder, epoch))}


def draw_heatmap(container, probe: Probe | None, heading: str, style: ChartStyle) -> None:
    container.markdown(heading)
    if probe is None:
        container.info(t("live.probe_missing"))
        return
    if not probe.target:
        container.info(t("live.no_words"))
        return
    rows = min(len(probe.target), MAX_ROWS)
    chart = attention_heatmap(probe.matrix[:rows], probe.labels, probe.target[:rows], vmax=1.0, style=style)
    vega_chart(chart, width="content", container=container)
    if rows < len(probe.target):
        container.caption(t("live.rows_cut", shown=rows, total=len(probe.target)))


def draw_probes(folder: Path, epochs: list[int], style: ChartStyle, transformer: bool = False) -> None:
    """Epoch 0 beside the latest epoch for one probe sentence, then every probe in a table.

    A Transformer's probes hold its last layer's cross-attention averaged over the heads; the page says so.
    """
    st.subheader(t("live.heatmaps_title"))
    first, last = epochs[0], epochs[-1]
    try:
        before, now = epoch_probes(folder, first), epoch_probes(folder, last)
    except (runs.RunError, OSError, ValueError, KeyError, TypeError) as e:
        st.warning(t("live.probes_unreadable", error=escape_markdown(error_text(e))))
        return
    sentences = list(now) or list(before)
    if not sentences:
        st.info(t("live.no_probes"))
        return
    if st.session_state.get(PROBE_KEY) not in sentences:
        st.session_state[PROBE_KEY] = sentences[0]
    sentence = st.selectbox(t("live.probe"), sentences, key=PROBE_KEY)
    left, right = st.columns(2)
    label = t("live.epoch0") if first == 0 else t("live.epoch_n", epoch=first)
    draw_heatmap(left, before.get(sentence), _heading(label, before.get(sentence)), style)
    draw_heatmap(right, now.get(sentence), _heading(t("live.epoch_n", epoch=last), now.get(sentence)), style)
    st.caption(t("live.note_heatmaps"))
    if transformer:
        st.caption(t("live.transformer_note"))
    draw_table(sentences, before, now, first, last)


def _text(probe: Probe | None) -> str:
    return probe.text if probe is not None else ""


def _heading(label: str, probe: Probe | None) -> str:
    """``**Epoch 3:** Tengo frío.``: the epoch in bold, then the probe's translation (escaped).

    Cut like the heatmap below it: the first :data:`MAX_ROWS` words, then "…".
    """
    if probe is not None and len(probe.target) > MAX_ROWS:
        return f"**{label}** {escape_markdown(detokenize(probe.target[:MAX_ROWS]))} …"
    return f"**{label}** {escape_markdown(_text(probe))}"


def entropy_table(sentences: list[str], before: dict[str, Probe], now: dict[str, Probe]) -> pd.DataFrame:
    """Per probe: its translation and mean attention entropy at both epochs, and that of even rows."""
    rows = []
    for s in sentences:
        b, n = before.get(s), now.get(s)
        rows.append(
            {
                "sentence": s,
                "first": _text(b),
                "last": _text(n),
                "entropy_first": attention_entropy(b.matrix)["entropy"] if b is not None else float("nan"),
                "entropy_last": attention_entropy(n.matrix)["entropy"] if n is not None else float("nan"),
                "uniform": float(np.log(len(n.labels))) if n is not None and n.labels else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def draw_table(sentences: list[str], before: dict[str, Probe], now: dict[str, Probe], first: int, last: int) -> None:
    st.subheader(t("live.translations_title"))
    table = entropy_table(sentences, before, now)
    columns = {
        "sentence": t("live.col_sentence"),
        "first": t("live.col_translation", epoch=first),
        "last": t("live.col_translation", epoch=last),
        "entropy_first": t("live.col_entropy", epoch=first),
        "entropy_last": t("live.col_entropy", epoch=last),
        "uniform": t("live.col_uniform"),
    }
    st.dataframe(table.round(3).rename(columns=columns), hide_index=True)
    st.caption(t("live.note_entropy"))
