"""Scaled dot-product attention on small NumPy matrices, step by step, for teaching.

.. math::
    S = \\frac{QK^\\top}{\\sqrt{d}}, \\quad
    A = \\mathrm{softmax}_{\\text{row}}(S), \\quad
    O = A V

The same computation as :func:`core.attention.multi_head.scaled_dot_product_attention`,
with every intermediate kept: the scores ``S``, the mask, the weights ``A`` and the output
``O``. Masked cells get exactly zero weight, and a row with no visible key gets all zeros
(as :func:`core.attention.masking.masked_softmax` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ToyAttention:
    """Every step of ``softmax(QKᵀ/√d) V`` for ``n_q`` queries over ``n_k`` keys."""

    scores: np.ndarray  # (n_q, n_k) QKᵀ/√d, before masking
    mask: np.ndarray  # (n_q, n_k) bool, True = the query may attend to the key
    weights: np.ndarray  # (n_q, n_k) softmax of the visible scores; zero where masked
    output: np.ndarray  # (n_q, d_v) weights @ V


def as_matrix(
    values,
    name: str,
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
) -> np.ndarray:
    """``values`` (a 2-D table: list of rows, array or DataFrame) as a finite float matrix.

    Raises ``ValueError`` naming the first cell that is empty, not a number, or infinite,
    e.g. ``"Q, row q2, column d1: 'abc' is not a number"``.
    """
    if hasattr(values, "to_numpy"):  # a DataFrame: take its labels unless given
        row_labels = [str(r) for r in values.index] if row_labels is None else row_labels
        column_labels = [str(c) for c in values.columns] if column_labels is None else column_labels
        values = values.to_numpy(dtype=object)
    table = np.asarray(values, dtype=object)
    if table.ndim != 2 or 0 in table.shape:
        raise ValueError(f"{name} must be a non-empty table of numbers, got shape {table.shape}")
    out = np.empty(table.shape, dtype=float)
    for (i, j), cell in np.ndenumerate(table):
        where = (
            f"{name}, row {row_labels[i] if row_labels is not None else i + 1}, "
            f"column {column_labels[j] if column_labels is not None else j + 1}"
        )
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            raise ValueError(f"{where} is empty; type a number")
        if isinstance(cell, bool | np.bool_):
            raise ValueError(f"{where}: {cell!r} is not a number")
        try:
            number = float(cell)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: {str(cell)!r} is not a number") from None
        if np.isnan(number):
            raise ValueError(f"{where} is empty or not a number; type a number")
        if not np.isfinite(number):
            raise ValueError(f"{where}: {number} is not a finite number")
        out[i, j] = number
    return out


def causal_mask(n_q: int, n_k: int | None = None) -> np.ndarray:
    """(n_q, n_k) bool: query ``i`` may see key ``j`` iff ``j <= i + n_k - n_q``.

    As :func:`core.attention.multi_head.causal_mask`: the queries are the last ``n_q`` of
    ``n_k`` positions, so with ``n_q == n_k`` it is the lower triangle.
    """
    n_k = n_q if n_k is None else n_k
    return np.arange(n_k)[None, :] <= np.arange(n_q)[:, None] + (n_k - n_q)


def softmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax with exact zeros where ``mask`` is False; all-masked rows are all zero."""
    scores = np.asarray(scores, dtype=float)
    mask = np.ones(scores.shape, dtype=bool) if mask is None else np.broadcast_to(mask, scores.shape)
    shifted = np.where(mask, scores, -np.inf)
    row_max = shifted.max(axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)  # all-masked rows
    exp = np.where(mask, np.exp(shifted - row_max), 0.0)
    total = exp.sum(axis=-1, keepdims=True)
    return np.divide(exp, total, out=np.zeros_like(exp), where=total > 0)


def toy_attention(q, k, v, causal: bool = False) -> ToyAttention:
    """``softmax(QKᵀ/√d) V`` with its steps; ``q`` (n_q, d), ``k`` (n_k, d), ``v`` (n_k, d_v).

    ``causal`` hides later keys from each query (see :func:`causal_mask`). Raises
    ``ValueError`` with a readable message when the shapes do not fit or the numbers are
    too large to exponentiate.
    """
    q, k, v = (np.asarray(m, dtype=float) for m in (q, k, v))
    for name, m in (("Q", q), ("K", k), ("V", v)):
        if m.ndim != 2 or 0 in m.shape:
            raise ValueError(f"{name} must be a non-empty matrix, got shape {m.shape}")
        if not np.all(np.isfinite(m)):
            raise ValueError(f"{name} holds a value that is not a finite number")
    if q.shape[1] != k.shape[1]:
        raise ValueError(f"Q and K need the same number of columns (d), got {q.shape[1]} and {k.shape[1]}")
    if k.shape[0] != v.shape[0]:
        raise ValueError(f"K and V need the same number of rows (one value per key), got {k.shape[0]} and {v.shape[0]}")
    with np.errstate(over="ignore", invalid="ignore"):
        scores = q @ k.T / np.sqrt(q.shape[1])  # (n_q, n_k)
    if not np.all(np.isfinite(scores)):
        raise ValueError("the scores QKᵀ/√d overflow; use smaller numbers")
    mask = causal_mask(q.shape[0], k.shape[0]) if causal else np.ones(scores.shape, dtype=bool)
    weights = softmax(scores, mask)  # (n_q, n_k)
    with np.errstate(over="ignore", invalid="ignore"):
        output = weights @ v  # (n_q, d_v)
    if not np.all(np.isfinite(output)):
        raise ValueError("the output AV overflows; use smaller numbers in V")
    return ToyAttention(scores=scores, mask=mask, weights=weights, output=output)
