"""The Translate page on the other architectures: Transformer layer/head choice, local-p centres, beam search.

Tiny models are trained for one epoch into a temporary folder that the app is pointed at
through ``$ATTENTION_LAB_MODEL_DIRS``.
"""

from __future__ import annotations

import json

import pytest

from core import runs
from tests.app.conftest import APP, charts, translate

pytestmark = pytest.mark.slow
ARCHS = {
    "tiny-transformer": ["--arch", "transformer", "--num-layers", "2", "--num-heads", "2", "--d-model", "8",
                         "--ff-dim", "16", "--ffn", "geglu"],
    "tiny-local-p": ["--arch", "local-p", "--window", "2", "--learning-rate", "0.01"],
}  # fmt: skip


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from core.train.cli import main
    from tests.conftest import TINY_PAIRS, _train_args, _write_tsv

    root = tmp_path_factory.mktemp("models")
    data = _write_tsv(root.parent / "pairs.tsv", TINY_PAIRS)
    for name, extra in ARCHS.items():
        # enough epochs that the models write words rather than stopping at once
        assert main(_train_args(data, root / name, "--epochs", "6", *extra)) == 0
    return root


@pytest.fixture
def app_on(model_dir, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(runs.MODEL_DIRS_ENV, str(model_dir))
    st.cache_data.clear()

    def open_model(name: str):
        at = AppTest.from_file(APP, default_timeout=180)
        at.session_state["sidebar_model"] = f"{model_dir.name}/{name}"
        at.run()
        assert not at.exception, at.exception
        return at

    yield open_model
    st.cache_data.clear()


def test_transformer_layer_and_head(app_on):
    at = translate(app_on("tiny-transformer"), "I am cold.")
    layer, head = at.selectbox(key="translate_layer"), at.selectbox(key="translate_head")
    assert layer.value == 1 and head.value is None  # last layer, average of heads
    mean_spec = charts(at)[0].proto.spec
    head.set_value(0).run()
    assert not at.exception
    layer.set_value(0).run()
    assert not at.exception
    assert charts(at)[0].proto.spec != mean_spec


def test_local_p_draws_window_centres(app_on):
    at = translate(app_on("tiny-local-p"), "I am cold.")
    assert at.markdown[0].value != "### *(empty translation)*"
    spec = json.loads(charts(at)[0].proto.spec)
    assert "predicted centre p" in json.dumps(spec)
    assert any("window centre" in c.value for c in at.caption)


def test_beam_search_lists_hypotheses(app_on):
    at = app_on("tiny-local-p")
    at.radio(key="translate_decoding").set_value("beam")
    at.slider(key="translate_width").set_value(3)
    at = translate(at, "She is tall.")
    hyps = at.selectbox(key="translate_hypothesis")
    assert 1 <= len(hyps.options) <= 3
    hyps.set_value(len(hyps.options) - 1).run()
    assert not at.exception
    assert len(charts(at)) == 1
