"""Word vocabularies."""

from __future__ import annotations

import pytest

from core import runs
from core.text.vocab import END_ID, PAD_ID, SPECIALS, START_ID, UNK_ID, Vocabulary

# word frequencies: the 5, a 4, cat 3, sat 2, mat 1 (no ties, so the order is fixed)
SENTENCES = [
    ["the", "cat", "sat"],
    ["the", "cat", "a", "a"],
    ["the", "a", "mat"],
    ["the", "cat", "sat", "a", "the"],
]


def test_specials():
    assert SPECIALS == ("", "[UNK]", "[START]", "[END]")
    assert (PAD_ID, UNK_ID, START_ID, END_ID) == (0, 1, 2, 3)


def test_adapt_puts_specials_first_then_words_by_frequency():
    vocab = Vocabulary.adapt(SENTENCES, max_tokens=100)
    assert vocab.tokens == (*SPECIALS, "the", "a", "cat", "sat", "mat")
    assert len(vocab) == 9
    assert all(type(t) is str for t in vocab.tokens)


@pytest.mark.parametrize(
    ("max_tokens", "words"), [(5, ["the"]), (7, ["the", "a", "cat"]), (8, ["the", "a", "cat", "sat"])]
)
def test_adapt_respects_max_tokens_and_keeps_most_frequent(max_tokens, words):
    vocab = Vocabulary.adapt(SENTENCES, max_tokens=max_tokens)
    assert len(vocab) == max_tokens
    assert list(vocab.tokens) == [*SPECIALS, *words]


def test_adapt_needs_room_for_words():
    with pytest.raises(ValueError, match="4"):
        Vocabulary.adapt(SENTENCES, max_tokens=4)


def test_adapt_keeps_accents_and_punctuation_tokens():
    vocab = Vocabulary.adapt([["¿", "dónde", "está", "?"], ["¿", "qué", "?"]], max_tokens=20)
    assert {"¿", "dónde", "está", "?", "qué"} <= set(vocab.tokens)
    assert vocab.tokens[4:6] in {("¿", "?"), ("?", "¿")}


def test_encode_decode():
    vocab = Vocabulary([*SPECIALS, "the", "cat"])
    assert vocab.encode(["the", "cat"]) == [4, 5]
    assert vocab.encode(["the", "cat"], add_start_end=True) == [START_ID, 4, 5, END_ID]
    assert vocab.decode([4, 5]) == ["the", "cat"]
    assert vocab.decode(vocab.encode(["cat", "the", "cat"])) == ["cat", "the", "cat"]
    assert vocab.id("cat") == 5


def test_unknown_words_get_id_one():
    vocab = Vocabulary([*SPECIALS, "the", "cat"])
    assert vocab.encode(["the", "dog"]) == [4, UNK_ID]
    assert vocab.id("dog") == UNK_ID
    assert vocab.decode([UNK_ID]) == ["[UNK]"]


def test_is_known_excludes_specials_and_unknown_words():
    vocab = Vocabulary([*SPECIALS, "cat"])
    assert vocab.is_known("cat")
    assert not vocab.is_known("dog")
    for special in SPECIALS:
        assert not vocab.is_known(special)


def test_save_load_round_trip(tmp_path):
    vocab = Vocabulary.adapt([*SENTENCES, ["¿", "él", "está", "aquí", "?"], ["don't", "3.50"]], max_tokens=50)
    path = tmp_path / "vocab.txt"
    runs.write_vocab(path, vocab)
    loaded = Vocabulary.load(path)
    assert loaded.tokens == vocab.tokens
    assert loaded.encode(["the", "él", "don't", "xyz"]) == vocab.encode(["the", "él", "don't", "xyz"])
    assert path.read_text(encoding="utf-8").startswith("\n[UNK]\n[START]\n[END]\nthe\n")


@pytest.mark.parametrize(
    "tokens",
    [
        ["[UNK]", "", "[START]", "[END]", "a"],  # specials in the wrong order
        ["", "[UNK]", "[START]"],  # too short
        ["a", "b", "c", "d"],  # no specials
        [*SPECIALS, "a", "b", "a"],  # duplicate
    ],
)
def test_bad_vocabulary_raises(tokens):
    with pytest.raises(ValueError):
        Vocabulary(tokens)


def test_load_rejects_a_file_without_specials(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("the\ncat\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must start with"):
        Vocabulary.load(path)
