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


class _Translation:
    def __init__(self, attention, layers=None):
        self.attention = np.asarray(attention, "float64")
        self.target_tokens = [f"t{i}" for i in range(self.attention.shape[0])]
        self.source_tokens = [f"s{j}" for j in range(self.attention.shape[1])]
        self.layers = layers


class _Translator:
    """Hands out prepared translations; the config says which attention the summary describes."""

    def __init__(self, translations, arch="additive"):
        self.translations = translations
        self.config = type("Config", (), {"arch": arch})()

    def translate_batch(self, sentences):
        return [self.translations[s] for s in sentences]


def test_summary_means_are_over_output_tokens_of_attribution_magnitudes(monkeypatch):
    """Known rows: ρ pooled over every output token whose ρ is defined, attributions by magnitude."""
    from core.attribution import summary as module
    from core.attribution.gradients import Attribution

    translations = {
        "a": _Translation([[0.1, 0.3, 0.6], [0.5, 0.3, 0.2]]),
        "b": _Translation([[0.2, 0.2, 0.6], [0.2, 0.4, 0.4]]),
        "empty": _Translation(np.zeros((0, 2))),
    }
    integrated = {  # signed: the magnitudes rank as attention does in a's first row, against it in the second
        "a": [[-1.0, 2.0, -3.0], [1.0, 2.0, 3.0]],
        "b": [[3.0, 2.0, 1.0], [1.0, 1.0, 1.0]],  # the second row is constant: no ρ
    }
    log_probs = {"a": [-1.0, -2.0], "b": [-0.5, -1.5]}

    class FakeAttributor:
        def __init__(self, translator):
            pass

        def attribute_translation(self, tr, steps, baseline):
            name = next(k for k, v in translations.items() if v is tr)
            ig = np.asarray(integrated[name])
            lp = np.asarray(log_probs[name])
            # baseline log p chosen so that the gaps are 0.1, 0.2 (a) and 0.3, 0.4 (b)
            gaps = {"a": [0.1, 0.2], "b": [0.3, 0.4]}[name]
            base = lp - (ig.sum(1) - np.asarray(gaps))
            return Attribution(tr.source_tokens, tr.target_tokens, ig, tr.attention.copy(), lp, base, steps, baseline)

    monkeypatch.setattr(module, "Attributor", FakeAttributor)
    summary = summarise(_Translator(translations), ["a", "b", "empty"], steps=4)

    rho_b = -1.5 / np.sqrt(1.5 * 2.0)  # ranks (1.5, 1.5, 3) against (3, 2, 1)
    assert summary["sentences"] == 3 and summary["output_tokens"] == 4 and summary["steps"] == 4
    assert summary["spearman_tokens"]["attention_vs_integrated"] == 3  # b's constant row has none
    assert summary["spearman"]["attention_vs_integrated"] == pytest.approx(round((1.0 - 1.0 + rho_b) / 3, 4))
    assert summary["spearman"]["attention_vs_grad_input"] == 1.0  # grad × input here is the attention itself
    assert "rollout_vs_integrated" not in summary["spearman"]  # no Transformer layers
    gaps = np.array([0.1, 0.2, 0.3, 0.4])
    deltas = np.array([-2.0 - 0.1, 6.0 - 0.2, 6.0 - 0.3, 3.0 - 0.4])  # Σ IG − gap per token
    assert summary["completeness"]["median_abs_gap"] == pytest.approx(np.median(gaps), abs=1e-6)
    assert summary["completeness"]["median_relative_gap"] == pytest.approx(
        round(float(np.median(gaps / np.abs(deltas))), 6), abs=1e-6
    )


@pytest.mark.slow
def test_summary_of_a_transformer_and_its_file(tmp_path):
    """The summary's means are the per-token ρ of each translation, recomputed here, averaged over tokens."""
    from core.attribution import Attributor
    from core.attribution.rank import spearman_rows
    from core.attribution.rollout import effective_cross_attention

    translator = tiny_translator("transformer")
    summary = summarise(translator, SENTENCES, steps=4)
    attributor = Attributor(translator)
    pooled: dict[str, list[float]] = {}
    for tr in translator.translate_batch(SENTENCES):
        result = attributor.attribute_translation(tr, steps=4, baseline="zero")
        rollout = effective_cross_attention(tr.layers["cross"], tr.layers["encoder_self"])
        for name, (a, b) in {
            "attention_vs_integrated": (tr.attention, np.abs(result.integrated)),
            "attention_vs_grad_input": (tr.attention, np.abs(result.grad_input)),
            "grad_input_vs_integrated": (np.abs(result.grad_input), np.abs(result.integrated)),
            "rollout_vs_integrated": (rollout, np.abs(result.integrated)),
        }.items():
            rho = spearman_rows(a, b)
            pooled.setdefault(name, []).extend(rho[np.isfinite(rho)].tolist())
    assert summary["sentences"] == 3 and summary["steps"] == 4
    assert summary["spearman"] == pytest.approx({k: round(float(np.mean(v)), 4) for k, v in pooled.items()}, abs=2e-4)
    assert summary["spearman_tokens"] == {k: len(v) for k, v in pooled.items()}
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
