"""Streamlit's per-rerun Keras cleanup is switched off here, and only here.

After every rerun, Streamlit's script runner calls ``keras.backend.clear_session()`` whenever
``keras`` has been imported (``_clean_problem_modules`` in
``streamlit/runtime/scriptrunner/script_runner.py``). That suits a script that builds a new
model on every run; this app builds each model once per process and shares it with every
session (``st.cache_resource`` in :mod:`ui.models`). For the app the cleanup only costs: a full
``gc.collect()`` inside ``clear_session`` and a cleared TensorFlow kernel cache, so every click
paid for re-instantiating the compiled searches (0.2–0.9 CPU-s a click, ten times the model's
own work).

:func:`disable_keras_cleanup` replaces that hook with one that keeps the rest of Streamlit's
cleanup (closing Matplotlib figures) and leaves Keras alone. ``tests/ui/keras_cleanup_test.py``
runs an app through Streamlit's script runner and fails if ``clear_session`` is called again,
e.g. after a Streamlit upgrade renames or moves the hook.
"""

from __future__ import annotations

import contextlib
import logging
import sys

_LOGGER = logging.getLogger(__name__)
STREAMLIT_CLEANUP = None  # Streamlit's own hook, once replaced (the test puts it back to compare)


def _clean_problem_modules_keeping_keras() -> None:
    """Streamlit's post-run cleanup without ``keras.backend.clear_session()``."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        with contextlib.suppress(Exception):  # as Streamlit's own cleanup: never fail a rerun over it
            plt.close("all")


def disable_keras_cleanup() -> bool:
    """Stop Streamlit from clearing the Keras session after each rerun; True when the hook was found.

    Idempotent and process-wide. When a Streamlit version has no such hook it logs a warning
    and returns False (the test named in the module docstring then tells whether the cleanup
    moved elsewhere).
    """
    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner, "_clean_problem_modules", None) is None:
        _LOGGER.warning("streamlit's script runner has no _clean_problem_modules hook to replace")
        return False
    global STREAMLIT_CLEANUP
    if script_runner._clean_problem_modules is not _clean_problem_modules_keeping_keras:
        STREAMLIT_CLEANUP = script_runner._clean_problem_modules
        script_runner._clean_problem_modules = _clean_problem_modules_keeping_keras
    return True
