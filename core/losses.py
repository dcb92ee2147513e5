"""Masked loss and accuracy: padding positions (id 0) neither cost nor count."""

from __future__ import annotations

from keras import ops

from core.vocab import PAD_ID


def masked_loss(y_true, y_pred):
    """Mean token cross-entropy over non-padding targets; ``y_pred`` are logits (batch, len, vocab)."""
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, PAD_ID), "float32")
    loss = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)  # (batch, len)
    return ops.sum(loss * mask) / ops.maximum(ops.sum(mask), 1.0)


def masked_accuracy(y_true, y_pred):
    """Share of non-padding target tokens whose arg-max prediction is right."""
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, PAD_ID), "float32")
    hit = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true), "float32")
    return ops.sum(hit * mask) / ops.maximum(ops.sum(mask), 1.0)
