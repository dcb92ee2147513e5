"""Cached, read-only access to the models and run folders on disk."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import runs

MODEL_KEY = "sidebar_model"


@st.cache_data(ttl=30, show_spinner=False)
def list_models() -> list[runs.RunInfo]:
    """Every run folder under ``assets/`` and ``runs/``, broken ones with their error."""
    return runs.find_runs()


@st.cache_resource(show_spinner="Loading the model…", max_entries=8)
def get_translator(path: str):
    """One shared, read-only Translator per model folder and process."""
    return runs.load_translator(Path(path))


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False, max_entries=64)
def _history(path: str, mtime: float) -> list[dict[str, float]]:
    return runs.read_history(Path(path))


def read_history(path: Path) -> list[dict[str, float]]:
    return _history(str(path), _mtime(path / runs.HISTORY))


@st.cache_data(show_spinner=False, max_entries=64)
def _metrics(path: str, mtime: float) -> dict | None:
    return runs.read_metrics(Path(path))


def read_metrics(path: Path) -> dict | None:
    """``metrics.json`` checked field by field; None when absent or damaged (the model list says why)."""
    try:
        return _metrics(str(path), _mtime(path / runs.METRICS))
    except (runs.RunError, OSError):
        return None


def error_text(error: BaseException) -> str:
    """An error as a page shows it: its type and message, absolute paths cut to their last part."""
    from core.model_files import scrub

    return scrub(f"{type(error).__name__}: {error}")


@st.cache_data(show_spinner=False, max_entries=64)
def _probe_epochs(path: str, mtime: float) -> list[int]:
    return runs.probe_epochs(Path(path))


def probe_epochs(path: Path) -> list[int]:
    """Epochs with saved probe attention, re-read whenever the ``probes/`` folder changes."""
    return _probe_epochs(str(path), _mtime(path / runs.PROBES))


@st.cache_data(show_spinner=False, max_entries=1024)
def _probes(path: str, epoch: int, mtime: float) -> list[dict]:
    return runs.read_probes(Path(path), epoch)


def read_probes(path: Path, epoch: int) -> list[dict]:
    """The probe translations saved after ``epoch``; re-read when that file changes."""
    return _probes(str(path), epoch, _mtime(runs.probe_file(path, epoch)))


def selected_model() -> runs.RunInfo | None:
    """The model chosen in the sidebar (None when no usable model exists)."""
    name = st.session_state.get(MODEL_KEY)
    usable = [r for r in list_models() if r.error is None]
    for r in usable:
        if r.name == name:
            return r
    return usable[0] if usable else None


def score_label(info: runs.RunInfo) -> str:
    """``name · BLEU 31.2 · chrF 52.0`` when the model has test scores."""
    m = read_metrics(info.path)
    if m and "bleu" in m:
        return f"{info.name} · BLEU {m['bleu']:.1f} · chrF {m.get('chrf', float('nan')):.1f}"
    return info.name


def arch_label(config) -> str:
    """``config.label`` in the UI language: the architecture, and for a Transformer its size."""
    from core.config import FFN_LABELS
    from ui.i18n import t

    if config.arch != "transformer":
        label = t(f"arch.{config.arch}")
        return label + t("arch.input_feeding") if config.input_feeding else label
    ffn = FFN_LABELS[config.ffn]
    return t("arch.transformer", layers=config.num_layers, heads=config.num_heads, ffn=ffn, norm=config.norm)


def model_card(info: runs.RunInfo) -> dict:
    """One row of the report card: architecture, size, training and test scores of a model."""
    from core.model_files import read_config
    from core.report import card

    try:
        history = read_history(info.path)
    except (runs.RunError, OSError):
        history = []
    try:
        config = read_config(info.path)
    except (runs.RunError, OSError):  # changed since the model list was read: the list will say why
        return {"model": info.name}
    row = card(config, read_metrics(info.path), history)
    return {"model": info.name, **row, "architecture": arch_label(config)}
