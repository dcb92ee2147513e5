"""Tiny untrained models with their vocabularies, for attribution and intervention tests."""

from __future__ import annotations

import pytest

SOURCE_WORDS = ["i", "am", "cold", "the", "cat", "sat", "on", "mat", "."]
TARGET_WORDS = ["tengo", "frío", "el", "gato", "se", "sentó", "en", "la", "alfombra", "."]


def tiny_translator(arch: str, seed: int = 1, **sizes):
    """A Translator around an untrained tiny ``arch`` model (random weights, deterministic)."""
    import keras

    from core.decoding import Translator
    from core.models import build_model
    from core.models.config import ModelConfig
    from core.text.vocab import SPECIALS, Vocabulary

    src = Vocabulary([*SPECIALS, *SOURCE_WORDS])
    tgt = Vocabulary([*SPECIALS, *TARGET_WORDS])
    shape = dict(
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8, num_layers=2, num_heads=2,
        d_model=16, ff_dim=32, max_decode_len=8, dropout=0.0, window=2,
    )  # fmt: skip
    shape.update(sizes)
    keras.utils.set_random_seed(seed)
    model = build_model(ModelConfig(arch=arch, src_vocab_size=len(src), tgt_vocab_size=len(tgt), **shape))
    # untrained embeddings are tiny (±0.05): scale them so every source word visibly moves the output
    table = model.src_embedding.embedding if arch == "transformer" else model.src_embedding
    table.embeddings.assign(table.embeddings * 40.0)
    return Translator(model, src, tgt)


@pytest.fixture(scope="module", params=["additive", "local-p", "transformer"])
def translator(request):
    return tiny_translator(request.param)
