"""The subword tokenizer: SentencePiece byte-pair encoding, trained on the training split only.

Settings chosen so that text round-trips exactly (``decode(encode(s)) == s``) and nothing is
ever unknown:

- ``normalization_rule_name="identity"`` and ``remove_extra_whitespaces=False``: the text the
  model reads is the text it was given (the app normalises input to NFC before);
- ``byte_fallback=True`` with ``character_coverage=1.0``: a character with no piece of its own
  is spelled as its UTF-8 bytes (``<0xF0>`` …), so ``[UNK]`` is never produced;
- ``split_digits=True``: numbers are read digit by digit, as no vocabulary can hold them all;
- the special ids are the project's own (:mod:`core.text.vocab`): 0 padding, 1 ``[UNK]``,
  2 ``[START]``, 3 ``[END]``, so a piece's id *is* the model's token id.

One joint vocabulary serves English and Spanish: names are copied piece by piece.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence

from core.text.pieces import join_pieces, word_groups
from core.text.vocab import SPECIALS, Vocabulary

KIND = "bpe"
FILE = "tokenizer.model"
MIN_VOCAB = 260  # the 256 byte pieces and the four special tokens, and nothing learned
MAX_VOCAB = 100_000


def train_model(sentences: Iterable[str], vocab_size: int, threads: int = 2) -> bytes:
    """A serialised SentencePiece BPE model of ``vocab_size`` pieces learned from ``sentences``."""
    import sentencepiece as spm

    if not MIN_VOCAB < vocab_size <= MAX_VOCAB:
        raise ValueError(f"a subword vocabulary needs {MIN_VOCAB + 1}..{MAX_VOCAB} pieces, got {vocab_size}")
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(sentences)),
        model_writer=out,
        model_type="bpe",
        vocab_size=vocab_size,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        byte_fallback=True,
        character_coverage=1.0,
        split_digits=True,
        pad_id=0,
        unk_id=1,
        bos_id=2,
        eos_id=3,
        pad_piece="[PAD]",
        unk_piece=SPECIALS[1],
        bos_piece=SPECIALS[2],
        eos_piece=SPECIALS[3],
        max_sentence_length=4096,
        num_threads=threads,
        minloglevel=2,
    )
    return out.getvalue()


def checksum(model: bytes) -> str:
    """``sha256:<hex>`` of a serialised model, as recorded in ``config.json``."""
    return "sha256:" + hashlib.sha256(model).hexdigest()


class SubwordTokenizer:
    """Text <-> SentencePiece pieces; read-only, shared by every user of a model."""

    kind = KIND

    def __init__(self, model: bytes):
        import sentencepiece as spm

        self._sp = spm.SentencePieceProcessor(model_proto=model)
        self.checksum = checksum(model)
        pieces = [self._sp.id_to_piece(i) for i in range(self._sp.get_piece_size())]
        self.vocabulary = Vocabulary([*SPECIALS, *pieces[len(SPECIALS) :]])

    def __len__(self) -> int:
        return len(self.vocabulary)

    def split(self, text: str) -> list[str]:
        """The pieces of ``text`` (case and spacing kept)."""
        return list(self._sp.encode(text, out_type=str))

    def join(self, pieces: Sequence[str]) -> str:
        return join_pieces(pieces)

    def words(self, pieces: Sequence[str]) -> list[list[int]]:
        return word_groups(pieces)
