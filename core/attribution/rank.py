"""Spearman rank correlation in numpy: does attention rank the source words as an attribution does?

.. math::
    \\rho = \\mathrm{corr}(\\mathrm{rank}(a), \\mathrm{rank}(b))

the Pearson correlation of the ranks, ties sharing their average rank.
"""

from __future__ import annotations

import numpy as np


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``x`` (n,), ties given the mean of the ranks they span."""
    x = np.asarray(x, dtype="float64")
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype="float64")
    sorted_x = x[order]
    start = 0
    while start < len(x):
        end = start
        while end + 1 < len(x) and sorted_x[end + 1] == sorted_x[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return ranks


def spearman(a, b) -> float:
    """Spearman's ρ of two equal-length vectors; NaN when either is constant or shorter than 2."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"spearman needs two vectors of one length, got {a.shape} and {b.shape}")
    if len(a) < 2:
        return float("nan")
    ra, rb = average_ranks(a) - (len(a) + 1) / 2.0, average_ranks(b) - (len(b) + 1) / 2.0
    denom = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


def spearman_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ρ of each row pair of two (T, S) matrices: (T,), NaN where undefined."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"spearman_rows needs two matrices of one shape, got {a.shape} and {b.shape}")
    return np.array([spearman(x, y) for x, y in zip(a, b, strict=True)], dtype="float64")
