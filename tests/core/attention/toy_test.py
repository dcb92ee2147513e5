"""Toy NumPy attention: a hand-computed case, softmax rows, the causal mask, readable errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.attention.toy import as_matrix, causal_mask, softmax, toy_attention


def test_hand_computed_case():
    # d = 1, so √d = 1: scores are [ln 3, 0], weights [3/4, 1/4], output 3/4·[4, 0] + 1/4·[0, 8]
    r = toy_attention([[math.log(3.0)]], [[1.0], [0.0]], [[4.0, 0.0], [0.0, 8.0]])
    np.testing.assert_allclose(r.scores, [[math.log(3.0), 0.0]])
    np.testing.assert_allclose(r.weights, [[0.75, 0.25]])
    np.testing.assert_allclose(r.output, [[3.0, 2.0]])
    assert r.mask.all()


def test_scores_are_scaled_by_sqrt_d():
    r = toy_attention([[2.0, 0.0, 0.0, 0.0]], [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]], [[1.0], [0.0]])
    np.testing.assert_allclose(r.scores, [[1.0, 0.0]])  # 2 / √4
    np.testing.assert_allclose(r.output, [[math.e / (math.e + 1.0)]])


def test_weights_rows_sum_to_one():
    rng = np.random.default_rng(0)
    r = toy_attention(rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))
    assert r.weights.shape == (3, 4) and r.output.shape == (3, 2)
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0)
    assert (r.weights > 0).all()


def test_causal_mask_zeros_later_keys():
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    r = toy_attention(q, k, v, causal=True)
    # 3 queries are the last 3 of 4 positions: query i sees keys 0 .. i + 1
    expected = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]], dtype=bool)
    np.testing.assert_array_equal(r.mask, expected)
    assert (r.weights[~expected] == 0.0).all()
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0)
    np.testing.assert_allclose(r.output, r.weights @ v)
    np.testing.assert_array_equal(causal_mask(3), np.tril(np.ones((3, 3), dtype=bool)))


def test_fully_masked_row_is_zero_not_nan():
    w = softmax(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[True, False], [False, False]]))
    np.testing.assert_array_equal(w, [[1.0, 0.0], [0.0, 0.0]])


def test_large_scores_are_stable():
    w = softmax(np.array([[1000.0, 0.0]]))
    np.testing.assert_allclose(w, [[1.0, 0.0]])


def test_matches_the_models_scaled_dot_product():
    from keras import ops

    from core.attention.multi_head import causal_mask as model_causal_mask
    from core.attention.multi_head import scaled_dot_product_attention

    rng = np.random.default_rng(2)
    q, k, v = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 3))
    for causal in (False, True):
        mask = model_causal_mask(3, 4) if causal else None
        out, weights = scaled_dot_product_attention(*(ops.convert_to_tensor(m, "float32") for m in (q, k, v)), mask)
        r = toy_attention(q, k, v, causal=causal)
        np.testing.assert_allclose(r.weights, ops.convert_to_numpy(weights), atol=1e-5)
        np.testing.assert_allclose(r.output, ops.convert_to_numpy(out), atol=1e-5)


@pytest.mark.parametrize(
    ("q", "k", "v", "message"),
    [
        ([[1.0, 2.0]], [[1.0]], [[1.0]], "same number of columns"),
        ([[1.0]], [[1.0], [2.0]], [[1.0]], "same number of rows"),
        ([[1e200]], [[1e200]], [[1.0]], "overflow"),
        ([[np.nan]], [[1.0]], [[1.0]], "Q holds"),
        ([], [[1.0]], [[1.0]], "non-empty"),
    ],
)
def test_bad_inputs_raise_readable_errors(q, k, v, message):
    with pytest.raises(ValueError, match=message):
        toy_attention(q, k, v)


def test_as_matrix_reads_tables_and_names_bad_cells():
    frame = pd.DataFrame({"d1": [1, 2.5], "d2": ["3", 4]}, index=["q1", "q2"])
    np.testing.assert_array_equal(as_matrix(frame, "Q"), [[1.0, 3.0], [2.5, 4.0]])
    with pytest.raises(ValueError, match=r"Q, row q2, column d1 is empty"):
        as_matrix(pd.DataFrame({"d1": [1.0, None]}, index=["q1", "q2"]), "Q")
    with pytest.raises(ValueError, match=r"K, row 1, column 2: 'abc' is not a number"):
        as_matrix([[1.0, "abc"]], "K")
    with pytest.raises(ValueError, match="not a finite number"):
        as_matrix([[float("inf")]], "V")
    with pytest.raises(ValueError, match="is empty"):
        as_matrix([[" "]], "V")
    with pytest.raises(ValueError, match="is not a number"):
        as_matrix([[True]], "V")
