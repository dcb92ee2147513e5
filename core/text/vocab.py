"""Word vocabularies, adapted with Keras ``TextVectorization`` on the training split only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

PAD, UNK, START, END = "", "[UNK]", "[START]", "[END]"
PAD_ID, UNK_ID, START_ID, END_ID = 0, 1, 2, 3
SPECIALS = (PAD, UNK, START, END)


class Vocabulary:
    """An immutable token <-> id mapping; id 0 is padding, 1 unknown, 2 start, 3 end."""

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tuple(tokens[:4]) != SPECIALS:
            raise ValueError(f"vocabulary must start with {SPECIALS}, got {tuple(tokens[:4])}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("vocabulary has duplicate tokens")
        self._tokens = tuple(tokens)
        self._ids = {t: i for i, t in enumerate(tokens)}

    def __len__(self) -> int:
        return len(self._tokens)

    @property
    def tokens(self) -> tuple[str, ...]:
        return self._tokens

    def id(self, token: str) -> int:
        return self._ids.get(token, UNK_ID)

    def encode(self, tokens: Iterable[str], add_start_end: bool = False) -> list[int]:
        ids = [self._ids.get(t, UNK_ID) for t in tokens]
        return [START_ID, *ids, END_ID] if add_start_end else ids

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self._tokens[i] for i in ids]

    def is_known(self, token: str) -> bool:
        return token in self._ids and self._ids[token] > END_ID

    def to_text(self) -> str:
        """One token per line, the padding token the empty first line (written by :func:`core.runs.folders.write_vocab`)."""
        return "\n".join(self._tokens) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        return cls(lines)

    @classmethod
    def adapt(cls, tokenized: Iterable[Sequence[str]], max_tokens: int) -> Vocabulary:
        """Most frequent tokens of pre-tokenised sentences, via ``keras.layers.TextVectorization``.

        ``max_tokens`` counts the four special tokens.
        """
        import tensorflow as tf
        from keras.layers import TextVectorization

        if max_tokens <= len(SPECIALS):
            raise ValueError(f"max_tokens {max_tokens} leaves no room beside the {len(SPECIALS)} special tokens")
        texts = [" ".join(t) for t in tokenized]
        layer = TextVectorization(
            max_tokens=max_tokens - 2,  # TextVectorization adds '' and '[UNK]' itself
            standardize=None,
            split="whitespace",
            output_mode="int",
        )
        layer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(4096))
        words = [str(w) for w in layer.get_vocabulary() if w not in SPECIALS]  # plain str, not numpy.str_
        return cls([*SPECIALS, *words[: max_tokens - len(SPECIALS)]])
