"""Sharpness of an attention matrix, the number the Attention-over-training page plots."""

from __future__ import annotations

import math

import numpy as np

from core.data.probes import attention_sharpness


def test_one_hot_rows_are_fully_sharp():
    s = attention_sharpness(np.eye(3))
    assert s == {"peak": 1.0, "focus": 1.0}


def test_uniform_rows_have_no_focus():
    s = attention_sharpness(np.full((2, 4), 0.25))
    assert math.isclose(s["peak"], 0.25)
    assert math.isclose(s["focus"], 0.0, abs_tol=1e-12)


def test_in_between_and_unnormalised_rows():
    s = attention_sharpness([[0.5, 0.5, 0.0, 0.0], [0.4, 0.0, 0.0, 0.0]])  # local-p rows may sum to < 1
    assert math.isclose(s["peak"], 0.45)
    # row 1: entropy log 2 of log 4 -> focus 0.5; row 2 renormalised to one-hot -> 1
    assert math.isclose(s["focus"], 0.75)


def test_edge_cases():
    assert all(math.isnan(v) for v in attention_sharpness(np.zeros((0, 3))).values())
    assert attention_sharpness([[1.0]]) == {"peak": 1.0, "focus": 1.0}
    s = attention_sharpness([[0.0, 0.0]])
    assert s["peak"] == 0.0 and math.isnan(s["focus"])


def test_entropy_of_uniform_and_one_hot_rows():
    from core.data.probes import attention_entropy

    even = attention_entropy(np.full((3, 4), 0.25))
    assert math.isclose(even["entropy"], math.log(4)) and math.isclose(even["uniform"], math.log(4))
    assert attention_entropy(np.eye(3)) == {"entropy": 0.0, "uniform": math.log(3)}
    # rows renormalised, all-zero rows left out: [0.5, 0.5] -> ln 2, [0.4, 0] -> 0
    mixed = attention_entropy([[0.5, 0.5, 0.0], [0.4, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert math.isclose(mixed["entropy"], math.log(2) / 2)
    assert all(math.isnan(v) for v in attention_entropy(np.zeros((0, 3))).values())
