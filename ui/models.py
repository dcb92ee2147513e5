"""Cached, read-only access to the models and run folders on disk."""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from pathlib import Path

import streamlit as st

from core import runs
from ui.keras_cleanup import disable_keras_cleanup
from ui.op_threads import one_thread_per_op

MODEL_KEY = "sidebar_model"
DECODE_CACHE_ENTRIES = 512  # shared results of identical requests, across sessions

disable_keras_cleanup()  # the models below are shared; see ui/keras_cleanup.py
one_thread_per_op()  # before any model runs; see ui/op_threads.py
_LOAD_LOCK = threading.Lock()  # Keras builds one model at a time (checks and tracing happen outside)


def list_models() -> list[runs.RunInfo]:
    """Every run folder under ``assets/`` and ``runs/`` (or ``$ATTENTION_LAB_MODEL_DIRS``), broken ones with their error.

    A model that failed to load is listed as unusable with that error until its files change.
    """
    return [_with_failure(r) for r in _find_runs(runs.model_roots())]


def list_curves() -> list[runs.RunInfo]:
    """Every listed run folder whose training log can be drawn, usable as a model or not.

    A model that failed to load (NaN weights, weights that do not fit, over the cost budget) or
    a folder without weights still has the curves of the run that made it: a teacher showing a
    diverged run wants those most. Its ``error`` says why it cannot translate.
    """
    return [_with_failure(r) for r in _find_runs(runs.model_roots()) if r.error is None or _has_history(r)]


def _has_history(info: runs.RunInfo) -> bool:
    try:
        return (info.path / runs.HISTORY).is_file()
    except OSError:
        return False


@st.cache_data(ttl=30, show_spinner=False, max_entries=8)
def _find_runs(roots: tuple[Path, ...]) -> list[runs.RunInfo]:
    """The listing of ``roots``, kept 30 s; keyed on the folders so a change of folders is never served stale."""
    return runs.find_runs(roots)


def refresh_models() -> None:
    """Forget the cached listing: the next :func:`list_models` reads the folders (a live run has just ended)."""
    _find_runs.clear()


MODELS_KEPT = 8  # translators kept per process (least recently used dropped)
_LOADED_FILES = (runs.CONFIG, runs.SRC_VOCAB, runs.TGT_VOCAB, runs.TOKENIZER, runs.WEIGHTS)
_failures: dict[str, tuple[tuple, str]] = {}  # folder -> (its files' signature, why it failed to load)
_failures_lock = threading.Lock()


def _files_signature(path: str) -> tuple:
    """Size, modification time and inode of each file a load reads: a change means a new try."""
    out = []
    for name in _LOADED_FILES:
        try:
            info = os.stat(Path(path) / name)
            out.append((name, info.st_size, info.st_mtime_ns, info.st_ino))
        except OSError:
            out.append((name, None))
    return tuple(out)


def _remembered(path: str, signature: tuple) -> str | None:
    with _failures_lock:
        failed = _failures.get(path)
    return failed[1] if failed and failed[0] == signature else None


def _with_failure(info: runs.RunInfo) -> runs.RunInfo:
    if info.error is not None:
        return info
    failure = _remembered(str(info.path), _files_signature(str(info.path)))
    return info if failure is None else dataclasses.replace(info, error=failure)


class LoadFailed(runs.RunError):
    """A model whose last load failed and whose files have not changed since: not tried again."""


def get_translator(path: str):
    """One shared, read-only Translator per model folder and process, its greedy search traced.

    A failed load is remembered with the folder's file signature and raised again at once,
    without the load lock, until a file changes. Everything that can refuse a folder (its
    files, the cost budget, NaN weights) is checked before the lock is taken; the lock is held
    only while Keras builds the model and loads its weights.
    """
    signature = _files_signature(path)
    failure = _remembered(path, signature)
    if failure is not None:
        from ui.i18n import t, translate

        try:
            message = t("guard.remembered", error=failure)
        except Exception:  # noqa: BLE001 - no session (the warm-up thread): in English
            message = translate("guard.remembered", "en", error=failure)
        raise LoadFailed(message)
    try:
        return _translator(path, signature)
    except Exception as e:
        with _failures_lock:
            _failures[path] = (signature, error_text(e))
        raise


def _clear() -> None:
    _translator.clear()
    with _failures_lock:
        _failures.clear()


get_translator.clear = _clear  # as st.cache_resource's functions have


@st.cache_resource(show_spinner=False, max_entries=MODELS_KEPT)  # pages say "working" in their own language
def _translator(path: str, signature: tuple):
    """The Translator of ``path`` at the file version ``signature`` (a changed folder is loaded anew)."""
    from core.runs import model_files

    problem = model_files.check(Path(path))  # files, budget, NaN weights: before the lock
    if problem is not None:
        raise runs.RunError(problem)
    with _LOAD_LOCK:
        from core.decoding import load_translator

        translator = load_translator(Path(path))
    translator.warm_up()
    return translator


