"""Luong (multiplicative) global attention: ``dot``, ``general`` and ``concat`` scores.

.. math::
    \\mathrm{score}(s_t, h_j) =
    \\begin{cases}
        s_t^\\top h_j & \\text{dot} \\\\
        s_t^\\top W h_j & \\text{general} \\\\
        v^\\top \\tanh(W [s_t; h_j]) & \\text{concat}
    \\end{cases}, \\quad
    \\alpha_{tj} = \\frac{\\exp \\mathrm{score}(s_t, h_j)}{\\sum_k \\exp \\mathrm{score}(s_t, h_k)}, \\quad
    c_t = \\sum_j \\alpha_{tj} h_j

over **all** encoder states ``h_j`` (padding masked out), as in Luong, Pham and
Manning (2015), "Effective Approaches to Attention-based Neural Machine Translation".
``dot`` has no parameters and needs ``query_dim == value_dim``; ``general`` learns a
bilinear form; ``concat`` is Bahdanau's additive score with ``W`` applied to ``[s; h]``.
"""

from __future__ import annotations

import keras
from keras import ops

from core.attention.masking import attend

SCORES = ("dot", "general", "concat")


@keras.saving.register_keras_serializable(package="attention_lab")
class LuongAttention(keras.layers.Layer):
    """Luong global attention with the ``dot``, ``general`` or ``concat`` score.

    Call with ``query`` (batch, tgt_len, query_dim) and ``value`` (batch, src_len,
    value_dim); returns ``(context, weights)`` of shapes (batch, tgt_len, value_dim)
    and (batch, tgt_len, src_len).

    Variables: ``general`` has ``w`` (query_dim, value_dim), the ``W`` of ``sᵀ W h``;
    ``concat`` has ``w`` (query_dim + value_dim, units), the ``W`` of ``W [s; h]`` laid
    out as a Keras kernel (``[s; h] @ w``, first ``query_dim`` rows act on ``s``), and
    ``v`` (units,). ``units`` is used by ``concat`` only and required there.
    """

    def __init__(self, score: str = "general", units: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if score not in SCORES:
            raise ValueError(f"score {score!r} is not one of {SCORES}")
        if units is not None and (isinstance(units, bool) or not isinstance(units, int) or units <= 0):
            raise ValueError(f"units must be a positive integer or None, got {units!r}")
        if score == "concat" and units is None:
            raise ValueError("the concat score needs units (the size of W [s; h]), got None")
        self.score = score
        self.units = units
        self.supports_masking = True  # masks come in explicitly as ``value_mask``

    def build(self, query_shape, value_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        self.query_dim, self.value_dim = int(query_shape[-1]), int(value_shape[-1])
        if self.score == "dot" and self.query_dim != self.value_dim:
            raise ValueError(
                f"dot attention needs the query and value sizes to match, got query_dim {self.query_dim} "
                f"and value_dim {self.value_dim}; use the 'general' score or project one side"
            )
        if self.score == "general":
            self.w = self.add_weight(shape=(self.query_dim, self.value_dim), initializer="glorot_uniform", name="w")
        elif self.score == "concat":
            self.w = self.add_weight(
                shape=(self.query_dim + self.value_dim, self.units), initializer="glorot_uniform", name="w"
            )
            self.v = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="v")
        self.built = True

    def project_keys(self, value):
        """The per-sentence part of the score, computed once per sentence when decoding.

        dot: ``h_j`` itself (batch, src_len, value_dim); general: ``W h_j`` (batch,
        src_len, query_dim); concat: the ``h`` half of ``W [s; h]`` (batch, src_len, units).
        """
        if self.score == "dot":
            return value
        if self.score == "general":
            return ops.matmul(value, ops.transpose(self.w))  # (batch, src_len, query_dim)
        return ops.matmul(value, self.w[self.query_dim :])  # (batch, src_len, units)

    def scores(self, query, keys):
        """Unnormalised ``score(s_t, h_j)`` (batch, tgt_len, src_len) from ``keys = project_keys(value)``."""
        if self.score in ("dot", "general"):
            return ops.matmul(query, ops.transpose(keys, (0, 2, 1)))  # (batch, tgt_len, src_len)
        q = ops.matmul(query, self.w[: self.query_dim])  # (batch, tgt_len, units)
        # W [s; h] = W_s s + W_h h: (batch, tgt_len, 1, units) + (batch, 1, src_len, units)
        hidden = ops.tanh(ops.expand_dims(q, 2) + ops.expand_dims(keys, 1))
        return ops.tensordot(hidden, self.v, axes=1)  # (batch, tgt_len, src_len)

    def call(self, query, value, value_mask=None, keys=None):
        dq, dv = query.shape[-1], value.shape[-1]
        if self.score == "dot" and None not in (dq, dv) and dq != dv:  # also after build, on new inputs
            raise ValueError(
                f"dot attention needs the query and value sizes to match, got query_dim {dq} and value_dim {dv}"
            )
        if keys is None:
            keys = self.project_keys(value)
        scores = self.scores(query, keys)  # (batch, tgt_len, src_len)
        return attend(scores, value, value_mask)  # context (batch, tgt_len, value_dim), weights

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        return {**super().get_config(), "score": self.score, "units": self.units}
