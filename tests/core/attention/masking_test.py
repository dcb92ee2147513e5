"""Masked softmax: exact zeros on masked positions, finite in float32 and float16."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.attention import AdditiveAttention, LocalPAttention, LuongAttention
from core.attention.masking import large_negative, masked_softmax
from core.attention.multi_head import MultiHeadAttention


def _numpy_masked_softmax(x, mask):
    x = np.where(mask, x.astype("float64"), -np.inf)
    m = np.max(np.where(mask, x, -np.inf), axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.where(mask, np.exp(x - m), 0.0)
    s = e.sum(-1, keepdims=True)
    return np.divide(e, s, out=np.zeros_like(e), where=s > 0)


def test_fill_fits_the_dtype():
    assert np.isfinite(np.float16(large_negative("float16")))
    assert large_negative("float32") == -1e9
    with np.errstate(over="ignore"):
        assert np.isinf(np.float16(-1e9))  # why float16 needs its own fill


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_matches_numpy_with_a_fully_masked_row(dtype):
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(3, 4, 6)).astype(dtype) * 4
    mask = np.ones((3, 4, 6), dtype=bool)
    mask[0, :, 3:] = False
    mask[1, 2] = False  # a row with nothing to attend to
    mask[2, :, 0] = False
    weights = np.asarray(masked_softmax(keras.ops.convert_to_tensor(scores), mask))
    assert weights.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(weights))
    np.testing.assert_array_equal(weights[~mask], 0.0)
    np.testing.assert_array_equal(weights[1, 2], 0.0)
    tol = 2e-3 if dtype == "float16" else 1e-6
    np.testing.assert_allclose(weights.astype("float64"), _numpy_masked_softmax(scores, mask), atol=tol)


@pytest.fixture
def mixed_float16():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    yield
    keras.config.set_dtype_policy(previous)


def _padded(seed=0, b=3, t=4, s=7, d=8):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(b, t, d)).astype("float32")
    value = rng.normal(size=(b, s, d)).astype("float32")
    mask = np.ones((b, s), dtype=bool)
    mask[1, 3:] = False
    mask[2, :] = False  # an all-padding row, as a padded batch of the last partial batch can hold
    return query, value, mask


@pytest.mark.parametrize(
    "make",
    [
        lambda: AdditiveAttention(8),
        lambda: LuongAttention("general"),
        lambda: LocalPAttention("general", window=2, units=8),
    ],
    ids=["additive", "general", "local-p"],
)
def test_attention_layers_stay_finite_under_mixed_float16(mixed_float16, make):
    query, value, mask = _padded()
    layer = make()
    context, weights, *_ = layer(query, value, value_mask=mask)
    assert layer.compute_dtype == "float16"
    weights = np.asarray(weights)
    assert weights.dtype == np.float16
    assert np.all(np.isfinite(weights)) and np.all(np.isfinite(np.asarray(context)))
    np.testing.assert_array_equal(weights[1][:, 3:], 0.0)
    np.testing.assert_array_equal(weights[2], 0.0)
    sums = weights[:2].astype("float32").sum(-1)
    assert np.all(sums <= 1.0 + 2e-3) and np.all(sums > 0.0)


def test_multi_head_causal_and_padding_stay_finite_under_mixed_float16(mixed_float16):
    x, _, mask = _padded(1, t=5, s=5)
    layer = MultiHeadAttention(2, 8)
    out, weights = layer(x, key_mask=mask, causal=True)
    weights = np.asarray(weights)
    assert weights.dtype == np.float16
    assert np.all(np.isfinite(weights)) and np.all(np.isfinite(np.asarray(out)))
    np.testing.assert_array_equal(weights[2], 0.0)
    np.testing.assert_allclose(weights[:2].astype("float32").sum(-1), 1.0, atol=2e-3)
