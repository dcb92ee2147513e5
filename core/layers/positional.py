"""Sinusoidal positional encoding (Vaswani et al., 2017).

.. math::
    PE_{(pos, 2i)} = \\sin\\left(\\frac{pos}{10000^{2i/d}}\\right), \\quad
    PE_{(pos, 2i+1)} = \\cos\\left(\\frac{pos}{10000^{2i/d}}\\right)

and the Transformer's input: ``x_pos = \\sqrt{d} \\, E[token] + PE_{pos}``.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops


def _inverse_frequencies(d_model: int) -> np.ndarray:
    """``1 / 10000^(2i/d)`` for every column ``j`` (``i = j // 2``), shape (d_model,)."""
    if d_model <= 0:
        raise ValueError(f"d_model must be positive, got {d_model}")
    two_i = 2 * (np.arange(d_model) // 2)
    return np.power(10000.0, -two_i / d_model)


def positional_encoding(length: int, d_model: int) -> np.ndarray:
    """The (length, d_model) float32 table ``PE[pos, j]``: sine in even columns, cosine in odd ones."""
    if length < 0:
        raise ValueError(f"length must be non-negative, got {length}")
    angles = np.arange(length)[:, None] * _inverse_frequencies(d_model)[None, :]  # (length, d_model)
    table = np.where(np.arange(d_model) % 2 == 0, np.sin(angles), np.cos(angles))
    return table.astype("float32")


def sinusoidal_encoding(positions, d_model: int):
    """``PE`` rows for integer ``positions`` (length,), computed in the graph: (length, d_model).

    Works for any position, so neither training sentences nor decoding steps are capped
    by a precomputed table.
    """
    inv = ops.convert_to_tensor(_inverse_frequencies(d_model).astype("float32"))  # (d_model,)
    angles = ops.expand_dims(ops.cast(positions, "float32"), -1) * inv  # (length, d_model)
    even = ops.equal(ops.arange(d_model) % 2, 0)  # (d_model,)
    return ops.where(even, ops.sin(angles), ops.cos(angles))


@keras.saving.register_keras_serializable(package="attention_lab")
class PositionalEmbedding(keras.layers.Layer):
    """Token embedding scaled by ``sqrt(d_model)`` plus the sinusoidal position encoding.

    Call with ``tokens`` (batch, length) and optionally ``start`` (int or scalar tensor): the
    position of the first token, so a single decoding step at position ``step`` is
    ``layer(token[:, None], start=step)``. Returns (batch, length, d_model).
    """

    def __init__(self, vocab_size: int, d_model: int, **kwargs):
        super().__init__(**kwargs)
        if vocab_size <= 0:
            raise ValueError(f"vocab_size must be positive, got {vocab_size}")
        if d_model <= 0:
            raise ValueError(f"d_model must be positive, got {d_model}")
        self.vocab_size = vocab_size
        self.d_model = d_model
        self.embedding = keras.layers.Embedding(vocab_size, d_model, name="embedding")

    def build(self, tokens_shape):
        self.embedding.build(tokens_shape)
        self.built = True

    def call(self, tokens, start=0):
        length = ops.shape(tokens)[1]
        x = self.embedding(tokens) * math.sqrt(self.d_model)  # (batch, length, d_model)
        positions = ops.arange(length) + ops.cast(start, "int32")  # (length,)
        return x + sinusoidal_encoding(positions, self.d_model)[None]

    def compute_mask(self, *args, **kwargs):
        return None  # padding masks are built explicitly from the token ids

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "d_model": self.d_model}
