"""Every shipped model's recorded scores, re-measured on the WHOLE test split, greedy and beam.

``metrics.json`` holds what ``python -m core.evaluate --write`` (greedy) and ``--beam 4 --write``
measured on the whole test split; here those numbers are measured again by a separate
decoding of all of its sentences and must agree within ±0.05 BLEU / chrF. The quick check
in shipped_model_test.py only re-decodes the first sentences.

Cost on the 2 CI cores: about the sum of the ``seconds`` recorded in each metrics.json,
greedy plus beam, for every shipped model, plus loading each model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core import runs
from core.decoding import load_translator

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [r for r in runs.find_runs([ROOT / "assets"])]
TOLERANCE = 0.05
BATCH_SIZE = 64  # core.evaluate's default, with which metrics.json was written

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SHIPPED, reason="no shipped model under assets/")]


@pytest.fixture(scope="module", params=SHIPPED, ids=[r.name for r in SHIPPED])
def shipped(request):
    from core.data import DataNotFoundError
    from core.evaluate import test_references

    info = request.param
    assert info.error is None, f"{info.name}: {info.error}"
    try:
        refs = test_references(info.path)
    except DataNotFoundError as e:
        pytest.skip(f"the full data set is needed to re-score the whole test split: {e}")
    return info, load_translator(info.path), refs, runs.read_metrics(info.path)


@pytest.mark.parametrize("decoding", ["greedy", "beam"])
def test_whole_test_split_reproduces_metrics_json(shipped, decoding):
    from core.evaluate import evaluate

    info, translator, refs, metrics = shipped
    recorded = metrics if decoding == "greedy" else metrics.get("beam")
    assert recorded is not None, f"{info.name}/metrics.json has no {decoding} score"
    assert recorded["sentences"] == len(refs), f"{info.name}: {decoding} score not of the whole test split"
    width = 1
    if decoding == "beam":
        assert recorded["decoding"] == "beam 4, alpha 0.6", recorded["decoding"]
        width = 4
    again = evaluate(translator, refs, batch_size=BATCH_SIZE, beam_width=width, alpha=0.6)
    assert again["sentences"] == len(refs)
    for key in ("bleu", "chrf", "bleu_cased"):
        assert again[key] == pytest.approx(recorded[key], abs=TOLERANCE), (
            f"{info.name} {decoding} {key}: {again[key]} now, {recorded[key]} in metrics.json"
        )
