"""Additive (Bahdanau) attention.

.. math::
    e_{tj} = v^\\top \\tanh(W_1 s_t + W_2 h_j), \\quad
    \\alpha_{tj} = \\frac{\\exp e_{tj}}{\\sum_{k} \\exp e_{tk}}, \\quad
    c_t = \\sum_j \\alpha_{tj} h_j

over **all** encoder states ``h_j`` (padding masked out).
"""

from __future__ import annotations

import keras
from keras import ops

from core.attention.masking import attend


@keras.saving.register_keras_serializable(package="attention_lab")
class AdditiveAttention(keras.layers.Layer):
    """Bahdanau attention: ``score(s, h) = vᵀ tanh(W₁ s + W₂ h)``.

    Call with ``query`` (batch, tgt_len, query_dim) and ``value`` (batch, src_len,
    value_dim); returns ``(context, weights)`` of shapes (batch, tgt_len, value_dim)
    and (batch, tgt_len, src_len).
    """

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        if units <= 0:
            raise ValueError(f"units must be positive, got {units}")
        self.units = units
        self.supports_masking = True  # masks come in explicitly as ``value_mask``
        self.w_query = keras.layers.Dense(units, use_bias=False, name="w1")
        self.w_key = keras.layers.Dense(units, use_bias=False, name="w2")
        self.v = keras.layers.Dense(1, use_bias=False, name="v")

    def build(self, query_shape, value_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        self.w_query.build(query_shape)
        self.w_key.build(value_shape)
        self.v.build((*value_shape[:-1], self.units))
        self.built = True

    def project_keys(self, value):
        """``W₂ h_j`` for every source position, computed once per sentence when decoding."""
        return self.w_key(value)  # (batch, src_len, units)

    def call(self, query, value, value_mask=None, keys=None):
        if keys is None:
            keys = self.project_keys(value)  # (batch, src_len, units)
        q = self.w_query(query)  # (batch, tgt_len, units)
        # (batch, tgt_len, 1, units) + (batch, 1, src_len, units)
        hidden = ops.tanh(ops.expand_dims(q, 2) + ops.expand_dims(keys, 1))
        scores = ops.squeeze(self.v(hidden), -1)  # (batch, tgt_len, src_len)
        return attend(scores, value, value_mask)  # context (batch, tgt_len, value_dim), weights

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        return {**super().get_config(), "units": self.units}
