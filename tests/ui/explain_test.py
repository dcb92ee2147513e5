"""The one-line reading of a mean Spearman ρ: every band says its value, and a negative ρ is named disagreement."""

from __future__ import annotations

import math

import pytest

import ui.explain
from ui.explain import reading, reading_band
from ui.i18n import translate


@pytest.mark.parametrize(
    ("rho", "band"),
    [(0.95, "strong"), (0.6, "strong"), (0.45, "moderate"), (0.3, "moderate"), (0.2, "weak"), (0.1, "weak"),
     (0.05, "none"), (0.0, "none"), (-0.05, "none"), (-0.1, "disagree"), (-0.153, "disagree"), (-1.0, "disagree"),
     (math.nan, "undefined"), (None, "undefined")],
)  # fmt: skip
def test_bands(rho, band):
    assert reading_band(rho) == band


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_reading_states_its_value_and_a_negative_one_is_disagreement(monkeypatch, lang):
    monkeypatch.setattr(ui.explain, "t", lambda key, **values: translate(key, lang, **values))
    negative = reading(-0.42)
    assert "-0.42" in negative
    assert ("disagreement" if lang == "en" else "相左") in negative
    assert negative != reading(0.02)  # not read as "no agreement"
    assert "0.02" in reading(0.02) and "-0.04" in reading(-0.04)
    for rho in (0.8, 0.4, 0.2):
        assert f"{rho:.2f}" in reading(rho)
    texts = {reading(r) for r in (0.8, 0.4, 0.2, 0.0, -0.5)}
    assert len(texts) == 5  # five different readings
    assert reading(math.nan) == translate("explain.reading_undefined", lang)
