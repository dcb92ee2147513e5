"""Luong global attention: the dot, general and concat scores."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.attention import LuongAttention

B, T, S, D, U = 2, 3, 5, 4, 6  # batch, target steps, source positions, query = value size, concat units
SCORES = ("dot", "general", "concat")


def _inputs(seed: int = 0, value_dim: int = D):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(B, T, D)).astype("float32")
    value = rng.normal(size=(B, S, value_dim)).astype("float32")
    mask = np.ones((B, S), dtype=bool)
    mask[1, 3:] = False  # second sentence has 3 real tokens, 2 padding
    return query, value, mask


def _layer(score: str) -> LuongAttention:
    return LuongAttention(score, units=U if score == "concat" else None)


def _softmax(x, mask):
    x = np.where(mask, x, -np.inf)
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("score", SCORES)
def test_shapes_and_variables(score):
    query, value, mask = _inputs()
    layer = _layer(score)
    context, weights = layer(query, value, value_mask=mask)
    assert tuple(context.shape) == (B, T, D)
    assert tuple(weights.shape) == (B, T, S)
    expected = {"dot": [], "general": [(D, D)], "concat": [(2 * D, U), (U,)]}[score]
    assert [tuple(w.shape) for w in layer.weights] == expected


@pytest.mark.parametrize("score", SCORES)
def test_weights_sum_to_one_and_are_zero_on_padding(score):
    query, value, mask = _inputs()
    _, weights = _layer(score)(query, value, value_mask=mask)
    weights = np.asarray(weights)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    assert np.all(weights[1, :, 3:] == 0.0)  # exactly zero, not just small
    assert np.all(weights[1, :, :3] > 0.0)


@pytest.mark.parametrize("score", SCORES)
def test_precomputed_keys_give_the_same_result(score):
    query, value, mask = _inputs()
    layer = _layer(score)
    context, weights = layer(query, value, value_mask=mask)
    keys = layer.project_keys(value)
    context2, weights2 = layer(query, value, value_mask=mask, keys=keys)
    np.testing.assert_allclose(np.asarray(context2), np.asarray(context), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(weights2), np.asarray(weights), rtol=1e-6, atol=1e-6)


# one sentence, 2 target steps, 3 source positions (last one padding), query and value size 2
QUERY = np.array([[[1.0, 0.0], [0.5, -1.0]]], dtype="float32")  # (1, 2, 2)
VALUE = np.array([[[1.0, 2.0], [0.0, -1.0], [3.0, 3.0]]], dtype="float32")  # (1, 3, 2)
MASK = np.array([[True, True, False]])


def _check(layer, scores):
    """The layer's output equals softmax(scores) over the real positions and its weighted sum of values."""
    context, weights = layer(QUERY, VALUE, value_mask=MASK)
    expected = _softmax(scores, MASK[0])  # (2, 3)
    np.testing.assert_allclose(np.asarray(weights)[0], expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.asarray(context)[0], expected @ VALUE[0], rtol=1e-5, atol=1e-6)


def test_dot_matches_hand_computation():
    # sᵀh: step 1 (1, 0)·h = 1, 0; step 2 (0.5, -1)·h = -1.5, 1
    scores = np.array([[1.0, 0.0, 3.0], [-1.5, 1.0, -1.5]])
    np.testing.assert_allclose(scores[:, :2], (QUERY[0] @ VALUE[0].T)[:, :2])
    _check(LuongAttention("dot"), scores)


def test_general_matches_hand_computation():
    w = np.array([[0.5, -1.0], [2.0, 0.25]], dtype="float32")  # (query_dim, value_dim)
    layer = LuongAttention("general")
    layer(QUERY, VALUE, value_mask=MASK)  # build
    layer.w.assign(w)
    # sᵀ W h, written out: step 1 sᵀW = (0.5, -1.0); step 2 sᵀW = (0.25 - 2, -0.5 - 0.25) = (-1.75, -0.75)
    scores = np.array(
        [[0.5 * 1 - 1.0 * 2, 0.5 * 0 - 1.0 * -1, 0.0], [-1.75 * 1 - 0.75 * 2, -1.75 * 0 - 0.75 * -1, 0.0]]
    )
    np.testing.assert_allclose(scores[:, :2], (QUERY[0] @ w @ VALUE[0].T)[:, :2], rtol=1e-6)
    _check(layer, scores)


def test_concat_matches_hand_computation():
    w = np.array([[0.5, -0.2], [0.1, 0.3], [0.2, 0.4], [-0.3, 0.1]], dtype="float32")  # rows: s (2), h (2)
    v = np.array([1.5, -0.7], dtype="float32")
    layer = LuongAttention("concat", units=2)
    layer(QUERY, VALUE, value_mask=MASK)  # build
    layer.w.assign(w)
    layer.v.assign(v)
    scores = np.zeros((2, 3))
    for t in range(2):
        for j in range(3):
            scores[t, j] = v @ np.tanh(np.concatenate([QUERY[0, t], VALUE[0, j]]) @ w)  # vᵀ tanh(W [s; h])
    _check(layer, scores)


def test_dot_size_mismatch_names_both_sizes():
    query, value, mask = _inputs(value_dim=7)  # query size 4, value size 7
    with pytest.raises(ValueError, match=r"query_dim 4 and value_dim 7"):
        LuongAttention("dot")(query, value, value_mask=mask)


def test_general_and_concat_accept_different_sizes():
    query, value, mask = _inputs(value_dim=7)
    for score in ("general", "concat"):
        context, weights = _layer(score)(query, value, value_mask=mask)
        assert tuple(context.shape) == (B, T, 7)
        assert tuple(weights.shape) == (B, T, S)


def test_bad_arguments():
    with pytest.raises(ValueError, match="'cosine' is not one of"):
        LuongAttention("cosine")
    with pytest.raises(ValueError, match="concat score needs units"):
        LuongAttention("concat")
    with pytest.raises(ValueError, match="units must be a positive integer"):
        LuongAttention("general", units=0)


@pytest.mark.parametrize("score", SCORES)
def test_get_config_round_trip(score):
    query, value, mask = _inputs()
    layer = _layer(score)
    context, weights = layer(query, value, value_mask=mask)
    config = layer.get_config()
    assert config["score"] == score
    assert config["units"] == (U if score == "concat" else None)
    clone = LuongAttention.from_config(config)
    clone(query, value, value_mask=mask)  # build
    clone.set_weights(layer.get_weights())
    context2, weights2 = clone(query, value, value_mask=mask)
    np.testing.assert_array_equal(np.asarray(weights2), np.asarray(weights))
    np.testing.assert_array_equal(np.asarray(context2), np.asarray(context))
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(revived, LuongAttention) and revived.score == score


@pytest.mark.parametrize("score", SCORES)
def test_returns_attention_and_stores_none(score):
    query, value, mask = _inputs()
    layer = _layer(score)
    layer(query, value, value_mask=mask)
    held = [k for k, v in vars(layer).items() if tuple(getattr(v, "shape", ())) in ((B, T, S), (B, T, D))]
    assert held == []
