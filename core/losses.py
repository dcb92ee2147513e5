"""Masked loss and accuracy: padding positions (id 0) neither cost nor count."""

from __future__ import annotations

from keras import ops

from core.vocab import PAD_ID


def masked_loss(y_true, y_pred):
    """Token cross-entropy over non-padding targets; ``y_pred`` are logits (batch, len, vocab).

    Returns one value per sequence, (batch,), scaled so that their mean — Keras' reduction —
    is the mean over all real target tokens of the batch. Returning per-sequence values
    (not a scalar) lets Keras scale the loss correctly under ``tf.distribute``.
    """
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, PAD_ID), "float32")
    loss = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)  # (batch, len)
    batch = ops.cast(ops.shape(y_true)[0], "float32")
    return ops.sum(loss * mask, axis=-1) * batch / ops.maximum(ops.sum(mask), 1.0)  # (batch,)


def masked_accuracy(y_true, y_pred):
    """Share of non-padding target tokens whose arg-max prediction is right."""
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, PAD_ID), "float32")
    hit = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true), "float32")
    return ops.sum(hit * mask) / ops.maximum(ops.sum(mask), 1.0)
