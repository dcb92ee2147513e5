"""A :class:`Translation` from the arrays a search returns for one sentence."""

from __future__ import annotations

import numpy as np

from core.decoding.results import Translation
from core.text.vocab import END_ID, PAD_ID, Vocabulary


def assemble(
    src_vocab: Vocabulary, tgt_vocab: Vocabulary, prepared, ids, probs, attention: dict,
    encoder_self=None, log_prob=None, score=None, unk_probs=None, tokenizer: str = "word",
) -> Translation:  # fmt: skip
    """A Translation from one sentence's ids and per-step attention values (each (steps, ...))."""
    tokens, truncated_from = prepared
    n, s = len(ids), len(tokens)
    cross = np.asarray(attention["cross"], dtype="float32")
    layers = None
    if cross.ndim == 4:  # Transformer: (steps, layers, heads, src)
        layers = {"cross": cross[..., :s].transpose(1, 2, 0, 3)}  # (L, H, tgt, src)
        if "self" in attention:
            layers["decoder_self"] = np.asarray(attention["self"])[..., :n].transpose(1, 2, 0, 3)
        if encoder_self is not None:
            layers["encoder_self"] = np.asarray(encoder_self)[:, :, :s, :s]
        matrix = layers["cross"][-1].mean(axis=0)  # last layer, mean of heads
    else:
        matrix = cross[:, :s]
    positions = attention.get("position")
    return Translation(
        source_tokens=list(tokens),
        target_tokens=tgt_vocab.decode(list(ids)),
        attention=np.asarray(matrix, dtype="float32").reshape(n, s),
        probabilities=np.asarray(probs, dtype="float32"),
        unknown=[not src_vocab.is_known(t) for t in tokens],
        truncated_from=truncated_from,
        positions=None if positions is None else np.asarray(positions, dtype="float32").reshape(n),
        layers=layers,
        log_prob=log_prob,
        score=score,
        unk_probabilities=None if unk_probs is None else np.asarray(unk_probs, dtype="float32").reshape(n),
        tokenizer=tokenizer,
    )


def output_length(ids: np.ndarray) -> int:
    """Number of tokens before the end (or padding) token."""
    for k, i in enumerate(ids):
        if i in (END_ID, PAD_ID):
            return k
    return len(ids)
