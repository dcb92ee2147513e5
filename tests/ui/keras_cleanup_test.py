"""Streamlit must not clear the Keras session after a rerun: the shared models' compiled searches live in it."""

from __future__ import annotations

import keras
import pytest
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

import ui.keras_cleanup as cleanup

SCRIPT = """
import keras
import streamlit as st

import ui.models  # the app's model cache switches the Keras cleanup off when imported

st.write(keras.__name__)
"""


@pytest.fixture
def clear_session_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: calls.append(1))
    return calls


def test_reruns_of_the_app_leave_the_keras_session_alone(clear_session_calls):
    at = AppTest.from_string(SCRIPT)
    at.run()
    at.run()
    assert not at.exception
    assert script_runner._clean_problem_modules is cleanup._clean_problem_modules_keeping_keras
    assert clear_session_calls == [], "Streamlit cleared the Keras session after a rerun: see ui/keras_cleanup.py"


def test_streamlits_own_hook_does_clear_it(clear_session_calls, monkeypatch):
    """The control: put Streamlit's hook back and the same reruns clear the session (this installed version)."""
    assert cleanup.disable_keras_cleanup()
    monkeypatch.setattr(script_runner, "_clean_problem_modules", cleanup.STREAMLIT_CLEANUP)
    at = AppTest.from_string(SCRIPT)
    at.run()
    at.run()
    assert len(clear_session_calls) == 2


def test_matplotlib_figures_are_still_closed(monkeypatch):
    plt = pytest.importorskip("matplotlib.pyplot")
    closed = []
    monkeypatch.setattr(plt, "close", lambda which: closed.append(which))
    cleanup._clean_problem_modules_keeping_keras()
    assert closed == ["all"]
