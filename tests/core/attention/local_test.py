"""Luong local-p attention: predicted centres, a Gaussian window, exact zeros outside it."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.attention import LocalPAttention

B, T, S, D, U, WINDOW = 3, 4, 9, 4, 5, 2


def _inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(B, T, D)).astype("float32")
    value = rng.normal(size=(B, S, D)).astype("float32")
    mask = np.ones((B, S), dtype=bool)
    mask[1, 6:] = False  # 6 real tokens
    mask[2, 1:] = False  # 1 real token
    return query, value, mask


def _layer(score: str = "general", window: int = WINDOW) -> LocalPAttention:
    return LocalPAttention(score, window=window, units=U)


def _softmax(x, mask):
    x = np.where(mask, x, -np.inf)
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("score", ["dot", "general", "concat"])
def test_shapes(score):
    query, value, mask = _inputs()
    context, weights, positions = _layer(score)(query, value, value_mask=mask)
    assert tuple(context.shape) == (B, T, D)
    assert tuple(weights.shape) == (B, T, S)
    assert tuple(positions.shape) == (B, T)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_zero_outside_the_window_and_on_padding(seed):
    query, value, mask = _inputs(seed)
    keras.utils.set_random_seed(seed)
    _, weights, positions = _layer()(query, value, value_mask=mask)
    weights, positions = np.asarray(weights), np.asarray(positions)
    j = np.arange(S)
    outside = np.abs(j[None, None, :] - positions[:, :, None]) > WINDOW  # (B, T, S)
    assert outside.any()  # the test has something to check
    assert np.all(weights[outside] == 0.0)
    padding = np.broadcast_to(~mask[:, None, :], weights.shape)
    assert np.all(weights[padding] == 0.0)
    inside_real = ~outside & ~padding
    assert np.all(weights[inside_real] > 0.0)


def test_positions_lie_within_each_sentence():
    query, value, mask = _inputs()
    lengths = mask.sum(-1)
    for scale in (1.0, 50.0, -50.0):  # ordinary, saturated high, saturated low
        layer = _layer()
        layer(query, value, value_mask=mask)  # build
        layer.v_p.kernel.assign(np.full((U, 1), scale, dtype="float32"))
        _, _, positions = layer(query, value, value_mask=mask)
        positions = np.asarray(positions)
        assert np.all(positions >= 0.0)
        assert np.all(positions <= (lengths - 1)[:, None] + 1e-5)
    np.testing.assert_array_equal(positions[2], 0.0)  # one real token: the centre can only be 0


def test_zero_predictor_gives_the_midpoint():
    query, value, mask = _inputs()
    layer = _layer()
    layer(query, value, value_mask=mask)
    layer.w_p.kernel.assign(np.zeros((D, U), dtype="float32"))  # tanh(0) = 0, sigmoid(0) = 1/2
    _, _, positions = layer(query, value, value_mask=mask)
    np.testing.assert_allclose(np.asarray(positions), 0.5 * (mask.sum(-1) - 1)[:, None].repeat(T, 1), rtol=1e-6)


@pytest.mark.parametrize(("sign", "expected"), [(1.0, "last"), (-1.0, "first")])
def test_saturated_predictor_reaches_the_last_and_the_first_real_token(sign, expected):
    _, value, mask = _inputs()
    query = np.full((B, T, D), 10.0, dtype="float32")  # W_p s = 40 per unit: tanh saturates at 1
    layer = _layer()
    layer(query, value, value_mask=mask)
    layer.w_p.kernel.assign(np.ones((D, U), dtype="float32"))
    layer.v_p.kernel.assign(np.full((U, 1), 50.0 * sign, dtype="float32"))  # sigmoid(±250) = 1 or 0
    _, weights, positions = layer(query, value, value_mask=mask)
    last = (mask.sum(-1) - 1).astype("float32")  # 8, 5, 0
    want = last if expected == "last" else np.zeros_like(last)
    np.testing.assert_allclose(np.asarray(positions), want[:, None].repeat(T, 1), atol=1e-5)
    # the window then sits on the sentence's end (or start): the last real token gets weight, padding none
    weights = np.asarray(weights)
    idx = want.astype(int)
    assert np.all(weights[np.arange(B), :, idx] > 0.0)
    assert np.all(weights[1, :, 6:] == 0.0)


def _reference(query, value, mask, w, w_p, v_p, window, softmax="window"):
    """Independent numpy local-p with the general score: (weights, positions)."""
    scores = np.einsum("btd,de,bse->bts", query, w, value)  # sᵀ W h
    lengths = mask.sum(-1)
    gate = 1.0 / (1.0 + np.exp(-(np.tanh(query @ w_p) @ v_p)[..., 0]))  # (B, T)
    positions = np.maximum(lengths - 1, 0)[:, None] * gate
    j = np.arange(value.shape[1])
    dist = j[None, None, :] - positions[:, :, None]
    in_window = (np.abs(dist) <= window) & mask[:, None, :]
    span = in_window if softmax == "window" else np.broadcast_to(mask[:, None, :], dist.shape)
    align = _softmax(scores, span)
    gauss = np.exp(-(dist**2) / (2 * (window / 2) ** 2))
    return np.where(in_window, align * gauss, 0.0), positions, align, in_window


def _set_random_weights(layer, seed):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(D, D)).astype("float32")
    w_p = rng.normal(size=(D, U)).astype("float32")
    v_p = rng.normal(size=(U, 1)).astype("float32") * 2.0
    layer.scorer.w.assign(w)
    layer.w_p.kernel.assign(w_p)
    layer.v_p.kernel.assign(v_p)
    return w, w_p, v_p


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_numpy_reference_softmax_over_the_window(seed):
    """As published: the alignment softmax runs over the window only, then the Gaussian."""
    query, value, mask = _inputs(seed)
    layer = _layer()
    layer(query, value, value_mask=mask)  # build
    w, w_p, v_p = _set_random_weights(layer, seed + 10)
    context, weights, positions = layer(query, value, value_mask=mask)
    expected, p, align, in_window = _reference(query, value, mask, w, w_p, v_p, WINDOW)
    np.testing.assert_allclose(np.asarray(positions), p, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(weights), expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(context), np.einsum("bts,bsd->btd", expected, value), rtol=1e-4, atol=1e-5)
    # the alignment (before the Gaussian) is a distribution over the window: it sums to 1
    np.testing.assert_allclose(align.sum(-1), 1.0, rtol=1e-6)
    assert in_window.sum(-1).min() >= 1
    # the Gaussian still thins each row: rows sum to at most 1, and some clearly less
    sums = np.asarray(weights).sum(-1)
    assert np.all(sums <= 1.0 + 1e-5)
    assert np.any(sums < 0.99)


def test_mass_outside_the_window_is_not_lost():
    """A score peak outside the window must not starve the window (the earlier variant loses it)."""
    query = np.ones((1, 1, 2), dtype="float32")
    value = np.zeros((1, 12, 2), dtype="float32")
    value[0, 11] = [5.0, 5.0]  # far outside the window around p = 0, and the highest score
    mask = np.ones((1, 12), dtype=bool)
    weights = {}
    for softmax in ("window", "source"):
        layer = LocalPAttention("dot", window=2, units=2, softmax=softmax)
        layer(query, value, value_mask=mask)
        layer.v_p.kernel.assign(np.full((2, 1), -50.0, dtype="float32"))
        layer.w_p.kernel.assign(np.ones((2, 2), dtype="float32"))  # p = 0
        weights[softmax] = np.asarray(layer(query, value, value_mask=mask)[1])[0, 0]
    gauss = np.exp(-(np.arange(3) ** 2) / 2.0)
    np.testing.assert_allclose(weights["window"][:3], gauss / 3.0, rtol=1e-5)  # uniform scores inside
    assert weights["source"][:3].sum() < 1e-3  # the whole-source softmax put its mass on position 11
    np.testing.assert_array_equal(weights["window"][3:], 0.0)


@pytest.mark.parametrize("seed", [0, 1])
def test_source_variant_matches_numpy_reference(seed):
    """``softmax="source"``: the earlier variant, softmax over the whole real source, then window × Gaussian."""
    query, value, mask = _inputs(seed)
    layer = LocalPAttention("general", window=WINDOW, units=U, softmax="source")
    layer(query, value, value_mask=mask)
    w, w_p, v_p = _set_random_weights(layer, seed + 20)
    _, weights, _ = layer(query, value, value_mask=mask)
    expected, *_ = _reference(query, value, mask, w, w_p, v_p, WINDOW, softmax="source")
    np.testing.assert_allclose(np.asarray(weights), expected, rtol=1e-4, atol=1e-6)


def test_matches_hand_computation():
    # one sentence of 5 real tokens + 1 padding, one target step, general score, D = 2 (σ = 1)
    query = np.array([[[1.0, -0.5]]], dtype="float32")  # (1, 1, 2)
    value = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5], [0.5, -1.0], [9.0, 9.0]]], dtype="float32")
    mask = np.array([[True] * 5 + [False]])
    w = np.array([[0.5, -1.0], [2.0, 0.25]], dtype="float32")
    w_p = np.array([[0.3, -0.2], [0.1, 0.4]], dtype="float32")
    v_p = np.array([[1.2], [-0.8]], dtype="float32")
    layer = LocalPAttention("general", window=2, units=2)
    layer(query, value, value_mask=mask)  # build
    layer.scorer.w.assign(w)
    layer.w_p.kernel.assign(w_p)
    layer.v_p.kernel.assign(v_p)
    context, weights, positions = layer(query, value, value_mask=mask)

    s, h = query[0, 0], value[0]
    p = (5 - 1) / (1 + np.exp(-(np.tanh(s @ w_p) @ v_p)[0]))  # S_eff · sigmoid(v_pᵀ tanh(W_p s))
    j = np.arange(6)
    window = (np.abs(j - p) <= 2) & mask[0]
    assert 0 < window.sum() < 5  # the window cuts real tokens off, so the two softmax spans differ
    align = _softmax(s @ w @ h.T, window)  # softmax over the window only
    gauss = np.exp(-((j - p) ** 2) / (2 * 1.0**2))
    expected = np.where(window, align * gauss, 0.0)
    np.testing.assert_allclose(np.asarray(positions)[0, 0], p, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(weights)[0, 0], expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.asarray(context)[0, 0], expected @ h, rtol=1e-5, atol=1e-6)


def test_padding_values_do_not_change_the_result():
    query, value, mask = _inputs()
    layer = _layer()
    out = layer(query, value, value_mask=mask)
    changed = value.copy()
    changed[1, 6:] = 1e3
    out2 = layer(query, changed, value_mask=mask)
    for a, b in zip(out, out2, strict=True):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-6)


def test_without_mask_the_whole_source_is_real():
    query, value, _ = _inputs()
    layer = _layer()
    a = layer(query, value)
    b = layer(query, value, value_mask=np.ones((B, S), dtype=bool))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-6)
    assert np.all(np.asarray(a[2]) <= S - 1)


def test_runs_in_graph_mode_with_unknown_lengths():
    query, value, mask = _inputs()
    layer = _layer()
    eager = layer(query, value, value_mask=mask)

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, D], tf.float32),
            tf.TensorSpec([None, None, D], tf.float32),
            tf.TensorSpec([None, None], tf.bool),
        ]
    )
    def run(q, v, m):
        return layer(q, v, value_mask=m)

    for a, b in zip(eager, run(query, value, mask), strict=True):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="window .* must be a positive integer, got 0"):
        LocalPAttention("general", window=0, units=4)
    with pytest.raises(ValueError, match="'cosine' is not one of"):
        LocalPAttention("cosine", window=2, units=4)
    with pytest.raises(ValueError, match="units must be a positive integer"):
        LocalPAttention("general", window=2, units=0)
    with pytest.raises(ValueError, match="softmax 'all' is not one of"):
        LocalPAttention("general", window=2, units=4, softmax="all")


def test_get_config_round_trip():
    query, value, mask = _inputs()
    layer = LocalPAttention("concat", window=3, units=U, softmax="source")
    out = layer(query, value, value_mask=mask)
    config = layer.get_config()
    assert (config["score"], config["window"], config["units"], config["softmax"]) == ("concat", 3, U, "source")
    clone = LocalPAttention.from_config(config)
    clone(query, value, value_mask=mask)  # build
    clone.set_weights(layer.get_weights())
    for a, b in zip(out, clone(query, value, value_mask=mask), strict=True):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a))
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(revived, LocalPAttention) and revived.window == 3
