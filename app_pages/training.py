"""Training curves: overlay runs and uploaded histories, smoothed, by epoch, step or wall time."""

import pandas as pd
import streamlit as st

from core.runs.history import METRICS, X_AXES, X_COLUMNS, HistoryError, RunCurves, long_form
from ui.curves import curves_overlay, run_curves, upload_curves
from ui.i18n import t
from ui.language import uploader_css, widget_index, widget_value
from ui.models import list_curves, read_metrics, selected_model
from ui.present import chart_style
from ui.share import from_link, from_link_list, int_in, one_of, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "training", "training_"
SOURCES = ("history", "tensorboard")
METRIC_CHOICES = ("both", *METRICS)


def _flag(value: str) -> bool:
    return one_of(("0", "1"))(value) == "1"


def _percent(value: str) -> float:
    return int_in(0, 99)(value) / 100


def _message(error: Exception) -> str:
    """A reading error in the page's language, its values escaped (file and column names are user text)."""
    if isinstance(error, HistoryError):
        return t(f"training.err_{error.code}", **{k: escape_markdown(str(v)) for k, v in error.values.items()})
    return escape_markdown(f"{type(error).__name__}: {error}")


st.title(t("training.title"))
st.caption(t("training.caption"))

models = list_curves()  # a run whose model cannot translate still has its curves
usable = {m.name: m for m in models}
if not usable:
    st.info(t("sidebar.no_model"))
    st.stop()
current = selected_model()

from_link_list(PAGE, "runs", PREFIX + "runs", one_of(list(usable)), limit=len(usable))
from_link(PAGE, "metric", PREFIX + "metric", one_of(METRIC_CHOICES))
from_link(PAGE, "x", PREFIX + "x", one_of(X_AXES))
from_link(PAGE, "smooth", PREFIX + "smooth", _percent)
from_link(PAGE, "log", PREFIX + "log", _flag)
from_link(PAGE, "source", PREFIX + "source", one_of(SOURCES))
if PREFIX + "runs" in st.session_state:  # from a link or an earlier visit; a run folder may have gone
    st.session_state[PREFIX + "runs"] = [n for n in st.session_state[PREFIX + "runs"] if n in usable]
    picked = {"default": widget_value(PREFIX + "runs")}
else:
    picked = {"default": [current.name] if current is not None else []}
for key, default in (("metric", "both"), ("x", "epoch"), ("smooth", 0.0), ("log", False), ("source", "history")):
    st.session_state.setdefault(PREFIX + key, default)

chosen = st.multiselect(t("training.runs"), list(usable), key=PREFIX + "runs", help=t("training.runs_help"), **picked)
left, middle, right = st.columns(3)
metric_labels = {"both": t("training.metric_both"), "loss": t("training.loss"), "accuracy": t("training.accuracy")}
metric = left.radio(t("training.metric"), METRIC_CHOICES, key=PREFIX + "metric",
                    index=widget_index(PREFIX + "metric", METRIC_CHOICES), format_func=metric_labels.get,
                    horizontal=True)  # fmt: skip
x_labels = {"epoch": t("training.x_epoch"), "step": t("training.x_step"), "wall_time": t("training.x_wall_time")}
x = middle.radio(t("training.x"), X_AXES, key=PREFIX + "x", index=widget_index(PREFIX + "x", X_AXES),
                 format_func=x_labels.get, horizontal=True, help=t("training.x_help"))  # fmt: skip
source_labels = {"history": t("training.source_history"), "tensorboard": t("training.source_tensorboard")}
source = right.radio(t("training.source"), SOURCES, key=PREFIX + "source",
                     index=widget_index(PREFIX + "source", SOURCES), format_func=source_labels.get,
                     horizontal=True, help=t("training.source_help"))  # fmt: skip
left, right = st.columns([2, 1], vertical_alignment="bottom")  # room for the toggle's whole label
weight = left.slider(
    t("training.smooth"),
    0.0,
    0.99,
    step=0.01,
    value=widget_value(PREFIX + "smooth"),
    key=PREFIX + "smooth",
    help=t("training.smooth_help"),
)
log_scale = right.toggle(t("training.log"), value=widget_value(PREFIX + "log", False), key=PREFIX + "log")
uploads = st.file_uploader(t("training.upload"), type=["csv"], accept_multiple_files=True, key=PREFIX + "upload",
                           help=t("training.upload_help"))  # fmt: skip
st.html(uploader_css(["csv"]))  # the box's own words in the page's language

