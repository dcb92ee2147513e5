"""Attention rollout against a 2-layer example worked by hand, and Spearman's ρ against known values."""

from __future__ import annotations

import numpy as np
import pytest

from core.attribution.rank import average_ranks, spearman, spearman_rows
from core.attribution.rollout import effective_cross_attention, rollout


def test_rollout_of_a_two_layer_example_by_hand():
    # layer 1: two heads whose mean is [[0.5, 0.5], [0, 1]]
    layer1 = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
    # layer 2: one head per "head" slot, both [[0, 1], [1, 0]]
    layer2 = np.array([[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])
    # Â1 = 0.5 I + 0.5 [[.5, .5], [0, 1]] = [[.75, .25], [0, 1]]
    # Â2 = 0.5 I + 0.5 [[0, 1], [1, 0]]   = [[.5, .5], [.5, .5]]
    # R = Â2 Â1 = [[.375, .625], [.375, .625]]
    r = rollout(np.stack([layer1, layer2]))
    np.testing.assert_allclose(r, [[0.375, 0.625], [0.375, 0.625]])
    cross = np.zeros((2, 2, 1, 2))
    cross[1] = [[[1.0, 0.0]], [[0.0, 1.0]]]  # last layer: mean of heads [0.5, 0.5]
    np.testing.assert_allclose(effective_cross_attention(cross, np.stack([layer1, layer2])), [[0.375, 0.625]])
    # layer 0 of the cross-attention is all zeros: so is its effective attention
    np.testing.assert_allclose(effective_cross_attention(cross, np.stack([layer1, layer2]), layer=0), [[0.0, 0.0]])


def test_rollout_rows_stay_distributions():
    rng = np.random.default_rng(0)
    w = rng.random((3, 4, 5, 5))
    w /= w.sum(-1, keepdims=True)
    np.testing.assert_allclose(rollout(w).sum(-1), 1.0)
    with pytest.raises(ValueError, match="layers, heads"):
        rollout(w[0])


def test_spearman_known_values():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    np.testing.assert_allclose(average_ranks(np.array([0.3, 0.1, 0.3, 0.2])), [3.5, 1.0, 3.5, 2.0])
    # with ties: Pearson correlation of the average ranks, computed by hand
    a, b = [0.3, 0.1, 0.3, 0.2], [1.0, 2.0, 3.0, 4.0]
    ra, rb = np.array([3.5, 1, 3.5, 2]), np.array([1.0, 2, 3, 4])
    assert spearman(a, b) == pytest.approx(np.corrcoef(ra, rb)[0, 1])
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3])) and np.isnan(spearman([1], [2]))
    rows = spearman_rows(np.array([[1, 2, 3], [3, 2, 1]]), np.array([[1, 2, 3], [1, 2, 3]]))
    np.testing.assert_allclose(rows, [1.0, -1.0])
