"""Position-wise feed-forward networks: the ReLU MLP and the GLU variants (Shazeer, 2020).

.. math::
    \\mathrm{FFN}_{relu}(x) = \\max(0, xW_1 + b_1) W_2 + b_2

    \\mathrm{FFN}_{GLU}(x) = (xW \\odot \\sigma(xV)) W_2, \\quad
    \\mathrm{FFN}_{GEGLU}(x) = (xW \\odot \\mathrm{GELU}(xV)) W_2, \\quad
    \\mathrm{FFN}_{SwiGLU}(x) = (xW \\odot \\mathrm{Swish}(xV)) W_2

with ``Swish(z) = z σ(z)`` and the exact (erf) GELU. As in the paper the GLU variants
have no biases. They hold three matrices instead of two; pass a ``ff_dim`` about 2/3 as
large to keep the parameter count of the ReLU network.
"""

from __future__ import annotations

import keras
from keras import ops

KINDS = ("relu", "glu", "geglu", "swiglu")

_GATES = {
    "glu": ops.sigmoid,
    "geglu": lambda z: ops.gelu(z, approximate=False),
    "swiglu": ops.silu,
}


@keras.saving.register_keras_serializable(package="attention_lab")
class FeedForward(keras.layers.Layer):
    """``FFN(x)`` applied to every position of ``x`` (batch, length, d_model) alike.

    ``kind`` is ``relu`` (W₁ ReLU W₂) or a gated variant ``glu`` / ``geglu`` / ``swiglu``;
    ``dropout`` (if > 0) acts on the hidden (batch, length, ff_dim) activations in training.
    Sub-layers: ``w1``/``w2`` for relu, ``w``/``v``/``w2`` for the gated kinds.
    """

    def __init__(self, d_model: int, ff_dim: int, kind: str = "relu", dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if d_model <= 0:
            raise ValueError(f"d_model must be positive, got {d_model}")
        if ff_dim <= 0:
            raise ValueError(f"ff_dim must be positive, got {ff_dim}")
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r} is not one of {KINDS}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout {dropout} must be in [0, 1)")
        self.d_model, self.ff_dim, self.kind, self.dropout_rate = d_model, ff_dim, kind, dropout
        if kind == "relu":
            self.w1 = keras.layers.Dense(ff_dim, activation="relu", name="w1")
            self.w2 = keras.layers.Dense(d_model, name="w2")
        else:
            self.w = keras.layers.Dense(ff_dim, use_bias=False, name="w")
            self.v = keras.layers.Dense(ff_dim, use_bias=False, name="v")
            self.w2 = keras.layers.Dense(d_model, use_bias=False, name="w2")
        self.dropout = keras.layers.Dropout(dropout)

    def build(self, x_shape):
        if self.kind == "relu":
            self.w1.build(x_shape)
        else:
            self.w.build(x_shape)
            self.v.build(x_shape)
        self.w2.build((*x_shape[:-1], self.ff_dim))
        self.built = True

    def call(self, x, training=False):
        relu = self.kind == "relu"
        hidden = self.w1(x) if relu else self.w(x) * _GATES[self.kind](self.v(x))  # (batch, length, ff_dim)
        hidden = self.dropout(hidden, training=training)
        return self.w2(hidden)  # (batch, length, d_model)

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        return {
            **super().get_config(),
            "d_model": self.d_model,
            "ff_dim": self.ff_dim,
            "kind": self.kind,
            "dropout": self.dropout_rate,
        }