@st.cache_data(show_spinner=False, max_entries=DECODE_CACHE_ENTRIES)
def decode(path: str, sentence: str, decoding: str = "greedy", width: int = 4, alpha: float = 0.6):
    """The result of one decoding request, computed once for every session that asks for it.

    ``decoding`` is ``"greedy"`` (a one-element list of Translation), ``"nbest"`` (the beam's
    n-best list) or ``"tree"`` (the BeamTree of the Beam page); ``width``/``alpha`` only matter for
    the beam. A class typing the teacher's example sentence gets it decoded once.
    """
    translator = get_translator(path)
    if decoding == "greedy":
        return [translator.translate(sentence)]
    if decoding == "nbest":
        return translator.nbest(sentence, beam_width=width, alpha=alpha)
    if decoding == "tree":
        return translator.beam_tree(sentence, beam_width=width, alpha=alpha)
    raise ValueError(f"decoding must be greedy, nbest or tree, got {decoding!r}")


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False, max_entries=64)
def _history(path: str, mtime: float) -> list[dict[str, float]]:
    return runs.read_history(Path(path))


def read_history(path: Path) -> list[dict[str, float]]:
    return _history(str(path), _mtime(path / runs.HISTORY))


@st.cache_resource(show_spinner=False, max_entries=64)  # one shared dict: the sidebar reads it on every run
def _metrics(path: str, mtime: float) -> dict | None:
    return runs.read_metrics(Path(path))


def read_metrics(path: Path) -> dict | None:
    """``metrics.json`` checked field by field; None when absent or damaged (the model list says why).

    The dict is shared by every session: read it, never change it.
    """
    try:
        return _metrics(str(path), _mtime(path / runs.METRICS))
    except (runs.RunError, OSError):
        return None


def error_text(error: BaseException) -> str:
    """An error as a page shows it: its type and message, absolute paths cut to their last part."""
    from core.runs.model_files import scrub

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


def best_first(models: list[runs.RunInfo]) -> list[str]:
    """Names of ``models``, best test BLEU first (chrF breaks ties); models without scores last, in list order."""

    def rank(item: tuple[int, runs.RunInfo]) -> tuple:
        position, info = item
        m = read_metrics(info.path)
        if not m or "bleu" not in m:
            return (1, 0.0, 0.0, position)
        return (0, -float(m["bleu"]), -float(m.get("chrf", 0.0)), position)

    return [info.name for _, info in sorted(enumerate(models), key=rank)]


def score_label(info: runs.RunInfo) -> str:
    """``name · BLEU 31.2 · chrF 52.0`` when the model has test scores."""
    m = read_metrics(info.path)
    if m and "bleu" in m:
        return f"{info.name} · BLEU {m['bleu']:.1f} · chrF {m.get('chrf', float('nan')):.1f}"
    return info.name


_HARDWARE = re.compile(r"(\d+) CPU cores \(([^()]*)\), (?:(no) GPU|(\d+) GPU\(s\))")


def hardware_label(text: str) -> str:
    """``core.runs.describe_hardware``'s words (``2 CPU cores (x86_64), no GPU``) in the UI language.

    Text in another form (an older run's, say) is shown as it was written.
    """
    from ui.i18n import t

    match = _HARDWARE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return text
    cores, machine, no_gpu, gpus = match.groups()
    gpu = t("lesson.hardware_no_gpu") if no_gpu else t("lesson.hardware_gpus", n=gpus)
    return t("lesson.hardware", cores=cores, machine=machine, gpu=gpu)


def arch_label(config) -> str:
    """``config.label`` in the UI language: the architecture, and for a Transformer its size."""
    from core.models.config import FFN_LABELS
    from ui.i18n import t

    if config.arch != "transformer":
        label = t(f"arch.{config.arch}")
        if config.arch == "local-p":
            label += t("arch.local_window", d=config.window)
        if config.arch == "local-p" and config.local_softmax == "source":
            label += t("arch.local_source")
        return label + t("arch.input_feeding") if config.input_feeding else label
    ffn = FFN_LABELS[config.ffn]
    return t("arch.transformer", layers=config.num_layers, heads=config.num_heads, ffn=ffn, norm=config.norm)


def model_card(info: runs.RunInfo) -> dict:
    """One row of the report card: architecture, size, training and test scores of a model."""
    from core.runs.model_files import read_config
    from core.runs.report import card

    try:
        history = read_history(info.path)
    except (runs.RunError, OSError):
        history = []
    try:
        config = read_config(info.path)
    except (runs.RunError, OSError):  # changed since the model list was read: the list will say why
        return {"model": info.name}
    from core.runs.provenance import started_from

    parent = started_from(info.path)
    row = card(config, read_metrics(info.path), history, started_from=parent)
    if parent is not None:  # said in the page's language
        from ui.i18n import t

        name, epoch = parent
        row["started from"] = name if epoch is None else t("models.started_value", name=name, epoch=epoch)
    if "hardware" in row:
        row["hardware"] = hardware_label(row["hardware"])
    return {"model": info.name, **row, "architecture": arch_label(config), "text": text_label(config)}


def text_label(config) -> str:
    """How the model reads and writes text (``config.text_label``) in the UI language."""
    from ui.i18n import t

    if config.tokenizer == "bpe":
        return t("models.text_bpe", pieces=f"{config.src_vocab_size:,}")
    return t("models.text_word", src=f"{config.src_vocab_size:,}", tgt=f"{config.tgt_vocab_size:,}")
