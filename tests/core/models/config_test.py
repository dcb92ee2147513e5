"""ModelConfig validation and persistence."""

from __future__ import annotations

import json

import pytest

from core import runs
from core.models.config import ARCHITECTURES, ModelConfig


def test_defaults_are_valid():
    config = ModelConfig()
    assert config.arch in ARCHITECTURES
    assert 0.0 <= config.dropout < 1.0


def test_bad_arch_names_the_value_and_the_choices():
    with pytest.raises(ValueError, match="'transformerx'") as info:
        ModelConfig(arch="transformerx")
    assert "additive" in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("src_vocab_size", 0),
        ("tgt_vocab_size", -5),
        ("embedding_dim", -1),
        ("encoder_units", 0),
        ("decoder_units", -32),
        ("attention_units", 2.5),
        ("max_source_len", 0),
        ("max_decode_len", -7),
    ],
)
def test_sizes_must_be_positive_integers(field, value):
    with pytest.raises(ValueError, match=field) as info:
        ModelConfig(**{field: value})
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("dropout", [-0.1, 1.0, 1.5])
def test_dropout_range(dropout):
    with pytest.raises(ValueError, match="dropout") as info:
        ModelConfig(dropout=dropout)
    assert str(dropout) in str(info.value)


def test_dropout_zero_is_fine():
    assert ModelConfig(dropout=0.0).dropout == 0.0


def test_frozen():
    config = ModelConfig()
    with pytest.raises(AttributeError):
        config.embedding_dim = 3  # type: ignore[misc]


def test_save_load_round_trip(tmp_path):
    config = ModelConfig(src_vocab_size=123, tgt_vocab_size=456, embedding_dim=9, dropout=0.25, max_decode_len=17)
    path = tmp_path / "config.json"
    runs.write_config(path, config)
    assert ModelConfig.load(path) == config
    assert json.loads(path.read_text(encoding="utf-8"))["src_vocab_size"] == 123


def test_dict_round_trip():
    config = ModelConfig(encoder_units=3)
    assert ModelConfig.from_dict(config.to_dict()) == config


def test_unknown_keys_are_rejected(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**ModelConfig().to_dict(), "heads": 4}), encoding="utf-8")
    with pytest.raises(ValueError, match="heads"):
        ModelConfig.load(path)


def test_load_validates(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**ModelConfig().to_dict(), "decoder_units": -1}), encoding="utf-8")
    with pytest.raises(ValueError, match="decoder_units"):
        ModelConfig.load(path)


@pytest.mark.parametrize("field", ["embedding_dim", "max_decode_len", "num_heads"])
def test_booleans_are_not_sizes(field):
    with pytest.raises(ValueError, match=field):
        ModelConfig(**{field: True})


def test_flags_must_be_booleans():
    with pytest.raises(ValueError, match="input_feeding") as info:
        ModelConfig(input_feeding=1)  # type: ignore[arg-type]
    assert "1" in str(info.value)


@pytest.mark.parametrize(("field", "value"), [("ffn", "tanh"), ("norm", "middle")])
def test_choices_name_the_value(field, value):
    with pytest.raises(ValueError, match=f"{field} '{value}'"):
        ModelConfig(**{field: value})


def test_d_model_must_split_into_heads():
    with pytest.raises(ValueError, match="d_model 130 .* num_heads 4"):
        ModelConfig(d_model=130, num_heads=4)
