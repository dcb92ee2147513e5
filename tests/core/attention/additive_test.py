"""Additive (Bahdanau) attention and the masked softmax it uses."""

from __future__ import annotations

import numpy as np
import pytest

from core.attention import AdditiveAttention, masked_softmax

B, T, S, QD, VD, U = 2, 3, 5, 4, 6, 7


def _inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(B, T, QD)).astype("float32")
    value = rng.normal(size=(B, S, VD)).astype("float32")
    mask = np.ones((B, S), dtype=bool)
    mask[1, 3:] = False  # second sentence has 3 real tokens, 2 padding
    return query, value, mask


def test_shapes():
    query, value, mask = _inputs()
    layer = AdditiveAttention(U)
    context, weights = layer(query, value, value_mask=mask)
    assert tuple(context.shape) == (B, T, VD)
    assert tuple(weights.shape) == (B, T, S)


def test_weights_sum_to_one_and_are_zero_on_padding():
    query, value, mask = _inputs()
    _, weights = AdditiveAttention(U)(query, value, value_mask=mask)
    weights = np.asarray(weights)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    assert np.all(weights[1, :, 3:] == 0.0)  # exactly zero, not just small
    assert np.all(weights[1, :, :3] > 0.0)
    assert np.all(weights >= 0.0)


def test_without_mask_every_position_gets_weight():
    query, value, _ = _inputs()
    _, weights = AdditiveAttention(U)(query, value)
    weights = np.asarray(weights)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    assert np.all(weights > 0.0)


def test_padding_values_do_not_change_the_context():
    query, value, mask = _inputs()
    layer = AdditiveAttention(U)
    context, weights = layer(query, value, value_mask=mask)
    changed = value.copy()
    changed[1, 3:] = 1e3  # garbage in the padded positions
    context2, weights2 = layer(query, changed, value_mask=mask)
    np.testing.assert_allclose(np.asarray(context2), np.asarray(context), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(weights2), np.asarray(weights), rtol=1e-5, atol=1e-6)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_matches_hand_computation():
    # one sentence, 2 target steps, 3 source positions (last one padding), 2 attention units
    query = np.array([[[1.0, 0.0], [0.5, -1.0]]], dtype="float32")  # (1, 2, 2)
    value = np.array([[[1.0, 2.0, 0.0], [0.0, -1.0, 1.0], [3.0, 3.0, 3.0]]], dtype="float32")  # (1, 3, 3)
    mask = np.array([[True, True, False]])
    w1 = np.array([[0.5, -0.2], [0.1, 0.3]], dtype="float32")  # (query_dim, units)
    w2 = np.array([[0.2, 0.4], [-0.3, 0.1], [0.6, -0.5]], dtype="float32")  # (value_dim, units)
    v = np.array([[1.5], [-0.7]], dtype="float32")  # (units, 1)

    layer = AdditiveAttention(2)
    layer(query, value, value_mask=mask)  # build
    layer.w_query.kernel.assign(w1)
    layer.w_key.kernel.assign(w2)
    layer.v.kernel.assign(v)
    context, weights = layer(query, value, value_mask=mask)

    q, h = query[0], value[0]  # (2, 2), (3, 3)
    scores = np.array([[float(v[:, 0] @ np.tanh(w1.T @ q[t] + w2.T @ h[j])) for j in range(3)] for t in range(2)])
    expected = np.zeros((2, 3))
    expected[:, :2] = _softmax(scores[:, :2])
    np.testing.assert_allclose(np.asarray(weights)[0], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(context)[0], expected @ h, rtol=1e-5, atol=1e-6)


def test_set_weights_order_matches_w1_w2_v():
    layer = AdditiveAttention(U)
    query, value, _ = _inputs()
    layer(query, value)
    shapes = [w.shape for w in layer.get_weights()]
    assert shapes == [(QD, U), (VD, U), (U, 1)]


def test_precomputed_keys_give_the_same_result():
    query, value, mask = _inputs(1)
    layer = AdditiveAttention(U)
    context, weights = layer(query, value, value_mask=mask)
    keys = layer.project_keys(value)
    assert tuple(keys.shape) == (B, S, U)
    context2, weights2 = layer(query, value, value_mask=mask, keys=keys)
    np.testing.assert_allclose(np.asarray(context2), np.asarray(context), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(weights2), np.asarray(weights), rtol=1e-6, atol=1e-6)


def test_get_config_round_trip():
    layer = AdditiveAttention(11, name="att")
    config = layer.get_config()
    assert config["units"] == 11
    clone = AdditiveAttention.from_config(config)
    assert clone.units == 11
    assert clone.name == "att"


@pytest.mark.parametrize("units", [0, -3])
def test_rejects_non_positive_units(units):
    with pytest.raises(ValueError, match=str(units)):
        AdditiveAttention(units)


def test_masked_softmax_all_masked_row_is_zero_not_nan():
    scores = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")
    mask = np.array([[True, False, True], [False, False, False]])
    weights = np.asarray(masked_softmax(scores, mask))
    assert not np.isnan(weights).any()
    np.testing.assert_array_equal(weights[1], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(weights[0], [_softmax(np.array([1.0, 3.0]))[0], 0.0, _softmax(np.array([1.0, 3.0]))[1]])


def test_masked_softmax_without_mask_is_softmax():
    scores = np.array([[0.0, 1.0, -2.0]], dtype="float32")
    np.testing.assert_allclose(np.asarray(masked_softmax(scores)), _softmax(scores), rtol=1e-6)


def test_masked_softmax_broadcasts_mask_and_survives_huge_scores():
    scores = np.array([[[1e4, -1e4, 0.0], [0.0, 0.0, 0.0]]], dtype="float32")  # (1, 2, 3)
    mask = np.array([[[False, True, True]]])  # (1, 1, 3), broadcast over the 2 rows
    weights = np.asarray(masked_softmax(scores, mask))
    assert not np.isnan(weights).any()
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    assert np.all(weights[..., 0] == 0.0)
