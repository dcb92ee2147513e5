"""The live run as every watcher sees it, redrawn by itself every few seconds (a fragment).

Reads only the live root's state file and the run folder (:func:`core.train.live.progress.look`,
shared by every session for a second), never the process's memory. While a run is going the
panel refreshes every :data:`REFRESH_ACTIVE_S` seconds, otherwise every :data:`REFRESH_IDLE_S`;
when a run starts or ends the whole page reruns once to change pace.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import runs
from core.train.live import progress
from core.train.live.presets import MECHANISMS, PRESETS
from core.train.live.progress import LiveView
from core.train.live.root import is_model_root
from ui.i18n import t
from ui.live_charts import draw_curves, draw_probes
from ui.live_controls import controls, show_flash
from ui.live_preset import duration, mechanism_label, preset_label, preset_words
from ui.models import probe_epochs, refresh_models
from ui.present import chart_style
from ui.text import escape_markdown

REFRESH_ACTIVE_S = 3.0
REFRESH_IDLE_S = 15.0
ACTIVE_KEY = "live_active"  # whether the panel last drew a run going (its refresh pace)
LOOK_TTL_S = 1.0  # seconds the shared look at the live folder serves every session


@st.cache_data(ttl=LOOK_TTL_S, max_entries=4, show_spinner=False)
def _look(root: str) -> LiveView:
    return progress.look(Path(root))


def forget_look() -> None:
    """Drop the shared look: the next draw reads the state again (after an action of this session)."""
    _look.clear()


def model_name(root: Path, run: str) -> str:
    """The run's name in the model picker."""
    return f"{root.name}/{run}"


def draw_status(view: LiveView, root: Path) -> None:
    state = view.state
    if view.status == "idle":
        st.info(t("live.idle"))
        return
    if view.status == "unreadable" or state is None:
        st.error(t("live.unreadable", error=escape_markdown(view.detail)))
        return
    name = escape_markdown(state.run)
    values = {"name": name, "done": view.epochs_done, "total": view.epochs_total}
    if view.status == "preparing":
        st.info(t("live.status_preparing", seconds=int(view.elapsed), **values))
    elif view.status == "training":
        st.info(t("live.status_training", **values))
    elif view.status == "stopping":
        st.warning(t("live.status_stopping", **values))
    elif view.status == "finished":
        st.success(t("live.status_finished", model=escape_markdown(model_name(root, state.run)), **values))
    elif view.status == "stopped":
        st.warning(t("live.status_stopped", epoch=view.detail, **values))
    else:
        st.error(t("live.status_failed", line=escape_markdown(view.detail) or "—", **values))
    if view.active:
        left = duration(view.seconds_left) if view.seconds_left is not None else None
        text = t("live.progress_left", left=left, **values) if left else t("live.progress", **values)
        st.progress(view.fraction, text=text)
        if view.estimated_from:
            st.caption(t(f"live.estimate_{view.estimated_from}"))
    preset = PRESETS.get(state.preset)
    if preset is not None and state.mechanism in MECHANISMS:
        st.markdown(t("live.this_run", preset=preset_label(state.preset), mechanism=mechanism_label(state.mechanism)))
        st.caption(preset_words(preset, state.mechanism))


def _panel(root_text: str, teacher: bool) -> None:
    root = Path(root_text)
    view = _look(root_text)
    if st.session_state.get(ACTIVE_KEY) != view.active:  # a run started or ended: change pace
        st.session_state[ACTIVE_KEY] = view.active
        if not view.active:
            refresh_models()  # the finished run joins the model picker now, not in 30 s
        st.rerun(scope="app")
    show_flash()  # what this session's last action did (or why it was refused)
    if teacher:
        controls(view, root)
    draw_status(view, root)
    if view.state is None or view.folder is None or not view.folder.is_dir():
        return
    style = chart_style()
    draw_curves(view.folder, model_name(root, view.state.run), style)
    try:
        epochs = probe_epochs(view.folder)
    except (OSError, ValueError):
        epochs = []
    if epochs:
        draw_probes(view.folder, epochs, style, transformer=view.state.mechanism == "transformer")
    elif view.active:
        st.info(t("live.no_probes"))
    st.caption(t("live.refresh_note", seconds=int(REFRESH_ACTIVE_S if view.active else REFRESH_IDLE_S)))


def live_panel(root: Path, teacher: bool) -> None:
    """The live run (and, for the teacher, its controls), refreshing by itself."""
    if not is_model_root(root):
        st.warning(t("live.not_listed", env=runs.MODEL_DIRS_ENV, folder=escape_markdown(root.name)))
    view = _look(str(root))
    st.session_state[ACTIVE_KEY] = view.active
    every = REFRESH_ACTIVE_S if view.active else REFRESH_IDLE_S
    st.fragment(_panel, run_every=every)(str(root), teacher)
