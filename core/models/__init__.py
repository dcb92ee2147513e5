"""Model factory."""

from __future__ import annotations

import numpy as np

from core.config import ModelConfig


def build_model(config: ModelConfig):
    """Build (and create the variables of) the model that ``config`` describes."""
    if config.arch == "additive":
        from core.models.seq2seq import Seq2SeqAttention

        model = Seq2SeqAttention(config)
    else:  # pragma: no cover - ModelConfig validates arch
        raise ValueError(f"unknown arch {config.arch!r}")
    dummy = np.ones((1, 2), dtype="int32")
    model((dummy, dummy))
    return model
