"""The models shipped in assets/: they load, translate, and their recorded scores reproduce."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core import runs
from core.decoding import load_translator

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [r for r in runs.find_runs([ROOT / "assets"])]
PINNED_SENTENCES = [
    "I am cold.",
    "Where is the train station?",
    "Tom likes dogs.",
    "We are not happy.",
    "She is reading a book in the garden.",
    "I don't know English.",
    "My brother was killed in a traffic accident.",
    "Can you help me carry this box?",
    "The door was locked from the inside.",
    "It has been raining since yesterday.",
]
PINNED = json.loads((Path(__file__).with_name("pinned_translations.json")).read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(not SHIPPED, reason="no shipped model under assets/")


@pytest.fixture(scope="module", params=SHIPPED, ids=[r.name for r in SHIPPED])
def shipped(request):
    info = request.param
    assert info.error is None, f"{info.name}: {info.error}"
    return info, load_translator(info.path)


@pytest.mark.slow
def test_translates_fixed_sentences_exactly_as_pinned(shipped):
    """Ten fixed sentences per shipped model, translated exactly as when the weights were shipped.

    Re-pin (``pinned_translations.json``) only together with new weights for that model.
    """
    info, translator = shipped
    assert info.name in PINNED, f"no pinned translations for {info.name} in pinned_translations.json"
    translations = translator.translate_batch(PINNED_SENTENCES)
    assert [t.text for t in translations] == PINNED[info.name]
    for t in translations:
        assert t.attention.shape == (len(t.target_tokens), len(t.source_tokens))
        assert t.probabilities.shape == (len(t.target_tokens),)


def test_run_folder_is_complete_and_small(shipped):
    info, _ = shipped
    for name in (*runs.REQUIRED_FILES, runs.HISTORY, runs.METRICS, runs.TRAINING):
        assert (info.path / name).is_file(), f"{info.name} lacks {name}"
    assert runs.probe_epochs(info.path), "no probe attention saved"
    assert list((info.path / runs.TENSORBOARD).rglob("events.out.tfevents.*")), "no TensorBoard events"
    size = sum(p.stat().st_size for p in info.path.rglob("*") if p.is_file())
    assert size <= 25 * 10**6, f"{info.name} takes {size / 10**6:.1f} MB (at most 25 MB per model)"
    history = runs.read_history(info.path)
    assert [int(r["epoch"]) for r in history] == list(range(1, len(history) + 1))


def test_assets_fit_the_repository_budget():
    size = sum(p.stat().st_size for p in (ROOT / "assets").rglob("*") if p.is_file())
    assert size <= 120 * 10**6, f"assets/ takes {size / 10**6:.1f} MB (at most 120 MB)"


def test_every_architecture_is_shipped():
    """The report card compares additive, Luong global and local-p, and both Transformer feed-forwards."""
    from core.models.config import ModelConfig

    configs = [ModelConfig.load(r.path / runs.CONFIG) for r in SHIPPED if r.error is None]
    kinds = {c.arch if c.arch != "transformer" else f"transformer-{c.ffn}" for c in configs}
    assert {"additive", "local-p", "transformer-relu"} <= kinds, kinds
    assert kinds & {"general", "dot"}, kinds
    assert kinds & {"transformer-glu", "transformer-geglu", "transformer-swiglu"}, kinds


@pytest.mark.slow  # translates the head of the test split with every shipped model
def test_recorded_scores_reproduce(shipped):
    """The BLEU/chrF in metrics.json are re-measured on the first test sentences, not just read."""
    from core.data import DataNotFoundError
    from core.evaluate import evaluate, test_references

    info, translator = shipped
    metrics = runs.read_metrics(info.path)
    assert {"bleu", "chrf", "bleu_cased", "sentences", "check", "model", "training"} <= set(metrics)
    assert metrics["training"]["epochs"] == len(runs.read_history(info.path))
    try:
        refs = test_references(info.path)
    except DataNotFoundError as e:
        pytest.skip(f"the full data set is needed to re-score: {e}")
    assert metrics["sentences"] == len(refs), "metrics.json was not computed on the whole test split"
    check = metrics["check"]
    head = dict(list(refs.items())[: check["sentences"]])
    again = evaluate(translator, head, batch_size=check["batch_size"])
    assert again["bleu"] == pytest.approx(check["bleu"], abs=0.3)
    assert again["chrf"] == pytest.approx(check["chrf"], abs=0.3)
