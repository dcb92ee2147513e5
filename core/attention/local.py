"""Luong local-p (predictive) attention.

.. math::
    p_t = S_t \\cdot \\sigma(v_p^\\top \\tanh(W_p s_t)), \\quad
    a_{tj} = \\frac{\\exp \\mathrm{score}(s_t, h_j)}{\\sum_{|k - p_t| \\le D} \\exp \\mathrm{score}(s_t, h_k)}
             \\exp\\Big(-\\frac{(j - p_t)^2}{2\\sigma^2}\\Big) \\ \\text{for } |j - p_t| \\le D, \\quad
    a_{tj} = 0 \\ \\text{otherwise}, \\quad
    c_t = \\sum_j a_{tj} h_j

with ``σ = D / 2`` (Luong, Pham and Manning, 2015, eq. 10). ``S_t`` is the sentence's real
source length minus one, so the predicted centre ``p_t`` lies in ``[0, len - 1]``, the
range of the real positions ``0 .. len - 1``. As published, the alignment softmax is taken
over the window ``[p_t - D, p_t + D]`` only (real positions inside it; the window always
holds the real position nearest ``p_t``), and the Gaussian then favours positions near
``p_t``; everything outside the window is exactly zero.

Rows are not rescaled after the Gaussian, so each sums to at most 1. The Gaussian is what
lets the gradient reach ``p_t`` (the hard window has none).

``softmax="source"`` keeps an earlier, unpublished variant: the softmax over the whole real
source, then the window and the Gaussian, which loses the alignment mass outside the window.
"""

from __future__ import annotations

import keras
from keras import ops

from core.attention.masking import masked_softmax
from core.attention.multiplicative import SCORES, LuongAttention

SOFTMAX_SPANS = ("window", "source")  # published (window), earlier variant (whole source)


@keras.saving.register_keras_serializable(package="attention_lab")
class LocalPAttention(keras.layers.Layer):
    """Local-p attention: a predicted centre ``p_t`` and a Gaussian window of half-width ``window``.

    ``score`` is the Luong score inside the window (``dot``, ``general`` or ``concat``);
    ``units`` is the size of the position predictor ``W_p`` (and of the concat score).
    ``softmax`` is ``"window"`` (published: normalise over ``[p_t - D, p_t + D]``) or
    ``"source"`` (the earlier variant: normalise over the whole source, then cut).
    Call with ``query`` (batch, tgt_len, query_dim) and ``value`` (batch, src_len,
    value_dim); returns ``(context, weights, positions)`` of shapes (batch, tgt_len,
    value_dim), (batch, tgt_len, src_len) and (batch, tgt_len).
    """

    def __init__(self, score: str = "general", window: int = 5, units: int = 128, softmax: str = "window", **kwargs):
        super().__init__(**kwargs)
        if score not in SCORES:
            raise ValueError(f"score {score!r} is not one of {SCORES}")
        if isinstance(window, bool) or not isinstance(window, int) or window <= 0:
            raise ValueError(f"window (the half-width D) must be a positive integer, got {window!r}")
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        if softmax not in SOFTMAX_SPANS:
            raise ValueError(f"softmax {softmax!r} is not one of {SOFTMAX_SPANS}")
        self.score = score
        self.softmax = softmax
        self.window = window
        self.units = units
        self.sigma = window / 2.0
        self.supports_masking = True  # masks come in explicitly as ``value_mask``
        self.scorer = LuongAttention(score, units=units if score == "concat" else None, name="scorer")
        self.w_p = keras.layers.Dense(units, use_bias=False, name="w_p")
        self.v_p = keras.layers.Dense(1, use_bias=False, name="v_p")

    def build(self, query_shape, value_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        self.scorer.build(query_shape, value_shape)
        self.w_p.build(query_shape)
        self.v_p.build((*query_shape[:-1], self.units))
        self.built = True

    def project_keys(self, value):
        """The per-sentence part of the score (see :meth:`LuongAttention.project_keys`)."""
        return self.scorer.project_keys(value)

    def predict_positions(self, query, value_mask):
        """``p_t = S · sigmoid(v_pᵀ tanh(W_p s_t))`` (batch, tgt_len), ``S`` = real length - 1 per sentence."""
        lengths = ops.sum(ops.cast(value_mask, query.dtype), axis=-1)  # (batch,)
        last = ops.maximum(lengths - 1.0, 0.0)  # (batch,) index of the last real token
        gate = ops.sigmoid(ops.squeeze(self.v_p(ops.tanh(self.w_p(query))), -1))  # (batch, tgt_len)
        return ops.expand_dims(last, 1) * gate  # (batch, tgt_len)

    def call(self, query, value, value_mask=None, keys=None):
        if value_mask is None:
            value_mask = ops.ones_like(value[..., 0], dtype="bool")  # (batch, src_len)
        value_mask = ops.cast(value_mask, "bool")
        if keys is None:
            keys = self.project_keys(value)
        positions = self.predict_positions(query, value_mask)  # (batch, tgt_len)
        scores = self.scorer.scores(query, keys)  # (batch, tgt_len, src_len)
        j = ops.cast(ops.arange(ops.shape(value)[1]), positions.dtype)  # (src_len,)
        dist = j[None, None, :] - ops.expand_dims(positions, -1)  # (batch, tgt_len, src_len)
        gauss = ops.exp(-ops.square(dist) / (2.0 * self.sigma**2))
        in_window = ops.logical_and(ops.abs(dist) <= float(self.window), ops.expand_dims(value_mask, 1))
        if self.softmax == "window":
            align = masked_softmax(scores, in_window)  # (batch, tgt_len, src_len), zero outside the window
        else:
            align = masked_softmax(scores, ops.expand_dims(value_mask, 1))  # (batch, tgt_len, src_len)
        gauss = ops.cast(gauss, align.dtype)
        weights = ops.where(in_window, align * gauss, ops.zeros_like(align))  # (batch, tgt_len, src_len)
        context = ops.matmul(weights, value)  # (batch, tgt_len, value_dim)
        return context, weights, positions

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        return {
            **super().get_config(),
            "score": self.score,
            "window": self.window,
            "units": self.units,
            "softmax": self.softmax,
        }
