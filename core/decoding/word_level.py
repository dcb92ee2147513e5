"""Attention between words, from attention between subword pieces.

A subword model attends from pieces to pieces; a class reads words. One rule, the one of Clark
et al. (2019, "What does BERT look at?", §4.1), turns a piece matrix into a word matrix:

- attention **to** a word is the **sum** of the attention to its pieces (the share of the
  row that went to any part of the word);
- attention **from** a word is the **mean** of the rows of its pieces.

Every word row therefore still sums to what a piece row sums to (1 for a softmax). A word of
one piece keeps its row and column unchanged. Attribution scores aggregate like attention
*to* a word: the sum over its pieces. The pieces → words grouping is
:func:`core.text.pieces.word_groups`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RULE = "to a word: sum over its pieces; from a word: mean over its pieces"


def _check(groups: Sequence[Sequence[int]], n: int, side: str) -> None:
    flat = [i for g in groups for i in g]
    if sorted(flat) != list(range(n)) or any(not g for g in groups):
        raise ValueError(f"the {side} word groups must cover the {n} pieces once each, got {list(map(list, groups))}")


def sum_columns(matrix: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Columns summed per group: (..., pieces) → (..., words)."""
    matrix = np.asarray(matrix, dtype="float32")
    _check(groups, matrix.shape[-1], "source")
    return np.stack([matrix[..., list(g)].sum(axis=-1) for g in groups], axis=-1)


def mean_rows(matrix: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Rows averaged per group: (..., pieces, k) → (..., words, k)."""
    matrix = np.asarray(matrix, dtype="float32")
    _check(groups, matrix.shape[-2], "target")
    return np.stack([matrix[..., list(g), :].mean(axis=-2) for g in groups], axis=-2)


def word_attention(
    matrix: np.ndarray, source_groups: Sequence[Sequence[int]], target_groups: Sequence[Sequence[int]]
) -> np.ndarray:
    """(target pieces, source pieces) attention → (target words, source words), by :data:`RULE`.

    Leading axes (layers, heads) are kept: ``(..., tgt, src)`` → ``(..., tgt words, src words)``.
    """
    return mean_rows(sum_columns(matrix, source_groups), target_groups)
