"""The architecture of a model in the UI language."""

from __future__ import annotations

import pytest

from core.models.config import ARCH_LABELS, ModelConfig
from ui.i18n import catalogue
from ui.models import arch_label


@pytest.mark.parametrize("arch", sorted(ARCH_LABELS))
def test_english_labels_match_the_core_labels(arch, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: "en")
    for feeding in (False, True) if arch != "transformer" else (False,):
        config = ModelConfig(arch=arch, input_feeding=feeding)
        assert arch_label(config) == config.label


def test_every_architecture_has_a_chinese_label():
    zh = catalogue("zh")
    assert all(f"arch.{a}" in zh for a in ARCH_LABELS)


def test_chinese_transformer_label_names_its_size(monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: "zh")
    label = arch_label(ModelConfig(arch="transformer", num_layers=3, num_heads=8, ffn="swiglu"))
    assert label.startswith("Transformer（多头注意力）") and "3 层 × 8 头" in label and "SwiGLU" in label


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_earlier_local_p_variant_is_named(lang, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: lang)
    published = arch_label(ModelConfig(arch="local-p"))
    variant = arch_label(ModelConfig(arch="local-p", local_softmax="source"))
    assert variant.startswith(published) and variant != published
    if lang == "en":
        assert variant == ModelConfig(arch="local-p", local_softmax="source").label
        assert "whole source" in variant


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_local_p_names_its_window(lang, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: lang)
    config = ModelConfig(arch="local-p", window=10)
    assert "D = 10" in arch_label(config)
    if lang == "en":
        assert arch_label(config) == config.label == "Bi-GRU + Luong local-p attention, window D = 10"
