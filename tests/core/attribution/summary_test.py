"""The model-level summaries: attention–attribution correlations, head importance, their files and the card."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.attribution.card import markdown_table
from core.attribution.summary import SUMMARY, SummaryError, read_summary, summarise
from core.interventions.importance import IMPORTANCE, ImportanceError, head_importance, importance_grid, read_importance
from core.runs import write_json_atomic
from tests.core.attribution.conftest import tiny_translator

SENTENCES = ["the cat sat on the mat .", "i am cold .", "the cat ."]


@pytest.mark.slow
def test_summary_of_a_transformer_and_its_file(tmp_path):
    translator = tiny_translator("transformer")
    summary = summarise(translator, SENTENCES, steps=4)
    assert summary["sentences"] == 3 and summary["steps"] == 4
    assert set(summary["spearman"]) == {
        "attention_vs_integrated", "attention_vs_grad_input", "grad_input_vs_integrated", "rollout_vs_integrated",
    }  # fmt: skip
    assert all(-1 <= v <= 1 for v in summary["spearman"].values())
    write_json_atomic(tmp_path / SUMMARY, summary)
    assert read_summary(tmp_path) == summary
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


@pytest.mark.slow
def test_head_importance_names_every_head(tmp_path):
    translator = tiny_translator("transformer")
    refs = [["el gato se sentó en la alfombra ."], ["tengo frío ."], ["el gato ."]]
    data = head_importance(translator, SENTENCES, refs)
    assert len(data["heads"]) == 3 * 2 * 2  # kinds × layers × heads
    top = data["most_important"]
    assert top["bleu_drop"] == max(r["bleu_drop"] for r in data["heads"])
    grid = importance_grid(data, "cross", 2, 2)
    assert grid.shape == (2, 2) and np.isfinite(grid).all()
    write_json_atomic(tmp_path / IMPORTANCE, data)
    assert read_importance(tmp_path)["most_important"] == top
    write_json_atomic(tmp_path / SUMMARY, {"sentences": 3, "spearman": {"attention_vs_integrated": 0.5}})
    table = markdown_table([tmp_path])
    assert "0.500" in table and f"layer {top['layer']} head {top['head']}" in table


@pytest.mark.parametrize(
    "content",
    ["{not json", json.dumps({"sentences": 3, "spearman": {"attention_vs_integrated": 7}}),
     json.dumps({"sentences": 0, "spearman": {}}), json.dumps([1, 2])],
)  # fmt: skip
def test_defective_files_raise_errors_that_name_them(tmp_path, content):
    (tmp_path / SUMMARY).write_text(content, encoding="utf-8")
    with pytest.raises(SummaryError, match=SUMMARY):
        read_summary(tmp_path)
    (tmp_path / IMPORTANCE).write_text(content, encoding="utf-8")
    with pytest.raises(ImportanceError, match=IMPORTANCE):
        read_importance(tmp_path)
    assert read_summary(tmp_path / "absent") is None
