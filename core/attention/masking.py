"""Masked softmax shared by the attention layers."""

from __future__ import annotations

from keras import ops


def masked_softmax(scores, mask=None):
    """Softmax over the last axis that gives exactly zero weight where ``mask`` is False.

    ``scores``: (..., src_len); ``mask``: broadcastable to ``scores``, True = attend.
    A row whose mask is all False gets all-zero weights rather than NaN.
    """
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask = ops.cast(mask, "bool")
    neg = ops.full_like(scores, -1e9)
    weights = ops.softmax(ops.where(mask, scores, neg), axis=-1)
    return weights * ops.cast(mask, weights.dtype)
