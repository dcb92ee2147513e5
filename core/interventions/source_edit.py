"""Source what-ifs: drop, replace or move one English word, and which output tokens changed.

The edits work on tokens (as the model reads them); :func:`edit_pieces` edits a subword
model's pieces a word (all of its pieces) or a piece at a time. :func:`changed_tokens` aligns the two
outputs with a longest-matching-blocks diff and marks, on each side, the tokens outside the
matching blocks.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from core.text.pieces import WORD_START

EDITS = ("drop", "replace", "move")


def edit_source(tokens: Sequence[str], edit: str, index: int, word: str = "", to: int = 0) -> list[str]:
    """``tokens`` with word ``index`` dropped, replaced by ``word``, or moved to position ``to``."""
    tokens = list(tokens)
    if not 0 <= index < len(tokens):
        raise ValueError(f"word {index + 1} does not exist: the sentence has {len(tokens)} tokens")
    if edit == "drop":
        return tokens[:index] + tokens[index + 1 :]
    if edit == "replace":
        word = word.strip().lower()
        if not word or any(c.isspace() for c in word):
            raise ValueError(f"the replacement must be one word, got {word!r}")
        return tokens[:index] + [word] + tokens[index + 1 :]
    if edit == "move":
        if not 0 <= to < len(tokens):
            raise ValueError(f"position {to + 1} does not exist: the sentence has {len(tokens)} tokens")
        moved = tokens.pop(index)
        tokens.insert(to, moved)
        return tokens
    raise ValueError(f"edit {edit!r} is not one of {EDITS}")


def edit_pieces(
    pieces: Sequence[str], groups: Sequence[Sequence[int]], edit: str, index: int, word: str = "", to: int = 0
) -> list[str]:
    """Subword ``pieces`` with unit ``index`` dropped, replaced by ``word``, or moved to unit position ``to``.

    A unit is one group of ``groups``: a whole word (every one of its pieces) for the words view,
    a single piece for the pieces view. A replacement keeps the unit's word start: it is written
    ``▁word`` when the unit's first piece starts a word. The result is joined into text and
    split again by the model's tokenizer, so the replacement may become several pieces.
    """
    units = [[pieces[i] for i in g] for g in groups]
    if not 0 <= index < len(units):
        raise ValueError(f"word {index + 1} does not exist: the sentence has {len(units)} words")
    if edit == "replace":
        word = word.strip()
        if not word or any(c.isspace() for c in word):
            raise ValueError(f"the replacement must be one word, got {word!r}")
        units[index] = [(WORD_START if units[index][0].startswith(WORD_START) else "") + word]
    elif edit == "move":
        if not 0 <= to < len(units):
            raise ValueError(f"position {to + 1} does not exist: the sentence has {len(units)} words")
        units.insert(to, units.pop(index))
    elif edit == "drop":
        del units[index]
    else:
        raise ValueError(f"edit {edit!r} is not one of {EDITS}")
    return [p for unit in units for p in unit]


def changed_tokens(before: Sequence[str], after: Sequence[str]) -> tuple[list[bool], list[bool]]:
    """Per token of ``before`` and of ``after``: True where it is not part of the common alignment."""
    old, new = [True] * len(before), [True] * len(after)
    for block in difflib.SequenceMatcher(a=list(before), b=list(after), autojunk=False).get_matching_blocks():
        for k in range(block.size):
            old[block.a + k] = False
            new[block.b + k] = False
    return old, new
