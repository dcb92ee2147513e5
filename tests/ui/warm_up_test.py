"""Warm start: every usable model is loaded and its searches traced once, in the background, once per process."""

from __future__ import annotations

import gc

import pytest

import ui.models as models
import ui.warm_up as warm
from core.runs import RunInfo


def test_warm_up_loads_and_traces_every_usable_model_once(trained_run, tmp_path, monkeypatch):
    listed = [
        RunInfo("runs/unreadable", tmp_path),  # looks usable, fails to load: skipped, the others still warm
        RunInfo("runs/tiny", trained_run),
        RunInfo("runs/broken", tmp_path, error="missing weights"),
    ]
    monkeypatch.setenv(warm.WARM_UP_ENV, "1")
    monkeypatch.setattr(warm.runs, "find_runs", lambda: listed)
    models.get_translator.clear()
    warm._warm_up_thread.clear()
    gc.unfreeze()
    thread = warm.warm_up()
    assert thread is not None and thread.name == "attention-lab-warm-up"
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert warm.warm_up() is thread  # once per process
    assert gc.get_freeze_count() > 0, "the loaded models were left to the full collections"
    gc.unfreeze()
    translator = models.get_translator(str(trained_run))
    assert translator.trace_counts == {"greedy": 1, f"beam-{warm.WARM_BEAM_WIDTHS[0]}": 1}
    translator.translate("i am cold .")
    translator.nbest("i am hot .", beam_width=warm.WARM_BEAM_WIDTHS[0], alpha=1.0)
    assert translator.trace_counts == {"greedy": 1, f"beam-{warm.WARM_BEAM_WIDTHS[0]}": 1}
    explain = _explanation_traces(str(trained_run))
    assert explain["attribution"] == 1, "the attribution function was not traced by the warm-up"
    assert explain["replacement"] == 1, "the intervention function was not traced by the warm-up"
    warm._warm_up_thread.clear()


def _explanation_traces(path: str) -> dict[str, int]:
    """How often the shared attribution and attention-replacement functions of a model have been traced."""
    from ui.explain import get_attributor, get_replacement

    return {
        "attribution": get_attributor(path)._fn.experimental_get_tracing_count(),
        "replacement": get_replacement(path)._fn.experimental_get_tracing_count(),
    }


def test_a_stopped_warm_up_ends_after_its_current_step(monkeypatch):
    done = []
    monkeypatch.setattr(warm, "_warm_steps", lambda paths: ((p, "load", lambda p=p: done.append(p)) for p in paths))
    monkeypatch.setattr(warm, "freeze_loaded_models", lambda n: done.append("frozen"))
    warm._STOP.set()
    try:
        warm._warm_all(["a", "b"])
    finally:
        warm._STOP.clear()
    assert done == [], "a step ran after the stop"
    warm._warm_all(["a", "b"])
    assert done == ["a", "b", "frozen"]


def test_warm_up_is_off_when_the_environment_says_so(monkeypatch):
    monkeypatch.setenv(warm.WARM_UP_ENV, "0")
    assert warm.warm_up() is None


def test_decode_rejects_an_unknown_decoding(trained_run):
    with pytest.raises(ValueError, match="greedy, nbest or tree"):
        models.decode(str(trained_run), "i am cold .", "sampling")


def test_models_are_frozen_only_when_all_of_them_stay_cached():
    gc.unfreeze()
    try:
        assert not warm.freeze_loaded_models(models.MODELS_KEPT + 1)
        assert gc.get_freeze_count() == 0
        assert warm.freeze_loaded_models(models.MODELS_KEPT)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
