"""AppTest fixtures: the app as a newcomer opens it, on the shipped model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.app import tiny_models

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


@pytest.fixture(scope="session")
def tiny_model_root(tmp_path_factory) -> Path:
    """A folder named ``lab`` with a briefly trained ``tiny-transformer`` and an untrained ``tiny-additive``.

    Defined here rather than imported by each test module, so it is built once per session;
    under ``pytest -n`` the first worker builds it in the run's shared temporary folder and
    the others wait for it and read it.
    """
    import fcntl

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder of this run that every worker's own folder sits in
    root = shared / "tiny_models" / tiny_models.ROOT_NAME
    with open(shared / "tiny_models.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root.parent / "complete").exists():
            shutil.rmtree(root.parent, ignore_errors=True)
            tiny_models.write_tiny_run(root / "tiny-transformer", "transformer", train_epochs=40)
            tiny_models.write_tiny_run(root / "tiny-additive", "additive")
            (root.parent / "complete").touch()
    return root


@pytest.fixture
def tiny_model_dir(tiny_model_root, monkeypatch) -> Path:
    """``tiny_model_root``, with the app pointed at it for one test."""
    tiny_models.use_model_dirs(monkeypatch, tiny_model_root)
    yield tiny_model_root
    import streamlit as st

    st.cache_data.clear()
