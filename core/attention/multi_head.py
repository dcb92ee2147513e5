"""Scaled dot-product and multi-head attention (Vaswani et al., 2017).

.. math::
    \\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right) V

    \\mathrm{head}_i = \\mathrm{Attention}(QW^Q_i, KW^K_i, VW^V_i), \\quad
    \\mathrm{MultiHead}(Q, K, V) = [\\mathrm{head}_1; \\dots; \\mathrm{head}_h] W^O

Masked positions (source padding, later target positions) get exactly zero weight.
For decoding, keys and values of the source are projected once per sentence
(:meth:`MultiHeadAttention.project_key_value`), and self-attention keeps a fixed-size
key/value cache written one position per step (:meth:`MultiHeadAttention.call_cached`),
so a ``tf.function`` loop over the steps keeps every shape fixed.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from core.attention.masking import masked_softmax


def scaled_dot_product_attention(q, k, v, mask=None):
    """``softmax(QKᵀ/√d_k) V`` over the last two axes.

    ``q`` (..., tgt_len, d_k), ``k`` (..., src_len, d_k), ``v`` (..., src_len, d_v);
    ``mask`` broadcastable to (..., tgt_len, src_len), True = attend.
    Returns ``(output (..., tgt_len, d_v), weights (..., tgt_len, src_len))``.
    """
    d_k = q.shape[-1]
    scores = ops.matmul(q, ops.swapaxes(k, -1, -2)) / math.sqrt(d_k)  # (..., tgt_len, src_len)
    weights = masked_softmax(scores, mask)  # (..., tgt_len, src_len)
    return ops.matmul(weights, v), weights  # (..., tgt_len, d_v)


def causal_mask(tgt_len, src_len=None):
    """(tgt_len, src_len) bool: query ``i`` may see key ``j`` iff ``j <= i + src_len - tgt_len``.

    With ``tgt_len == src_len`` this is the lower triangle: no position sees a later one.
    When the queries are the last ``tgt_len`` of ``src_len`` positions, they stay aligned.
    """
    src_len = tgt_len if src_len is None else src_len
    rows = ops.expand_dims(ops.arange(tgt_len) + (src_len - tgt_len), 1)  # (tgt_len, 1)
    cols = ops.expand_dims(ops.arange(src_len), 0)  # (1, src_len)
    return ops.greater_equal(rows, cols)


@keras.saving.register_keras_serializable(package="attention_lab")
class MultiHeadAttention(keras.layers.Layer):
    """``num_heads`` scaled dot-product attentions over learnt projections of size ``d_model / num_heads``.

    Call with ``query`` (batch, tgt_len, d_model) and ``value`` (batch, src_len, d_model)
    (``None``: self-attention over ``query``); optional ``key_mask`` (batch, src_len) True on
    real keys, and ``causal=True`` for decoder self-attention. ``key_value``: keys and
    values from :meth:`project_key_value`, reused instead of projecting ``value`` again.
    Returns ``(output (batch, tgt_len, d_model), weights (batch, heads, tgt_len, src_len))``.
    """

    def __init__(self, num_heads: int, d_model: int, **kwargs):
        super().__init__(**kwargs)
        if num_heads <= 0:
            raise ValueError(f"num_heads must be positive, got {num_heads}")
        if d_model <= 0:
            raise ValueError(f"d_model must be positive, got {d_model}")
        if d_model % num_heads:
            raise ValueError(f"d_model {d_model} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.d_model = d_model
        self.d_head = d_model // num_heads
        self.w_query = keras.layers.Dense(d_model, name="w_query")
        self.w_key = keras.layers.Dense(d_model, name="w_key")
        self.w_value = keras.layers.Dense(d_model, name="w_value")
        self.w_output = keras.layers.Dense(d_model, name="w_output")

    def build(self, query_shape, value_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        self.w_query.build(query_shape)
        self.w_key.build(value_shape)
        self.w_value.build(value_shape)
        self.w_output.build((*query_shape[:-1], self.d_model))
        self.built = True

    # -- head plumbing ----------------------------------------------------------------------
    def _split_heads(self, x):
        """(batch, length, d_model) -> (batch, heads, length, d_head)."""
        x = ops.reshape(x, (ops.shape(x)[0], -1, self.num_heads, self.d_head))
        return ops.transpose(x, (0, 2, 1, 3))

    def _merge_heads(self, x):
        """(batch, heads, length, d_head) -> (batch, length, d_model)."""
        x = ops.transpose(x, (0, 2, 1, 3))
        return ops.reshape(x, (ops.shape(x)[0], -1, self.d_model))

    def project_key_value(self, value):
        """Per-head keys and values of ``value`` (batch, src_len, d_model), each (batch, heads, src_len, d_head)."""
        return self._split_heads(self.w_key(value)), self._split_heads(self.w_value(value))

    # -- full attention ---------------------------------------------------------------------
    def call(self, query, value=None, key_mask=None, causal=False, key_value=None):
        if key_value is None:
            key_value = self.project_key_value(query if value is None else value)
        k, v = key_value  # (batch, heads, src_len, d_head)
        q = self._split_heads(self.w_query(query))  # (batch, heads, tgt_len, d_head)
        mask = None
        if key_mask is not None:
            mask = ops.cast(key_mask, "bool")[:, None, None, :]  # (batch, 1, 1, src_len)
        if causal:
            tri = causal_mask(ops.shape(q)[2], ops.shape(k)[2])[None, None]  # (1, 1, tgt_len, src_len)
            mask = tri if mask is None else ops.logical_and(mask, tri)
        out, weights = scaled_dot_product_attention(q, k, v, mask)  # weights (batch, heads, tgt_len, src_len)
        return self.w_output(self._merge_heads(out)), weights

    # -- one decoding step with a key/value cache --------------------------------------------
    def init_cache(self, batch_size, max_len: int, dtype="float32"):
        """Empty (key, value) caches for self-attention decoding, each (batch, heads, max_len, d_head)."""
        shape = (batch_size, self.num_heads, max_len, self.d_head)
        return ops.zeros(shape, dtype), ops.zeros(shape, dtype)

    def call_cached(self, query, step, key_cache, value_cache):
        """Causal self-attention of the token at position ``step`` over positions ``0..step``.

        ``query`` (batch, 1, d_model) is that token's input; its key and value are written
        into row ``step`` of the caches (batch, heads, max_len, d_head), and keys beyond
        ``step`` are masked, so the result equals row ``step`` of full causal attention.
        Returns ``(output (batch, 1, d_model), weights (batch, heads, 1, max_len), key_cache,
        value_cache)``; the weights are exactly zero beyond ``step``.
        """
        max_len = key_cache.shape[2]
        k, v = self.project_key_value(query)  # (batch, heads, 1, d_head)
        positions = ops.arange(max_len)
        row = (0, 0, step, 0)  # only row ``step`` is written; the rest of the caches is left as it is
        key_cache = ops.slice_update(key_cache, row, ops.cast(k, key_cache.dtype))  # (batch, heads, max_len, d_head)
        value_cache = ops.slice_update(value_cache, row, ops.cast(v, value_cache.dtype))
        seen = ops.reshape(ops.less_equal(positions, step), (1, 1, 1, max_len))
        q = self._split_heads(self.w_query(query))  # (batch, heads, 1, d_head)
        out, weights = scaled_dot_product_attention(q, key_cache, value_cache, seen)  # (batch, heads, 1, max_len)
        return self.w_output(self._merge_heads(out)), weights, key_cache, value_cache

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "d_model": self.d_model}
