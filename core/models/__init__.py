"""Models: :class:`~core.models.config.ModelConfig` (``config.json``), the recurrent
encoder-decoder with attention (:mod:`~core.models.seq2seq`), the Transformer
(:mod:`~core.models.transformer`) and :func:`build_model`, which turns a config into either.

May import :mod:`core.text`, :mod:`core.attention` and :mod:`core.layers`.
"""

from __future__ import annotations

import numpy as np

from core.models.config import RNN_ARCHITECTURES, ModelConfig


def build_model(config: ModelConfig):
    """Build (and create the variables of) the model that ``config`` describes.

    The recurrent architectures (additive, dot, general, concat, local-p) are one
    :class:`~core.models.seq2seq.Seq2SeqAttention` with different attention layers;
    ``transformer`` is :class:`~core.models.transformer.Transformer`.
    """
    if config.arch in RNN_ARCHITECTURES:
        from core.models.seq2seq import Seq2SeqAttention

        model = Seq2SeqAttention(config)
    elif config.arch == "transformer":
        from core.models.transformer import Transformer

        model = Transformer(config)
    else:  # pragma: no cover - ModelConfig validates arch
        raise ValueError(f"unknown arch {config.arch!r}")
    dummy = np.ones((1, 2), dtype="int32")
    model((dummy, dummy))
    return model
