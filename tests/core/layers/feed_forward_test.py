"""Position-wise feed-forward networks: ReLU and the GLU variants, checked against their equations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.layers.feed_forward import FeedForward

D, F = 6, 10


def _x(seed=0):
    return np.random.default_rng(seed).normal(size=(2, 3, D)).astype("float32")


_erf = np.vectorize(math.erf, otypes=[np.float64])  # the standard library's erf, elementwise


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


GATES = {
    "glu": _sigmoid,
    "geglu": lambda z: 0.5 * z * (1.0 + _erf(z / np.sqrt(2.0))),  # exact GELU
    "swiglu": lambda z: z * _sigmoid(z),  # Swish with beta = 1
}


def test_relu_is_w2_relu_xw1_with_biases():
    x = _x()
    layer = FeedForward(D, F, "relu")
    layer(x)  # build
    layer.w1.bias.assign(np.linspace(-0.5, 0.5, F).astype("float32"))  # biases must count too
    layer.w2.bias.assign(np.linspace(0.3, -0.2, D).astype("float32"))
    out = np.asarray(layer(x))
    w1, b1, w2, b2 = (np.asarray(w) for w in (layer.w1.kernel, layer.w1.bias, layer.w2.kernel, layer.w2.bias))
    expected = np.maximum(0.0, x @ w1 + b1) @ w2 + b2
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["glu", "geglu", "swiglu"])
def test_gated_variant_matches_its_equation(kind):
    x = _x(1)
    layer = FeedForward(D, F, kind)
    out = np.asarray(layer(x))
    w, v, w2 = (np.asarray(k) for k in (layer.w.kernel, layer.v.kernel, layer.w2.kernel))
    expected = ((x @ w) * GATES[kind](x @ v)) @ w2
    assert out.shape == (2, 3, D)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    ("kind", "shapes"),
    [
        ("relu", [(D, F), (F,), (F, D), (D,)]),
        ("glu", [(D, F), (D, F), (F, D)]),
        ("swiglu", [(D, F), (D, F), (F, D)]),
    ],
)
def test_weights(kind, shapes):
    layer = FeedForward(D, F, kind)
    layer(_x())
    assert [tuple(w.shape) for w in layer.get_weights()] == shapes


def test_positions_are_independent():
    x = _x(2)
    layer = FeedForward(D, F, "swiglu")
    full = np.asarray(layer(x))
    one = np.asarray(layer(x[:, 1:2]))
    np.testing.assert_allclose(one[:, 0], full[:, 1], rtol=1e-5, atol=1e-6)


def test_dropout_only_in_training():
    x = _x(3)
    layer = FeedForward(D, 64, "geglu", dropout=0.5)
    a, b = np.asarray(layer(x)), np.asarray(layer(x, training=False))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(np.asarray(layer(x, training=True)), a)


def test_get_config_round_trip():
    layer = FeedForward(D, F, "geglu", dropout=0.2, name="ffn")
    clone = FeedForward.from_config(layer.get_config())
    assert (clone.d_model, clone.ff_dim, clone.kind, clone.dropout_rate, clone.name) == (D, F, "geglu", 0.2, "ffn")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(d_model=0, ff_dim=4), "d_model"),
        (dict(d_model=4, ff_dim=-1), "-1"),
        (dict(d_model=4, ff_dim=4, kind="gelu"), "'gelu'"),
        (dict(d_model=4, ff_dim=4, dropout=1.0), "dropout 1.0"),
    ],
)
def test_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FeedForward(**kwargs)
