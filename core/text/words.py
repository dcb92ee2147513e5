"""Text normalisation, tokenisation and detokenisation.

One place for both training and inference: a sentence is normalised to Unicode
NFC, lower-cased, and split into word and punctuation tokens. Accents and the
Spanish opening marks ``¿`` and ``¡`` are kept as they are.
"""

from __future__ import annotations

import re
import unicodedata

MAX_INPUT_CHARS = 300
"""Longest sentence (in characters) that the app accepts."""

_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "“": '"', "”": '"', "„": '"'})
# numbers with separators (3.5, 1,000, 2:30) | words with inner ' or - (don't, half-eaten)
# | any other single non-space character (punctuation, ¿, ¡)
_TOKEN_RE = re.compile(r"\d+(?:[.,:]\d+)+|\w+(?:['-]\w+)*|[^\w\s]")
_NO_SPACE_BEFORE = set(".,!?;:)]}»%…")
_NO_SPACE_AFTER = set("¿¡([{«$€£#")
_SENTENCE_END = set(".!?…")


def normalize(text: str) -> str:
    """Unicode NFC, unified quotes, collapsed whitespace; case and accents kept."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Zs", "Zl", "Zp"} else ch for ch in text)
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens of ``text``.

    >>> tokenize("¿Dónde está Tom?")
    ['¿', 'dónde', 'está', 'tom', '?']
    """
    return _TOKEN_RE.findall(normalize(text).lower())


def detokenize(tokens: list[str]) -> str:
    """Join tokens into a display sentence: punctuation re-attached, sentences capitalised.

    >>> detokenize(['¿', 'dónde', 'está', 'tom', '?'])
    '¿Dónde está tom?'
    """
    out: list[str] = []
    capitalise = True
    open_quote = False
    glue_next = True  # no space before the first token
    for tok in tokens:
        piece = tok
        if capitalise and piece[:1].isalnum():  # a sentence starting "3 gatos" keeps "gatos" lower-case
            if piece[:1].isalpha():
                piece = piece[:1].upper() + piece[1:]
            capitalise = False
        if tok == '"':
            open_quote = not open_quote
            glue = glue_next or not open_quote  # closing quote sticks to the word before
            glue_after = open_quote
        else:
            glue = glue_next or tok in _NO_SPACE_BEFORE
            glue_after = tok in _NO_SPACE_AFTER
        if out and not glue:
            out.append(" ")
        out.append(piece)
        glue_next = glue_after
        if tok in _SENTENCE_END or tok in {"¿", "¡"}:
            capitalise = True
    return "".join(out)