entries: list[tuple[str, RunCurves]] = []
for name in chosen:
    if usable[name].error is not None:  # drawn all the same, its reason said
        st.caption(t("training.not_a_model", name=escape_markdown(name), error=escape_markdown(usable[name].error)))
    try:  # one broken run folder leaves the others be
        entries.append((name, run_curves(usable[name].path, source)))
    except (HistoryError, OSError) as e:
        st.warning(t("training.broken", name=escape_markdown(name), error=_message(e)))
for file in uploads or []:
    try:
        curves = upload_curves(file.getvalue())
    except HistoryError as e:
        st.error(t("training.upload_bad", name=escape_markdown(file.name), error=_message(e)))
        continue
    label = base = t("training.upload_run", name=file.name)
    for n in range(2, len(entries) + 3):  # two uploads with one file name stay two lines
        if label not in {name for name, _ in entries}:
            break
        label = f"{base} ({n})"
    entries.append((label, curves))

metrics = list(METRICS) if metric == "both" else [metric]
frames = []
for name, curves in entries:
    if curves.missing_epochs:  # TensorBoard lost epochs to a kill: said, not hidden
        lacking = ", ".join(map(str, curves.missing_epochs))
        st.caption(t("guard.tensorboard_lacks", name=escape_markdown(name), epochs=lacking))
    try:
        frames.append(long_form(curves, name, metrics, x, weight))
    except HistoryError as e:
        st.info(t("training.skipped", name=escape_markdown(name), error=_message(e)))
plotted = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
if len(plotted) and log_scale:  # a log axis cannot show zero or negative values
    plotted = plotted[(plotted["value"] > 0) & (plotted["smoothed"] > 0)].reset_index(drop=True)

if not entries and not chosen:
    st.info(t("training.pick_one"))
elif plotted.empty:
    st.info(t("training.nothing"))
else:
    split_labels = {"train": t("training.train"), "validation": t("training.validation")}
    plotted["split"] = plotted["split"].map(split_labels)
    style, xcol = chart_style(), X_COLUMNS[x]
    titles = {"loss": t("training.loss_title"), "accuracy": t("training.accuracy_title")}
    order = [n for n, _ in entries if n in set(plotted["run"])]
    for column, m in zip(st.columns(len(metrics)), metrics, strict=True):
        data = plotted[plotted["metric"] == m]
        if data.empty:
            column.info(t("training.no_metric", metric=metric_labels[m]))
            continue
        vega_chart(
            curves_overlay(
                data,
                xcol,
                title=titles[m],
                x_title=x_labels[x],
                y_title=metric_labels[m],
                runs_order=order,
                splits_order=list(split_labels.values()),
                smoothed=weight > 0,
                log_scale=log_scale,
                style=style,
            ),
            container=column,
        )
    notes = [t("training.note_step")] if x == "step" else []
    notes += [t("training.note_smooth")] if weight > 0 else []
    notes += [t("training.note_log")] if log_scale else []
    for note in notes:
        st.caption(note)
    st.download_button(t("training.download"), plotted.to_csv(index=False).encode(), "training_curves.csv",
                       "text/csv", key=PREFIX + "csv", help=t("training.download_help"))  # fmt: skip

if current is not None:
    st.subheader(t("training.summary", name=escape_markdown(current.name)))
    try:
        epochs = run_curves(current.path, "history").epochs
    except (HistoryError, OSError) as e:
        st.warning(t("training.broken", name=escape_markdown(current.name), error=_message(e)))
        epochs = pd.DataFrame()
    if epochs.empty:
        st.info(t("training.no_epochs", name=escape_markdown(current.name)))
    else:
        last = epochs.iloc[-1]
        cols = st.columns(4)
        cols[0].metric(t("training.epochs"), int(last["epoch"]))
        cols[1].metric(t("training.val_loss"), f"{last.get('val_loss', float('nan')):.3f}")
        cols[2].metric(t("training.val_accuracy"), f"{last.get('val_accuracy', float('nan')):.3f}")
        cols[3].metric(t("training.time"), t("training.minutes", n=f"{last.get('wall_time', 0) / 60:.0f}"))
    scores = read_metrics(current.path)
    if scores and "bleu" in scores:
        st.caption(t("training.test_scores", sentences=scores.get("sentences", "?"), bleu=f"{scores['bleu']:.1f}",
                     chrf=f"{scores.get('chrf', float('nan')):.1f}",
                     signature=scores.get("bleu_signature", "")))  # fmt: skip
    if not epochs.empty:
        with st.expander(t("training.numbers")):
            st.dataframe(epochs, hide_index=True)

publish(
    runs=chosen,
    metric=metric if metric != "both" else None,
    x=x if x != "epoch" else None,
    smooth=round(weight * 100) or None,
    log="1" if log_scale else None,
    source=source if source != "history" else None,
)
