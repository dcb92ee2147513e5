"""Warm start: every usable model is loaded and its searches traced once, in the background, once per process."""

from __future__ import annotations

import gc

import pytest

import ui.models as models
from core.runs import RunInfo


def test_warm_up_loads_and_traces_every_usable_model_once(trained_run, tmp_path, monkeypatch):
    listed = [
        RunInfo("runs/unreadable", tmp_path),  # looks usable, fails to load: skipped, the others still warm
        RunInfo("runs/tiny", trained_run),
        RunInfo("runs/broken", tmp_path, error="missing weights"),
    ]
    monkeypatch.setenv(models.WARM_UP_ENV, "1")
    monkeypatch.setattr(models.runs, "find_runs", lambda: listed)
    models.get_translator.clear()
    models._warm_up_thread.clear()
    gc.unfreeze()
    thread = models.warm_up()
    assert thread is not None and thread.name == "attention-lab-warm-up"
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert models.warm_up() is thread  # once per process
    assert gc.get_freeze_count() > 0, "the loaded models were left to the full collections"
    gc.unfreeze()
    translator = models.get_translator(str(trained_run))
    assert translator.trace_counts == {"greedy": 1, f"beam-{models.WARM_BEAM_WIDTHS[0]}": 1}
    translator.translate("i am cold .")
    translator.nbest("i am hot .", beam_width=models.WARM_BEAM_WIDTHS[0], alpha=1.0)
    assert translator.trace_counts == {"greedy": 1, f"beam-{models.WARM_BEAM_WIDTHS[0]}": 1}
    models._warm_up_thread.clear()


def test_warm_up_is_off_when_the_environment_says_so(monkeypatch):
    monkeypatch.setenv(models.WARM_UP_ENV, "0")
    assert models.warm_up() is None


def test_decode_rejects_an_unknown_decoding(trained_run):
    with pytest.raises(ValueError, match="greedy, nbest or tree"):
        models.decode(str(trained_run), "i am cold .", "sampling")


def test_models_are_frozen_only_when_all_of_them_stay_cached():
    gc.unfreeze()
    try:
        assert not models.freeze_loaded_models(models.MODELS_KEPT + 1)
        assert gc.get_freeze_count() == 0
        assert models.freeze_loaded_models(models.MODELS_KEPT)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
