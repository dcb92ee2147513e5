"""The Models page's attention–attribution section and the Layers & heads importance colours, from model files."""

from __future__ import annotations

import json
import shutil

import pytest

from core.attribution.summary import SUMMARY
from core.interventions.importance import IMPORTANCE
from tests.app.conftest import charts, open_app
from tests.app.tiny_models import TRANSFORMER, use_model_dirs

SUMMARY_DATA = {"sentences": 200, "spearman": {"attention_vs_integrated": 0.31, "rollout_vs_integrated": 0.2}}
IMPORTANCE_DATA = {
    "sentences": 200, "bleu": 20.0,
    "heads": [{"kind": k, "layer": layer, "head": h, "bleu": 19.0, "bleu_drop": float(layer + h) / 10,
               "mean_delta_log_p": -0.1} for k in ("encoder_self", "decoder_self", "cross")
              for layer in (1, 2) for h in (1, 2)],
    "most_important": {"kind": "cross", "layer": 2, "head": 2, "bleu_drop": 0.4, "mean_delta_log_p": -0.1},
}  # fmt: skip

pytestmark = pytest.mark.xdist_group("tiny_models")  # with pytest -n: one worker builds the tiny runs


@pytest.fixture
def models(tiny_model_root, tmp_path, monkeypatch):  # noqa: F811  (the fixture)
    root = tmp_path / "lab"
    shutil.copytree(tiny_model_root, root)
    use_model_dirs(monkeypatch, root)
    return root


def test_summary_table_and_a_defective_file(models):
    (models / "tiny-transformer" / SUMMARY).write_text(json.dumps(SUMMARY_DATA), encoding="utf-8")
    (models / "tiny-transformer" / IMPORTANCE).write_text(json.dumps(IMPORTANCE_DATA), encoding="utf-8")
    (models / "tiny-additive" / SUMMARY).write_text("{broken", encoding="utf-8")
    at = open_app(page="app_pages/models.py", model=TRANSFORMER)
    (table,) = [d.value for d in at.dataframe if "most important head" in d.value.columns]
    row = table[table["model"] == TRANSFORMER].iloc[0]
    assert row["ρ attention / integrated gradients"] == pytest.approx(0.31)
    assert row["most important head"] == "Cross-attention, layer 2, head 2 (BLEU −0.4)"
    warnings = [w.value.replace("\\", "") for w in at.warning]  # the page escapes Markdown
    assert any(SUMMARY in w and "tiny-additive" in w for w in warnings), warnings


@pytest.mark.slow
def test_layers_and_heads_colours_heads_by_importance(models):
    (models / "tiny-transformer" / IMPORTANCE).write_text(json.dumps(IMPORTANCE_DATA), encoding="utf-8")
    at = open_app({"text": "I am cold."}, page="app_pages/layers_heads.py", model=TRANSFORMER)
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in charts(at)]
    importance = [s for s in specs if "BLEU drop" in json.dumps(s)]
    assert len(importance) == 1
