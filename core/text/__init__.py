"""Text: what a sentence becomes before a model sees it, and what the model's tokens become again.

- :mod:`core.text.words` — Unicode normalisation and the word-level tokenizer (lower-cased words
  and punctuation) of the first models;
- :mod:`core.text.vocab` — token <-> id vocabularies with the four special tokens;
- :mod:`core.text.subword` — the SentencePiece (BPE) tokenizer that subword models carry in
  their folder, trained on the training split only;
- :mod:`core.text.pieces` — subword pieces grouped into the words a class reads;
- :mod:`core.text.tokenizer` — one interface over both kinds, chosen by a model's ``config.json``.

This package imports nothing from the rest of ``core``; everything else may import it.
"""

from core.text.words import MAX_INPUT_CHARS, detokenize, normalize, tokenize

__all__ = ["MAX_INPUT_CHARS", "detokenize", "normalize", "tokenize"]
