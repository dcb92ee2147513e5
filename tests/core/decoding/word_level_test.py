"""Pieces → words: numpy reference checks of the aggregation rule."""

import numpy as np
import pytest

from core.decoding.word_level import mean_rows, sum_columns, word_attention
from core.text.pieces import word_groups


def _softmax_rows(rng, rows, cols):
    x = rng.normal(size=(rows, cols))
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_hand_computed_case():
    # target pieces: "▁Bar" "celona" "." ; source pieces: "▁Bar" "cel" "ona" "."
    m = np.array(
        [
            [0.5, 0.2, 0.1, 0.2],
            [0.1, 0.6, 0.2, 0.1],
            [0.0, 0.0, 0.1, 0.9],
        ]
    )
    words = word_attention(m, [[0, 1, 2], [3]], [[0, 1], [2]])
    # row "Barcelona" = mean of rows 0 and 1 after summing source pieces 0..2
    assert words == pytest.approx(np.array([[(0.8 + 0.9) / 2, (0.2 + 0.1) / 2], [0.1, 0.9]]))


def test_word_rows_still_sum_to_one():
    rng = np.random.default_rng(0)
    m = _softmax_rows(rng, 7, 9)
    words = word_attention(m, [[0], [1, 2, 3], [4, 5], [6], [7, 8]], [[0, 1], [2], [3, 4, 5], [6]])
    assert words.shape == (4, 5)
    assert words.sum(axis=1) == pytest.approx(np.ones(4), abs=1e-6)


def test_words_of_one_piece_are_unchanged():
    rng = np.random.default_rng(1)
    m = _softmax_rows(rng, 4, 5)
    one_each = [[i] for i in range(5)]
    assert word_attention(m, one_each, [[i] for i in range(4)]) == pytest.approx(m)


def test_leading_axes_are_kept():
    rng = np.random.default_rng(2)
    m = rng.random((2, 3, 4, 5))  # layers, heads, tgt, src
    out = word_attention(m, [[0, 1], [2], [3, 4]], [[0], [1, 2], [3]])
    assert out.shape == (2, 3, 3, 3)
    assert out[1, 2] == pytest.approx(word_attention(m[1, 2], [[0, 1], [2], [3, 4]], [[0], [1, 2], [3]]))


def test_attribution_scores_sum_like_attention_to_a_word():
    scores = np.array([[0.3, -0.1, 0.4]])
    assert sum_columns(scores, [[0, 1], [2]]) == pytest.approx(np.array([[0.2, 0.4]]))


@pytest.mark.parametrize("groups", [[[0], [2]], [[0, 1], [1, 2]], [[0, 1, 2], []]])
def test_groups_must_cover_every_piece_once(groups):
    with pytest.raises(ValueError, match="cover"):
        mean_rows(np.ones((3, 2)), groups)


def test_groups_from_real_pieces():
    pieces = ["▁¿", "D", "ónde", "▁está", "▁Bar", "cel", "ona", "?"]
    assert word_groups(pieces) == [[0], [1, 2], [3], [4, 5, 6], [7]]
