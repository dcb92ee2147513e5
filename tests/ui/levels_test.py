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


def test_decoder_self_attention_reads_the_start_as_a_word_of_its_own():
    tr = _subword()  # output pieces: ▁B ar cel ona .
    rng = np.random.default_rng(1)
    m = rng.random((5, 5))
    matrix, columns, rows = levels.decoder_self(tr, m, "[START]", "words")
    assert columns == ["[START]", "Barcelona"] and rows == ["Barcelona", "."]  # read: [START] ▁B ar cel ona
    by_hand = np.stack([m[:, 0], m[:, 1:5].sum(1)], 1)
    assert matrix == pytest.approx(np.stack([by_hand[:4].mean(0), by_hand[4]]))
    same, columns, rows = levels.decoder_self(tr, m, "[START]", "pieces")
    assert np.array_equal(same, m) and columns == ["[START]", *tr.target_tokens[:-1]] and rows == tr.target_tokens


def test_one_row_spread_over_pieces_sums_back_to_the_word_row():
    tr = _subword()
    word_row = np.array([0.2, 0.6, 0.2])
    pieces = levels.spread(tr, word_row, "words")
    assert pieces == pytest.approx([0.2, 0.15, 0.15, 0.15, 0.15, 0.2])
    back, labels = levels.source_row(tr, pieces, "words")
    assert back == pytest.approx(word_row) and labels == ["The", "Barcelona", "."]
    assert levels.spread(tr, pieces, "pieces") == pytest.approx(pieces)
    assert levels.source_position(tr, 3.4, "words") == 1.0 and levels.source_position(tr, 3.4, "pieces") == 3.4


def test_token_lists_at_both_levels_and_an_empty_output():
    src, tgt = ["▁I", "▁re", "ad"], ["▁le", "o"]
    m = np.array([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]])
    matrix, source, target = levels.tokens_view(m, src, tgt, "words", subword=True)
    assert source == ["I", "read"] and target == ["leo"]
    assert matrix == pytest.approx(np.array([[0.4, 0.6]]))
    assert levels.tokens_view(m, src, tgt, "words", subword=False)[1] == src
    empty = levels.tokens_view(np.zeros((0, 3)), src, [], "words", subword=True)
    assert empty[0].shape == (0, 3) and empty[2] == []
