"""ui.levels: the pieces/words views of a translation, checked against numpy by hand."""

import numpy as np
import pytest

from core.decoding.results import Translation
from ui import levels


def _subword():
    src = ["▁The", "▁B", "ar", "cel", "ona", "."]
    tgt = ["▁B", "ar", "cel", "ona", "."]
    rng = np.random.default_rng(0)
    m = rng.random((len(tgt), len(src)))
    m /= m.sum(axis=1, keepdims=True)
    return Translation(src, tgt, m, np.ones(len(tgt)), [False] * len(src), tokenizer="bpe")


def test_words_view_of_cross_attention():
    tr = _subword()
    matrix, source, target = levels.cross(tr, tr.attention, "words")
    assert source == ["The", "Barcelona", "."] and target == ["Barcelona", "."]
    by_hand = np.stack([tr.attention[:, [0]].sum(1), tr.attention[:, 1:5].sum(1), tr.attention[:, [5]].sum(1)], 1)
    assert matrix == pytest.approx(np.stack([by_hand[:4].mean(0), by_hand[4]]))
    assert matrix.sum(axis=1) == pytest.approx(np.ones(2))


def test_pieces_view_and_word_models_are_unchanged():
    tr = _subword()
    matrix, source, target = levels.cross(tr, tr.attention, "pieces")
    assert np.array_equal(matrix, tr.attention) and source == tr.source_labels and target == tr.target_tokens
    word = Translation(["i", "am"], ["tengo"], np.array([[0.3, 0.7]]), np.ones(1), [False, False])
    assert levels.cross(word, word.attention, "words")[1] == ["i", "am"]


def test_square_views_average_rows_and_sum_columns():
    tr = _subword()
    enc = np.full((6, 6), 1 / 6)
    matrix, labels = levels.square(tr, enc, "source", "words")
    assert labels == ["The", "Barcelona", "."]
    assert matrix == pytest.approx(np.array([[1 / 6, 4 / 6, 1 / 6]] * 3))


def test_centres_land_on_the_word_of_their_piece():
    tr = _subword()
    out = levels.centres(tr, np.array([2.2, 3.9, 1.0, 1.4, 5.0]), "words")
    assert out == pytest.approx(np.array([1.0, 2.0]))  # "Barcelona" looks at word 1; "." at word 2
