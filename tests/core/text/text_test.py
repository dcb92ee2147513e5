"""Normalisation, tokenisation and detokenisation."""

from __future__ import annotations

import pytest

from core.text import detokenize, normalize, tokenize


def test_normalize_composes_to_nfc():
    decomposed = "cafe\u0301"  # e + combining acute accent
    assert len(decomposed) == 5
    assert normalize(decomposed) == "café"
    assert len(normalize(decomposed)) == 4
    assert tokenize("Cafe\u0301 y te\u0301") == ["café", "y", "té"]


def test_normalize_collapses_whitespace_and_keeps_case_and_accents():
    assert normalize("  Él\testá \n aquí\u00a0ahora  ") == "Él está aquí ahora"


def test_normalize_unifies_curly_quotes():
    assert normalize("I don’t ‘know’ “this”") == "I don't 'know' \"this\""


def test_tokenize_lowercases_and_keeps_accents():
    assert tokenize("Él está en el jardín con María.") == ["él", "está", "en", "el", "jardín", "con", "maría", "."]
    assert tokenize("ÑANDÚ, pingüino") == ["ñandú", ",", "pingüino"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("¿Dónde está Tom?", ["¿", "dónde", "está", "tom", "?"]),
        ("¡Hola, amigo!", ["¡", "hola", ",", "amigo", "!"]),
        ("¿¡Qué!?", ["¿", "¡", "qué", "!", "?"]),
    ],
)
def test_tokenize_splits_off_spanish_marks(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("I'm cold.", ["i'm", "cold", "."]),
        ("I don't know.", ["i", "don't", "know", "."]),
        ("I don’t know.", ["i", "don't", "know", "."]),  # curly apostrophe unified
        ("It's Tom's book.", ["it's", "tom's", "book", "."]),
    ],
)
def test_tokenize_keeps_contractions_whole(text, tokens):
    assert tokenize(text) == tokens


def test_curly_and_straight_apostrophes_give_the_same_tokens():
    assert tokenize("You’re right, aren’t you?") == tokenize("You're right, aren't you?")


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("It costs 3.50 dollars.", ["it", "costs", "3.50", "dollars", "."]),
        ("I have 1,000 books.", ["i", "have", "1,000", "books", "."]),
        ("Come at 2:30.", ["come", "at", "2:30", "."]),
        ("It is 42.", ["it", "is", "42", "."]),
        ("1,000,000.50!", ["1,000,000.50", "!"]),
    ],
)
def test_tokenize_keeps_numbers_whole(text, tokens):
    assert tokenize(text) == tokens


def test_tokenize_splits_punctuation():
    assert tokenize('Wait... "Yes," he said; (maybe).') == [
        "wait",
        ".",
        ".",
        ".",
        '"',
        "yes",
        ",",
        '"',
        "he",
        "said",
        ";",
        "(",
        "maybe",
        ")",
        ".",
    ]


def test_tokenize_keeps_hyphenated_words():
    assert tokenize("A half-eaten apple.") == ["a", "half-eaten", "apple", "."]


def test_tokenize_empty_and_blank():
    assert tokenize("") == []
    assert tokenize("   \n\t ") == []


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (["¿", "dónde", "está", "?"], "¿Dónde está?"),
        (["¡", "hola", ",", "amigo", "!"], "¡Hola, amigo!"),
        (["tengo", "frío", "."], "Tengo frío."),
        (["hola", ".", "¿", "qué", "tal", "?"], "Hola. ¿Qué tal?"),
        (["él", "dijo", '"', "sí", '"', "."], 'Él dijo "sí".'),
        (["cuesta", "3.50", "€", "."], "Cuesta 3.50 €."),
        (["(", "no", ")", "vale", "."], "(No) vale."),
        (["3", "gatos", "."], "3 gatos."),
        (["i'm", "cold", "."], "I'm cold."),
        ([], ""),
    ],
)
def test_detokenize(tokens, text):
    assert detokenize(tokens) == text


def test_detokenize_capitalises_each_sentence():
    assert detokenize(["sí", ".", "no", "!", "quizás", "?", "bueno", "…", "vale"]) == "Sí. No! Quizás? Bueno… Vale"


def test_detokenize_capitalises_accented_first_letter():
    assert detokenize(["él", "está", "aquí", "."]) == "Él está aquí."
    assert detokenize(["¿", "ésta", "?"]) == "¿Ésta?"


@pytest.mark.parametrize(
    "sentence",
    [
        "Tengo frío.",
        "¿Dónde está la estación de tren?",
        "¡Qué bonito día!",
        "No sé lo que quiere.",
        "Ella tiene dos gatos, y un perro.",
        "Cuesta 3.50 euros.",
        "I'm cold.",
        "I don't know what he wants.",
        "Where is the train station? It's near.",
        'Él dijo "hola" y se fue.',
        "Come at 2:30, not later!",
    ],
)
def test_round_trip(sentence):
    assert detokenize(tokenize(sentence)) == sentence


@pytest.mark.parametrize("sentence", ["Tom lives in Boston.", "¿Dónde VIVE usted?", "  I   am  here .  "])
def test_tokenize_is_stable_after_detokenize(sentence):
    tokens = tokenize(sentence)
    assert tokenize(detokenize(tokens)) == tokens
