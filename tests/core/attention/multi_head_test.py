"""Scaled dot-product and multi-head attention: equations, masks, and the decoding cache."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from core.attention.multi_head import MultiHeadAttention, causal_mask, scaled_dot_product_attention

B, T, S, H, D = 2, 4, 5, 2, 8


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _inputs(seed=0):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(B, T, D)).astype("float32")
    value = rng.normal(size=(B, S, D)).astype("float32")
    key_mask = np.ones((B, S), dtype=bool)
    key_mask[1, 2:] = False  # second sentence: 2 real tokens, 3 padding
    return query, value, key_mask


# -- scaled dot-product ---------------------------------------------------------------------
def test_scaled_dot_product_matches_hand_computation():
    q = np.array([[[1.0, 0.0], [1.0, 2.0]]], dtype="float32")  # (1, 2, d_k=2)
    k = np.array([[[1.0, 1.0], [0.0, 2.0], [-1.0, 0.0]]], dtype="float32")  # (1, 3, 2)
    v = np.array([[[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]], dtype="float32")  # (1, 3, 2)
    out, weights = scaled_dot_product_attention(q, k, v)
    # QKᵀ = [[1, 0, -1], [3, 4, -1]], divided by √2
    scores = np.array([[1.0, 0.0, -1.0], [3.0, 4.0, -1.0]]) / np.sqrt(2.0)
    expected_w = _softmax(scores)
    np.testing.assert_allclose(np.asarray(weights)[0], expected_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out)[0], expected_w @ v[0], rtol=1e-5, atol=1e-6)
    assert float(np.asarray(weights)[0, 0, 0]) == pytest.approx(
        np.exp(1 / np.sqrt(2)) / (np.exp(1 / np.sqrt(2)) + 1 + np.exp(-1 / np.sqrt(2))), rel=1e-5
    )


def test_scaled_dot_product_mask_gives_exact_zeros():
    rng = np.random.default_rng(3)
    q, k, v = (rng.normal(size=(2, 3, 4)).astype("float32") for _ in range(3))
    mask = np.array([[[True, False, True]], [[False, False, True]]])  # (2, 1, 3)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    weights = np.asarray(weights)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    assert np.all(weights[0, :, 1] == 0.0)
    np.testing.assert_allclose(weights[1, :, 2], 1.0, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out)[1], np.repeat(v[1, 2:3], 3, axis=0), rtol=1e-6)


def test_causal_mask():
    np.testing.assert_array_equal(np.asarray(causal_mask(3)), np.tril(np.ones((3, 3), bool)))
    # the last 2 queries of 4 positions see up to themselves
    np.testing.assert_array_equal(np.asarray(causal_mask(2, 4)), [[True, True, True, False], [True, True, True, True]])


# -- the layer ------------------------------------------------------------------------------
def test_shapes_and_weights_sum_to_one():
    query, value, key_mask = _inputs()
    out, weights = MultiHeadAttention(H, D)(query, value, key_mask=key_mask)
    assert tuple(out.shape) == (B, T, D)
    assert tuple(weights.shape) == (B, H, T, S)
    np.testing.assert_allclose(np.asarray(weights).sum(-1), 1.0, atol=1e-6)


def test_padding_keys_get_zero_weight_and_do_not_change_the_output():
    query, value, key_mask = _inputs()
    layer = MultiHeadAttention(H, D)
    out, weights = layer(query, value, key_mask=key_mask)
    weights = np.asarray(weights)
    assert np.all(weights[1, :, :, 2:] == 0.0)
    assert np.all(weights[1, :, :, :2] > 0.0)
    changed = value.copy()
    changed[1, 2:] = 1e3
    out2, _ = layer(query, changed, key_mask=key_mask)
    np.testing.assert_allclose(np.asarray(out2), np.asarray(out), rtol=1e-5, atol=1e-5)


def test_causal_self_attention_never_looks_ahead():
    query, _, _ = _inputs(1)
    layer = MultiHeadAttention(H, D)
    out, weights = layer(query, causal=True)
    weights = np.asarray(weights)  # (B, H, T, T)
    assert weights.shape == (B, H, T, T)
    upper = np.triu(np.ones((T, T), bool), k=1)
    assert np.all(weights[..., upper] == 0.0)
    np.testing.assert_allclose(weights[..., 0, 0], 1.0, atol=1e-6)  # the first position sees only itself
    # changing a later position leaves every earlier output alone
    changed = query.copy()
    changed[:, 2:] += 5.0
    out2, _ = layer(changed, causal=True)
    np.testing.assert_allclose(np.asarray(out2)[:, :2], np.asarray(out)[:, :2], rtol=1e-5, atol=1e-5)


def test_matches_per_head_numpy_computation():
    query, value, key_mask = _inputs(2)
    layer = MultiHeadAttention(H, D)
    out, weights = layer(query, value, key_mask=key_mask)

    def dense(x, sub):
        return x @ np.asarray(sub.kernel) + np.asarray(sub.bias)

    dh = D // H
    q, k, v = dense(query, layer.w_query), dense(value, layer.w_key), dense(value, layer.w_value)
    heads, expected_w = [], np.zeros((B, H, T, S))
    for b in range(B):
        real = key_mask[b]
        per_head = []
        for h in range(H):
            cols = slice(h * dh, (h + 1) * dh)
            scores = q[b, :, cols] @ k[b][real][:, cols].T / np.sqrt(dh)  # (T, real keys)
            w = _softmax(scores)
            expected_w[b, h][:, real] = w
            per_head.append(w @ v[b][real][:, cols])
        heads.append(np.concatenate(per_head, axis=-1))
    expected_out = dense(np.stack(heads), layer.w_output)
    np.testing.assert_allclose(np.asarray(weights), expected_w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out), expected_out, rtol=1e-4, atol=1e-5)


def test_projected_key_value_is_reused():
    query, value, key_mask = _inputs(3)
    layer = MultiHeadAttention(H, D)
    out, weights = layer(query, value, key_mask=key_mask)
    k, v = layer.project_key_value(value)
    assert tuple(k.shape) == tuple(v.shape) == (B, H, S, D // H)
    out2, weights2 = layer(query, key_value=(k, v), key_mask=key_mask)
    np.testing.assert_allclose(np.asarray(out2), np.asarray(out), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(weights2), np.asarray(weights), rtol=1e-6, atol=1e-6)


def test_cached_steps_equal_full_causal_attention():
    query, _, _ = _inputs(4)
    layer = MultiHeadAttention(H, D)
    full_out, full_w = layer(query, causal=True)
    max_len = T + 3  # the cache is longer than the sequence
    key_cache, value_cache = layer.init_cache(B, max_len)
    assert tuple(key_cache.shape) == (B, H, max_len, D // H)
    for step in range(T):
        out, w, key_cache, value_cache = layer.call_cached(query[:, step : step + 1], step, key_cache, value_cache)
        w = np.asarray(w)
        assert tuple(out.shape) == (B, 1, D)
        assert w.shape == (B, H, 1, max_len)
        assert tuple(key_cache.shape) == (B, H, max_len, D // H)
        assert np.all(w[..., step + 1 :] == 0.0)
        np.testing.assert_allclose(
            w[:, :, 0, : step + 1], np.asarray(full_w)[:, :, step, : step + 1], rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(np.asarray(out)[:, 0], np.asarray(full_out)[:, step], rtol=1e-5, atol=1e-5)
    assert np.all(np.asarray(key_cache)[:, :, T:] == 0.0)  # rows never written stay empty


def test_cached_steps_run_in_a_tf_function_loop():
    query, _, _ = _inputs(5)
    layer = MultiHeadAttention(H, D)
    full_out, _ = layer(query, causal=True)

    @tf.function
    def run(x):
        key_cache, value_cache = layer.init_cache(tf.shape(x)[0], T)
        outs = tf.TensorArray(tf.float32, size=T)
        for step in tf.range(T):
            out, _, key_cache, value_cache = layer.call_cached(x[:, step : step + 1], step, key_cache, value_cache)
            outs = outs.write(step, out[:, 0])
        return tf.transpose(outs.stack(), [1, 0, 2])

    np.testing.assert_allclose(run(tf.constant(query)).numpy(), np.asarray(full_out), rtol=1e-5, atol=1e-5)


def test_get_config_round_trip():
    layer = MultiHeadAttention(4, 12, name="mha")
    clone = MultiHeadAttention.from_config(layer.get_config())
    assert (clone.num_heads, clone.d_model, clone.d_head, clone.name) == (4, 12, 3, "mha")


@pytest.mark.parametrize(("heads", "d_model", "message"), [(3, 8, "8 is not divisible by num_heads 3"), (0, 8, "0")])
def test_rejects_bad_sizes(heads, d_model, message):
    with pytest.raises(ValueError, match=message):
        MultiHeadAttention(heads, d_model)


@pytest.mark.parametrize("seed", [0, 1])
def test_causal_and_padding_masks_together_match_numpy(seed):
    """Decoder self-attention over a padded batch: key j is seen by query i iff j <= i and j is real."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, S, D)).astype("float32")
    key_mask = np.ones((B, S), dtype=bool)
    key_mask[0, 4:] = False  # 4 real tokens
    key_mask[1, 2:] = False  # 2 real tokens
    layer = MultiHeadAttention(H, D)
    out, weights = layer(x, key_mask=key_mask, causal=True)

    def dense(a, sub):
        return a @ np.asarray(sub.kernel) + np.asarray(sub.bias)

    dh = D // H
    q, k, v = dense(x, layer.w_query), dense(x, layer.w_key), dense(x, layer.w_value)
    allowed = np.tril(np.ones((S, S), dtype=bool))[None] & key_mask[:, None, :]  # (B, S, S)
    expected_w = np.zeros((B, H, S, S))
    heads = np.zeros((B, S, D))
    for b in range(B):
        for h in range(H):
            cols = slice(h * dh, (h + 1) * dh)
            scores = q[b, :, cols] @ k[b, :, cols].T / np.sqrt(dh)  # (S, S)
            scores = np.where(allowed[b], scores, -np.inf)
            w = _softmax(scores)
            expected_w[b, h] = w
            heads[b, :, cols] = w @ v[b, :, cols]
    expected_out = dense(heads, layer.w_output)
    np.testing.assert_allclose(np.asarray(weights), expected_w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out), expected_out, rtol=1e-4, atol=1e-5)
    # both masks act: no weight ahead of the query nor on padding, and real rows sum to 1
    assert np.all(np.asarray(weights)[~np.broadcast_to(allowed[:, None], expected_w.shape)] == 0.0)
    np.testing.assert_allclose(np.asarray(weights).sum(-1), 1.0, rtol=1e-5)
