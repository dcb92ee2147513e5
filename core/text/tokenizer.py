"""One interface over the two kinds of tokenizer a model folder may name in ``config.json``.

``tokenizer: "word"`` (the first models): lower-cased words and punctuation
(:mod:`core.text.words`) looked up in ``vocab_src.txt`` / ``vocab_tgt.txt``; a word outside
them is ``[UNK]``. ``tokenizer: "bpe"``: SentencePiece pieces (:mod:`core.text.subword`) from
the folder's ``tokenizer.model``, one vocabulary for both languages, nothing unknown.

Both give a :class:`Tokenizer` with ``split`` (text → tokens), ``join`` (tokens → text) and
``words`` (which tokens form one word: each word-level token is a word of its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.text.words import detokenize, tokenize

WORD = "word"
KINDS = (WORD, "bpe")


class Tokenizer(Protocol):
    kind: str

    def split(self, text: str) -> list[str]: ...

    def join(self, tokens: Sequence[str]) -> str: ...

    def words(self, tokens: Sequence[str]) -> list[list[int]]: ...


class WordTokenizer:
    """The word-level tokenizer: every token is a word, case folded."""

    kind = WORD

    def split(self, text: str) -> list[str]:
        return tokenize(text)

    def join(self, tokens: Sequence[str]) -> str:
        return detokenize(list(tokens))

    def words(self, tokens: Sequence[str]) -> list[list[int]]:
        return [[i] for i in range(len(tokens))]


WORDS = WordTokenizer()
