"""The Attention vs attribution page on tiny run folders: heatmaps on one scale, correlations, links, languages."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import charts, open_app, query_param, submit_form
from tests.app.tiny_models import ADDITIVE, TRANSFORMER

pytestmark = [pytest.mark.usefixtures("tiny_model_dir"), pytest.mark.xdist_group("tiny_models")]
PAGE = "app_pages/attribution.py"


def _submit(at, text: str = "I am cold."):
    return submit_form(at, "attribution_", "Translate and attribute", text)


@pytest.mark.slow
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
    assert query_param(at, "text") == "I am cold."


@pytest.mark.slow
def test_recurrent_model_has_no_rollout_and_links_reopen_the_view():
    at = open_app({"text": "I am cold.", "baseline": "pad", "steps": "64"}, page=PAGE, model=ADDITIVE)
    assert not at.warning and not at.error
    assert len(charts(at)) == 3
    assert any("64 steps" in c.value for c in at.caption)
    assert (query_param(at, "baseline"), query_param(at, "steps")) == ("pad", "64")


@pytest.mark.slow
def test_hostile_links_are_refused_and_chinese_works():
    at = open_app({"text": "I am cold.", "baseline": "<b>", "steps": "31"}, page=PAGE, model=ADDITIVE)
    assert len(at.warning) == 2
    assert at.session_state["attribution_baseline"] == "zero"
    at = open_app(page=PAGE, model=ADDITIVE, app_lang="zh")
    assert at.title[0].value == "注意力与归因"


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "word"), [("en", "disagreement"), ("zh", "相左")])
def test_a_negative_mean_rho_is_named_disagreement_with_its_value(monkeypatch, lang, word):
    import ui.explain

    monkeypatch.setattr(ui.explain, "mean_defined", lambda values: -0.42)  # the page reads it at each run
    from ui.i18n import translate

    at = open_app(page=PAGE, model=ADDITIVE, app_lang=lang)
    at = submit_form(at, "attribution_", translate("attribution.submit", lang))
    lines = [m.value for m in at.markdown if "-0.42" in m.value]
    assert len(lines) == 1 and word in lines[0], [m.value for m in at.markdown]
