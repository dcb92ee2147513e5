"""The warm-up: once per process, in the background, every model loaded and traced; stopped cleanly at exit.

A class's first clicks should not wait for a model to load or a search to be traced, so the first
session starts a thread that does it all ahead of them (:func:`warm_up`). The process may be
stopped at any moment, Ctrl+C included, while that thread is inside TensorFlow:
:func:`_at_exit` makes sure that never aborts the process, and that a stopped server ends within seconds.

May import ``ui.models`` and ``ui.explain`` (the shared, cached objects it fills) and ``core``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import threading
from pathlib import Path

import numpy as np
import streamlit as st

from core import runs
from ui.models import MODELS_KEPT, get_translator

WARM_UP_ENV = "ATTENTION_LAB_WARM_UP"  # "0": no background warm-up (the tests set it)
WARM_BEAM_WIDTHS = (4,)  # beam widths traced at warm-up: the pages' default


class _WarmUpThreadOnly(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the warm-up thread, which has none by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != _WARM_UP_THREAD


_WARM_UP_THREAD = "attention-lab-warm-up"
_STOP = threading.Event()  # set when the interpreter begins to exit: the warm-up stops between two steps


def _warm_steps(paths: list[str]):
    """The warm-up's steps, cheapest first per kind: each loads or traces one thing for one model."""
    for path in paths:  # greedy first for every model, so the first clicks are fast everywhere
        yield path, "load", lambda p=path: get_translator(p)
    for path in paths:
        yield path, "beam", lambda p=path: get_translator(p).warm_up(WARM_BEAM_WIDTHS)
    for path in paths:  # the explanation pages: their first click no longer waits for a trace
        yield path, "explain", lambda p=path: _warm_explanations(p)


def _warm_explanations(path: str) -> None:
    """Trace the attribution and the intervention functions of a model with one real sentence."""
    from ui.examples import DEFAULT_SENTENCE
    from ui.explain import get_attributor, get_head_ablation, get_replacement

    translator = get_translator(path)
    tr = translator.translate(DEFAULT_SENTENCE)
    if _STOP.is_set() or not tr.source_tokens:
        return
    # a trace depends on the tensors' shapes, not on the words: a model that writes nothing is traced too
    get_attributor(path).attribute(tr.source_tokens, tr.target_tokens or ["."])
    if _STOP.is_set():
        return
    if tr.layers is not None:
        ablation = get_head_ablation(path)
        ablation.compare(DEFAULT_SENTENCE, ablation.keep_all())
    else:
        row = np.full(len(tr.source_tokens), 1.0 / len(tr.source_tokens), "float32")
        get_replacement(path).translate(tr.source_tokens, row, 0)


def _warm_all(paths: list[str]) -> None:
    log = logging.getLogger(__name__)
    for path, step, work in _warm_steps(paths):
        if _STOP.is_set():  # the process is exiting: leave the rest, TensorFlow must be idle at exit
            return
        try:
            work()
        except Exception as e:  # noqa: BLE001 - a broken model is reported on its page, not here
            if step == "load":
                log.warning("warm-up: %s could not be loaded", Path(path).name)
            else:  # the page will trace it on its first click instead
                log.warning("warm-up: %s, step %s: %s", Path(path).name, step, type(e).__name__)
    freeze_loaded_models(len(paths))


def _serving() -> bool:
    """Whether this process is ``streamlit run`` (a real Runtime, not AppTest's stand-in)."""
    from streamlit import runtime
    from streamlit.runtime import Runtime

    return runtime.exists() and type(Runtime.instance()) is Runtime


def _at_exit() -> None:
    """At exit, before threads are joined: stop the warm-up, and let no TensorFlow call outlive the interpreter.

    A daemon thread still inside TensorFlow while the interpreter finalises is killed mid-call and
    the process aborts ("terminate called after throwing ...", status 134). A server that Ctrl+C
    (or SIGTERM) has stopped therefore ends here, without finalising: Streamlit has already shut
    down, and what is left — the warm-up or a click still inside a model, TensorFlow's objects to
    finalise (8 s on a busy 2-core machine) — is no reason to wait or to abort. Its status is 0, or
    1 after an uncaught exception. A test or a script instead tells the warm-up to stop after its
    current step and waits for it, so that it finalises cleanly with its own exit status.
    """
    _STOP.set()
    if _serving():
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(1 if getattr(sys, "last_value", None) is not None else 0)
    thread = _RUNNING[0]
    if thread is not None and thread.is_alive():
        thread.join()  # after its current step: the _STOP above


_RUNNING: list[threading.Thread | None] = [None]  # the warm-up thread, once started
_HOOKED = threading.Lock()  # taken for good once _at_exit is registered


def _register_at_exit() -> None:
    """Register :func:`_at_exit` once per process, to run before the interpreter joins threads and finalises."""
    if _HOOKED.acquire(blocking=False):
        with contextlib.suppress(RuntimeError):  # already shutting down: nothing left to guard
            threading._register_atexit(_at_exit)


def freeze_loaded_models(n_models: int) -> bool:
    """Exempt everything loaded so far (the models, TensorFlow, Streamlit) from garbage collection.

    With every model loaded, a full collection walks millions of long-lived objects: 0.4-0.7 s
    with the interpreter lock held, every few seconds under a class's clicks, and every session
    waits. ``gc.freeze`` moves them to a generation the collector never scans; what clicks
    create afterwards is collected as before. Done only when every model fits in the
    translator cache: a frozen model that the cache later dropped would never be freed.
    Returns whether it froze.
    """
    if n_models > MODELS_KEPT:
        return False
    gc.collect()  # what is already garbage is freed, not frozen
    gc.freeze()
    return True


@st.cache_resource(show_spinner=False)
def _warm_up_thread() -> threading.Thread | None:
    paths = [str(r.path) for r in runs.find_runs() if r.error is None]
    if not paths:
        return None
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_WarmUpThreadOnly())
    thread = threading.Thread(target=_warm_all, args=(paths,), name=_WARM_UP_THREAD, daemon=True)
    _STOP.clear()
    _RUNNING[0] = thread
    thread.start()
    return thread


def warm_up() -> threading.Thread | None:
    """Once per process, in the background: load every usable model and trace its searches.

    Models load in the picker's order, each with its greedy search traced; then the beam
    searches of ``WARM_BEAM_WIDTHS``; then the attribution and intervention functions. A click
    that arrives while its model is still loading waits for that load instead of starting
    another. The process may exit at any moment, warm-up or not (see :func:`_at_exit`). Off
    when ``ATTENTION_LAB_WARM_UP=0``.
    """
    _register_at_exit()
    if os.environ.get(WARM_UP_ENV, "1") == "0":
        return None
    return _warm_up_thread()
