"""The SentencePiece tokenizer: exact round trips, nothing unknown, our special ids."""

from __future__ import annotations

import pytest

from core.text import subword
from core.text.pieces import join_pieces
from core.text.vocab import END, END_ID, PAD_ID, START, START_ID, UNK, UNK_ID

CORPUS = [
    "I have a red car.",
    "Tengo un coche rojo.",
    "Where is the station?",
    "¿Dónde está la estación?",
    "The old man gave the red book to his young daughter.",
    "El anciano le dio el libro rojo a su joven hija.",
    "Tom lives in Boston.",
    "Tom vive en Boston.",
] * 20


@pytest.fixture(scope="module")
def tokenizer() -> subword.SubwordTokenizer:
    return subword.SubwordTokenizer(subword.train_model(CORPUS, vocab_size=320))


@pytest.mark.parametrize(
    "text",
    [
        "¿Dónde está la estación?",
        "Ñandú, pingüino, acción, über, façade.",
        "It costs 1,234.50 € in 2024.",
        "Okonkwo lives in Wellington 😀 🇪🇸",
        "two  spaces,   three spaces",
        "漢字 and العربية",
        "",
    ],
)
def test_text_round_trips_exactly(tokenizer, text):
    pieces = tokenizer.split(text)
    assert tokenizer.join(pieces) == text
    assert join_pieces(pieces) == tokenizer._sp.decode(pieces)


def test_nothing_is_unknown(tokenizer):
    ids = tokenizer.vocabulary.encode(tokenizer.split("Zyxwvut 😀 Ωμέγα ∮ Barcelona"))
    assert UNK_ID not in ids
    assert all(i > END_ID for i in ids)


def test_ids_are_the_projects_own(tokenizer):
    tokens = tokenizer.vocabulary.tokens
    assert tokens[PAD_ID] == "" and tokens[UNK_ID] == UNK and tokens[START_ID] == START and tokens[END_ID] == END
    pieces = tokenizer.split("Tom vive en Boston.")
    assert tokenizer.vocabulary.encode(pieces) == list(tokenizer._sp.encode("Tom vive en Boston."))


def test_digits_are_split():
    tok = subword.SubwordTokenizer(subword.train_model([*CORPUS, *["It was 2024, not 1999 or 2023."] * 30], 330))
    assert [p for p in tok.split("2024") if p.strip("▁")] == ["2", "0", "2", "4"]


def test_training_is_deterministic_and_the_checksum_names_the_bytes():
    a = subword.train_model(CORPUS, vocab_size=300)
    b = subword.train_model(CORPUS, vocab_size=300)
    assert a == b
    assert subword.checksum(a).startswith("sha256:") and len(subword.checksum(a)) == 71
    assert subword.checksum(a) != subword.checksum(subword.train_model(CORPUS, vocab_size=310))


@pytest.mark.parametrize("size", [subword.MIN_VOCAB, subword.MAX_VOCAB + 1, 0])
def test_vocabulary_size_out_of_range_is_refused(size):
    with pytest.raises(ValueError, match="pieces"):
        subword.train_model(CORPUS, vocab_size=size)
