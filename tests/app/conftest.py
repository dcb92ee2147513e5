"""AppTest fixtures: the app as a newcomer opens it, on the shipped model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
SHIPPED = "assets/additive"


def open_app(query: dict[str, str] | None = None, page: str | None = None, model: str = SHIPPED, **state):
    """A fresh AppTest of the entry point opened on a link: ``page`` with ``query`` parameters.

    ``model`` is selected in the sidebar (the shipped one by default; the test is skipped when
    it is missing) and ``state`` goes into session state first, e.g. ``app_lang="zh"``.
    """
    from core.runs import find_runs

    if model == SHIPPED and SHIPPED not in {r.name for r in find_runs() if r.error is None}:
        pytest.skip(f"the shipped model {SHIPPED} is missing or incomplete")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["sidebar_model"] = model
    for key, value in state.items():
        at.session_state[key] = value
    if page is not None:
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app():
    """A fresh AppTest of the entry point, with the shipped model selected."""
    return open_app()


def translate(at, text: str):
    at.text_area(key="translate_sentence").input(text)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def query_param(at, name: str) -> str | None:
    """The link parameter ``name`` as the page last published it (None when absent)."""
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def submit_form(at, prefix: str, label: str, text: str = "I am cold."):
    """Type ``text`` into the ``<prefix>sentence`` box and press the form's ``label`` button."""
    at.default_timeout = 600  # the first call traces the model's gradient or intervention function
    at.text_area(key=f"{prefix}sentence").input(text)
    at.button(key=f"FormSubmitter:{prefix}form-{label}").click().run()
    assert not at.exception, at.exception
    return at


def charts(at):
    return at.get("vega_lite_chart")
