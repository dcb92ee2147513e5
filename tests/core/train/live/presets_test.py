"""Every preset and mechanism gives a command line that core.train accepts as it stands."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models.config import ModelConfig
from core.train import args as train_args
from core.train.cli import _parse
from core.train.live.presets import MECHANISMS, PRESETS, resume_argv


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize("key", list(PRESETS))
def test_core_train_accepts_every_preset(key, mechanism):
    preset = PRESETS[key]
    args = _parse(preset.argv(mechanism, Path("runs/live/x")))
    train_args.validate(args)
    assert (args.epochs, args.max_tokens, args.max_pairs, args.batch_size) == (
        preset.epochs, preset.max_tokens, preset.max_pairs, preset.batch_size,
    )  # fmt: skip
    sizes = train_args.model_sizes(args)
    config = ModelConfig(**sizes)
    assert config.arch == mechanism
    assert (config.src_vocab_size, config.tgt_vocab_size) == (preset.src_vocab, preset.tgt_vocab)
    assert config.tokenizer == "word"  # whole words on the heatmaps' axes


def test_the_resume_command():
    args = _parse(resume_argv(Path("runs/live/x"), 6))
    train_args.validate(args)
    assert args.resume and args.epochs == 6


def test_unknown_mechanism():
    with pytest.raises(ValueError, match="dot"):
        PRESETS["2min"].flags("dot")
