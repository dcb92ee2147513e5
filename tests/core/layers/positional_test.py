"""Sinusoidal positional encoding and the positional embedding layer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.layers.positional import PositionalEmbedding, positional_encoding, sinusoidal_encoding

V, D = 11, 8


@pytest.mark.parametrize(("pos", "i"), [(0, 0), (1, 0), (3, 1), (7, 2), (25, 3), (39, 1)])
def test_table_matches_the_formula(pos, i):
    table = positional_encoding(40, D)
    assert table.shape == (40, D)
    assert table.dtype == np.float32
    angle = pos / 10000 ** (2 * i / D)
    assert table[pos, 2 * i] == pytest.approx(math.sin(angle), abs=1e-6)
    assert table[pos, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-6)


def test_position_zero_is_sin_zero_cos_one():
    row = positional_encoding(1, D)[0]
    np.testing.assert_array_equal(row[0::2], 0.0)
    np.testing.assert_array_equal(row[1::2], 1.0)


def test_odd_width_ends_with_a_sine_column():
    table = positional_encoding(5, 5)
    assert table[3, 4] == pytest.approx(math.sin(3 / 10000 ** (4 / 5)), abs=1e-6)


def test_graph_encoding_equals_the_table_at_any_position():
    positions = np.array([0, 1, 5, 39, 120], dtype="int32")  # beyond any fixed table length too
    got = np.asarray(sinusoidal_encoding(positions, D))
    np.testing.assert_allclose(got, positional_encoding(121, D)[positions], atol=2e-5)


def test_layer_is_scaled_embedding_plus_encoding():
    layer = PositionalEmbedding(V, D)
    tokens = np.array([[1, 4, 7], [2, 0, 0]], dtype="int32")
    out = np.asarray(layer(tokens))
    table = np.asarray(layer.embedding.embeddings)
    expected = table[tokens] * math.sqrt(D) + positional_encoding(3, D)[None]
    assert out.shape == (2, 3, D)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_start_position_matches_the_slice_of_a_full_pass():
    layer = PositionalEmbedding(V, D)
    tokens = np.array([[3, 9, 5, 1, 8]], dtype="int32")
    full = np.asarray(layer(tokens))
    for step in range(5):  # one token at a time, as when decoding
        one = np.asarray(layer(tokens[:, step : step + 1], start=step))
        np.testing.assert_allclose(one[:, 0], full[:, step], rtol=1e-6, atol=1e-6)
    tail = np.asarray(layer(tokens[:, 2:], start=2))
    np.testing.assert_allclose(tail, full[:, 2:], rtol=1e-6, atol=1e-6)


def test_get_config_round_trip():
    layer = PositionalEmbedding(V, D, name="pos")
    clone = PositionalEmbedding.from_config(layer.get_config())
    assert (clone.vocab_size, clone.d_model, clone.name) == (V, D, "pos")


@pytest.mark.parametrize(("vocab", "d_model", "bad"), [(0, 4, "0"), (5, -2, "-2")])
def test_rejects_non_positive_sizes(vocab, d_model, bad):
    with pytest.raises(ValueError, match=bad):
        PositionalEmbedding(vocab, d_model)
