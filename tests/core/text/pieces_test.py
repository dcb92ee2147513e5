"""Pieces as words: the text they spell and the word each belongs to."""

import pytest

from core.text.pieces import is_byte_piece, join_pieces, word_groups, word_labels
from core.text.tokenizer import WORDS


def test_join_decodes_byte_pieces_and_marks():
    assert join_pieces(["▁Hola", "▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "!"]) == "Hola 😀!"
    assert join_pieces(["<0xF0>"]) == "\ufffd"  # an incomplete character is shown, not dropped
    assert is_byte_piece("<0xE2>") and not is_byte_piece("<0xE2") and not is_byte_piece("E2")


@pytest.mark.parametrize(
    "pieces, labels",
    [
        (["▁¿", "D", "ónde", "▁está", "?"], ["¿", "Dónde", "está", "?"]),
        (["▁B", "ar", "cel", "ona", "."], ["Barcelona", "."]),
        (["▁o", "'", "clock"], ["o", "'", "clock"]),
        (["▁Tengo"], ["Tengo"]),
        ([], []),
    ],
)
def test_word_groups(pieces, labels):
    groups = word_groups(pieces)
    assert sorted(i for g in groups for i in g) == list(range(len(pieces)))
    assert word_labels(pieces, groups) == labels


def test_word_level_tokens_are_words_of_their_own():
    assert WORDS.words(["tengo", "un", "coche"]) == [[0], [1], [2]]
    assert WORDS.join(WORDS.split("¿Dónde está Tom?")) == "¿Dónde está tom?"
