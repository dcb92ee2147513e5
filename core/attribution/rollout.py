"""Attention rollout (Abnar & Zuidema, 2020) over the Transformer encoder, and the effective cross-attention.

Each encoder layer mixes its input through self-attention *and* a residual connection, so
layer ``l`` is modelled by the averaged heads plus the identity, renormalised:

.. math::
    \\hat A_l = \\mathrm{rownorm}\\big(r I + (1 - r) \\bar A_l\\big), \\qquad
    R = \\hat A_L \\cdots \\hat A_2 \\hat A_1

with ``r = 0.5`` and ``\\bar A_l`` the mean over heads. ``R[j, k]`` is how much encoder
output ``j`` draws on source token ``k``. A decoder cross-attention row reads encoder
*outputs*; through the rollout it becomes a distribution over source *tokens*:

.. math::
    \\tilde C = \\bar C_\\ell \\, R

for the chosen cross-attention layer ``ℓ`` (mean over its heads). Rows of ``\\tilde C``
still sum to 1.
"""

from __future__ import annotations

import numpy as np

RESIDUAL = 0.5


def rollout(encoder_self: np.ndarray, residual: float = RESIDUAL) -> np.ndarray:
    """``R`` (S, S) from encoder self-attention (layers, heads, S, S)."""
    weights = np.asarray(encoder_self, dtype="float64")
    if weights.ndim != 4 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(f"encoder self-attention must be (layers, heads, S, S), got {weights.shape}")
    s = weights.shape[-1]
    eye = np.eye(s)
    out = eye
    for layer in weights:
        a = residual * eye + (1.0 - residual) * layer.mean(axis=0)  # (S, S)
        a = a / np.maximum(a.sum(axis=-1, keepdims=True), 1e-12)
        out = a @ out
    return out


def effective_cross_attention(
    cross: np.ndarray, encoder_self: np.ndarray, layer: int = -1, residual: float = RESIDUAL
) -> np.ndarray:
    """``C̄_ℓ R`` (T, S): cross-attention layer ``layer`` (mean of heads) carried back to the source tokens.

    ``cross`` (layers, heads, T, S), ``encoder_self`` (layers, heads, S, S).
    """
    cross = np.asarray(cross, dtype="float64")
    return (cross[layer].mean(axis=0) @ rollout(encoder_self, residual)).astype("float32")
