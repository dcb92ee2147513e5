"""Masked loss and accuracy: padding positions (id 0) neither cost nor count."""

from __future__ import annotations

from keras import ops

from core.text.vocab import PAD_ID


def masked_loss(y_true, y_pred):
    """Token cross-entropy over non-padding targets; ``y_pred`` are logits (batch, len, vocab).

    Returns one value per sequence, (batch,), scaled so that what Keras optimises is the mean
    over every real target token of the global batch::

        L = Σ_{sequences i, real tokens t} ℓ_it / N,   N = real target tokens of the global batch

    Keras averages the values of each replica's local batch (``B_r`` sequences) and divides
    by the number of replicas ``R`` before summing over replicas, so sequence ``i`` returns
    ``Σ_t ℓ_it · B_r · R / N``. Under ``tf.distribute`` ``N`` is the token count all-reduced
    over the replicas, so replicas with more real tokens weigh more, as in one big batch;
    without a strategy ``R = 1`` and ``N`` is the batch's own count.
    """
    sums, tokens = sequence_losses(y_true, y_pred)
    return _scaled(sums, tokens)


def smoothed_loss(smoothing: float):
    """:func:`masked_loss` with label smoothing (Szegedy et al. 2016): the target keeps ``1 − ε``
    of its probability and ``ε`` is spread uniformly over the vocabulary::

        ℓ = (1 − ε) · (−log p(y)) + ε · mean_v(−log p(v))
    """
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"label smoothing {smoothing} must be in [0, 1)")

    def loss(y_true, y_pred):
        sums, tokens = sequence_losses(y_true, y_pred, smoothing)
        return _scaled(sums, tokens)

    loss.__name__ = "smoothed_loss"
    return loss


def sequence_losses(y_true, y_pred, smoothing: float = 0.0):
    """``(sums, tokens)``: each sequence's summed token loss over its real targets, (batch,), and the
    number of real target tokens in the batch. The one definition of a step's loss: Keras ``fit``
    (:func:`masked_loss`, :func:`smoothed_loss`) and the custom loop (:mod:`core.train.loop`) both
    divide ``sums`` by the real tokens of the global batch.
    """
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, PAD_ID), "float32")
    if smoothing:
        log_p = ops.log_softmax(y_pred, axis=-1)
        nll = -ops.squeeze(ops.take_along_axis(log_p, y_true[..., None], axis=-1), axis=-1)
        per_token = (1.0 - smoothing) * nll - smoothing * ops.mean(log_p, axis=-1)
    else:
        per_token = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)  # (batch, len)
    return ops.sum(per_token * mask, axis=-1), ops.sum(mask)


def _scaled(sums, tokens):
    """Per-sequence values whose Keras reduction (mean per replica, summed over replicas) is ``Σ sums / N``."""
    batch = ops.cast(ops.shape(sums)[0], "float32")
    replicas, total = global_token_count(tokens)
    return sums * batch * replicas / ops.maximum(total, 1.0)  # (batch,)


def global_token_count(tokens):
    """``(R, N)``: replicas in sync and the sum of ``tokens`` over them (``(1, tokens)`` outside a replica)."""
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return 1.0, tokens
    total = context.all_reduce(tf.distribute.ReduceOp.SUM, tf.cast(tokens, tf.float32))
    return float(context.num_replicas_in_sync), total


def accuracy_counts(y_true, y_pred):
    """``(hits, tokens)``: real target tokens whose arg-max prediction is right, and real target tokens."""
    y_true = ops.cast(y_true, "int32")
    mask = ops.cast(ops.not_equal(y_true, PAD_ID), "float32")
    hit = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true), "float32")
    return ops.sum(hit * mask), ops.sum(mask)


def masked_accuracy(y_true, y_pred):
    """Share of non-padding target tokens whose arg-max prediction is right."""
    hits, tokens = accuracy_counts(y_true, y_pred)
    return hits / ops.maximum(tokens, 1.0)
