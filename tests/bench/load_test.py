"""The class plan and the verdicts of ``bench/load.py``, without a server."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.load import TARGETS, class_plan, own_sentence, within
from bench.st_client import Click


@pytest.mark.parametrize("n_models", [1, 2, 5, 6])
def test_every_model_meets_both_decodings(n_models: int) -> None:
    models = [f"m{i}" for i in range(n_models)]
    plan = class_plan(models, 100)
    assert len(plan) == 100
    counts = Counter(plan)
    for m in models:
        assert counts[m, "greedy"] > 0 and counts[m, "beam"] > 0
        assert abs(counts[m, "greedy"] - counts[m, "beam"]) <= 1


def _load(pooled: float, per_model: dict[str, dict[str, float]]) -> dict:
    return {"greedy": {"p95_s": pooled}, "per_model": per_model}


def test_one_slow_model_fails_the_target_the_class_meets() -> None:
    target = TARGETS["p95_greedy_s"]
    fine = _load(target - 0.5, {"a": {"greedy": target - 0.6}, "b": {"greedy": target - 0.1}})
    slow = _load(target - 0.5, {"a": {"greedy": target - 0.6}, "b": {"greedy": target + 0.1}})
    assert within(fine, "greedy", target)
    assert not within(slow, "greedy", target)


def test_a_model_without_the_decoding_is_not_judged_on_it() -> None:
    assert within(_load(1.0, {"a": {"beam": 9.0}, "b": {"greedy": 1.0}}), "greedy", 2.0)
    assert not within({"greedy": {"p95_s": None}, "per_model": {}}, "greedy", 2.0)


@pytest.mark.parametrize(
    ("axis", "ok"),
    [
        (["i", "have", "a", "red", "car", "."], True),  # word-level tokens
        (["i", "have", "a", "red", "car [UNK]", "."], True),
        (["I", "have", "a", "red", "car", "."], True),  # a subword model's words
        (["\u2581I", "\u2581have", "\u2581a", "\u2581re", "d", "\u2581car", "."], True),  # its pieces
        (["I", "have", "a", "blue", "car", "."], False),
        (["I", "have", "a", "red", "car"], False),
    ],
)
def test_own_sentence_reads_words_and_pieces(axis: list[str], ok: bool) -> None:
    click = Click(0.0, heatmap_s=0.1, source=axis)
    assert (own_sentence(click, "I have a red car.") is None) is ok


def test_a_click_without_heatmap_is_not_its_own() -> None:
    assert own_sentence(Click(0.0), "I have a red car.") == "no heatmap"
