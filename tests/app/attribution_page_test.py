"""The Attention vs attribution page on tiny run folders: heatmaps on one scale, correlations, links, languages."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import charts, open_app
from tests.app.tiny_models import ADDITIVE, TRANSFORMER, tiny_model_dir, tiny_model_root  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("tiny_model_dir")
PAGE = "app_pages/attribution.py"


def _submit(at, text: str = "I am cold."):
    at.default_timeout = 600  # the first call traces the model's gradient or intervention function
    at.text_area(key="attribution_sentence").input(text)
    at.button(key="FormSubmitter:attribution_form-Translate and attribute").click().run()
    assert not at.exception, at.exception
    return at


def _param(at, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_transformer_attention_rollout_and_attributions_side_by_side():
    at = _submit(open_app(page=PAGE, model=TRANSFORMER))
    assert not at.error
    heatmaps = [json.loads(c.proto.spec) for c in charts(at)]
    assert len(heatmaps) == 4  # attention, rollout, integrated gradients, gradient × input
    assert all(h["layer"][0]["encoding"]["color"]["scale"]["domain"] == [0, 1.0] for h in heatmaps)
    assert any("Mean ρ" in m.value or "agreement" in m.value for m in at.markdown)
    (table,) = at.dataframe
    assert "ρ attention vs integrated gradients" in table.value.columns
    assert "completeness gap" in table.value.columns
    assert len(at.get("download_button")) == 4 * 3 + 1
    assert _param(at, "text") == "I am cold."


def test_recurrent_model_has_no_rollout_and_links_reopen_the_view():
    at = open_app({"text": "I am cold.", "baseline": "pad", "steps": "64"}, page=PAGE, model=ADDITIVE)
    assert not at.warning and not at.error
    assert len(charts(at)) == 3
    assert any("64 steps" in c.value for c in at.caption)
    assert (_param(at, "baseline"), _param(at, "steps")) == ("pad", "64")


def test_hostile_links_are_refused_and_chinese_works():
    at = open_app({"text": "I am cold.", "baseline": "<b>", "steps": "31"}, page=PAGE, model=ADDITIVE)
    assert len(at.warning) == 2
    assert at.session_state["attribution_baseline"] == "zero"
    at = open_app(page=PAGE, model=ADDITIVE, app_lang="zh")
    assert at.title[0].value == "注意力与归因"
