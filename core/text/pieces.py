"""Subword pieces as the words a class reads.

A SentencePiece tokenizer marks the start of every word with ``▁`` (U+2581) and spells bytes
it has no piece for as ``<0xNN>``. Two things follow from the pieces alone, with no tokenizer
at hand:

- :func:`join_pieces` — the text the pieces spell (what ``SentencePieceProcessor.decode``
  returns for them);
- :func:`word_groups` — which pieces form one *word*: a word starts at every piece that begins
  with ``▁``, and punctuation the tokenizer split off as a piece of its own is a word of its
  own (``"▁está", "?"`` are two words, ``"▁¿", "D", "ónde"`` too: ``¿`` and ``Dónde``).

The rule is the one pages name on screen beside the word view.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

LEVELS = ("pieces", "words")  # what a subword model computed; what a class reads
WORD_START = "\u2581"  # ▁, SentencePiece's whitespace mark
_BYTE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def is_byte_piece(piece: str) -> bool:
    """Whether ``piece`` is a byte-fallback piece such as ``<0xE2>``."""
    return len(piece) == 6 and _BYTE.fullmatch(piece) is not None


def _is_punctuation(piece: str) -> bool:
    core = piece.lstrip(WORD_START)
    return bool(core) and all(unicodedata.category(ch)[0] in "PS" for ch in core)


def join_pieces(pieces: Sequence[str]) -> str:
    """The text ``pieces`` spell: byte pieces decoded as UTF-8, ``▁`` as a space, the first one dropped.

    >>> join_pieces(["▁¿", "D", "ónde", "▁está", "?"])
    '¿Dónde está?'
    """
    out: list[str] = []
    pending = bytearray()
    for piece in pieces:
        if is_byte_piece(piece):
            pending.append(int(piece[3:5], 16))
            continue
        if pending:
            out.append(pending.decode("utf-8", errors="replace"))
            pending.clear()
        out.append(piece)
    if pending:
        out.append(pending.decode("utf-8", errors="replace"))
    text = "".join(out).replace(WORD_START, " ")
    return text[1:] if text.startswith(" ") else text


def word_groups(pieces: Sequence[str]) -> list[list[int]]:
    """Indices of ``pieces`` grouped into words (see the module's rule); every index in exactly one group."""
    groups: list[list[int]] = []
    previous_punct = False
    for i, piece in enumerate(pieces):
        punct = _is_punctuation(piece)
        starts = not groups or piece.startswith(WORD_START) or punct or previous_punct
        if starts:
            groups.append([i])
        else:
            groups[-1].append(i)
        previous_punct = punct
    return groups


def word_labels(pieces: Sequence[str], groups: Sequence[Sequence[int]]) -> list[str]:
    """The text of each word group, e.g. ``["¿", "Dónde", "está", "?"]``."""
    return [join_pieces([pieces[i] for i in group]).strip() or pieces[group[0]] for group in groups]
