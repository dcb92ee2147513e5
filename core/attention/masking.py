"""Masked softmax shared by the attention layers."""

from __future__ import annotations

from keras import backend, ops


def large_negative(dtype) -> float:
    """A fill for masked scores that stays finite in ``dtype``: -3e4 in float16 (max 65504), else -1e9.

    -1e9 overflows to -inf in float16, and a row of -inf gives NaN through ``exp(x - max x)``;
    Keras' ``Softmax`` layer uses the same two values.
    """
    return -3e4 if backend.standardize_dtype(dtype) == "float16" else -1e9


def masked_softmax(scores, mask=None):
    """Softmax over the last axis that gives exactly zero weight where ``mask`` is False.

    ``scores``: (..., src_len); ``mask``: broadcastable to ``scores``, True = attend.
    A row whose mask is all False gets all-zero weights rather than NaN, in float32 and float16.
    """
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask = ops.cast(mask, "bool")
    neg = ops.full_like(scores, large_negative(scores.dtype))
    weights = ops.softmax(ops.where(mask, scores, neg), axis=-1)
    return weights * ops.cast(mask, weights.dtype)


def attend(scores, value, value_mask=None):
    """Weights and context from raw scores: ``softmax`` over unmasked source positions, then ``Σ_j α_tj h_j``.

    ``scores`` (batch, tgt_len, src_len), ``value`` (batch, src_len, value_dim), ``value_mask``
    (batch, src_len); returns ``(context (batch, tgt_len, value_dim), weights (batch, tgt_len, src_len))``.
    """
    mask = None if value_mask is None else ops.expand_dims(value_mask, 1)  # (batch, 1, src_len)
    weights = masked_softmax(scores, mask)  # (batch, tgt_len, src_len)
    return ops.matmul(weights, value), weights
