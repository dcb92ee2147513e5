"""Shared fixtures: a tiny overfitted translator (session-scoped) and a tiny corpus file."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# 20 distinct short pairs; the fixture model learns them by heart.
TINY_PAIRS: list[tuple[str, str]] = [
    ("i am cold .", "tengo frío ."),
    ("i am hot .", "tengo calor ."),
    ("i am hungry .", "tengo hambre ."),
    ("i am tired .", "estoy cansado ."),
    ("i am here .", "estoy aquí ."),
    ("he is tall .", "él es alto ."),
    ("she is happy .", "ella está feliz ."),
    ("we are friends .", "somos amigos ."),
    ("they are late .", "llegan tarde ."),
    ("the cat sleeps .", "el gato duerme ."),
    ("the dog runs .", "el perro corre ."),
    ("i like fish .", "me gusta el pescado ."),
    ("i see the sea .", "veo el mar ."),
    ("where is tom ?", "¿ dónde está tom ?"),
    ("come here !", "¡ ven aquí !"),
    ("thank you .", "gracias ."),
    ("good morning .", "buenos días ."),
    ("i read a book .", "leo un libro ."),
    ("open the door .", "abre la puerta ."),
    ("we eat bread .", "comemos pan ."),
]


def tiny_config(src_vocab_size: int = 50, tgt_vocab_size: int = 60, **overrides):
    """A ModelConfig small enough to build and train in well under a second a step."""
    from core.config import ModelConfig

    sizes = dict(embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8, dropout=0.0)
    sizes.update(overrides)
    return ModelConfig(src_vocab_size=src_vocab_size, tgt_vocab_size=tgt_vocab_size, **sizes)


@pytest.fixture(scope="session")
def overfit_translator():
    """A tiny model trained until it reproduces the Spanish side of ``TINY_PAIRS``."""
    import keras

    from core.data import make_dataset
    from core.decoding import Translator
    from core.losses import masked_accuracy, masked_loss
    from core.models import build_model
    from core.text import tokenize
    from core.vocab import Vocabulary

    keras.utils.set_random_seed(0)
    src_tok = [tokenize(en) for en, _ in TINY_PAIRS]
    tgt_tok = [tokenize(es) for _, es in TINY_PAIRS]
    src_vocab = Vocabulary.adapt(src_tok, 100)
    tgt_vocab = Vocabulary.adapt(tgt_tok, 100)
    config = tiny_config(
        len(src_vocab), len(tgt_vocab), embedding_dim=16, encoder_units=32, decoder_units=32, attention_units=16
    )
    model = build_model(config)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=masked_loss, metrics=[masked_accuracy])
    ds = make_dataset(
        [src_vocab.encode(t) for t in src_tok],
        [tgt_vocab.encode(t, add_start_end=True) for t in tgt_tok],
        batch_size=len(TINY_PAIRS),
        shuffle=False,
    )
    model.fit(ds.cache(), epochs=150, verbose=0)
    return Translator(model, src_vocab, tgt_vocab)


@pytest.fixture()
def tiny_tsv(tmp_path: Path) -> Path:
    """``TINY_PAIRS`` as an ``English<TAB>Spanish`` file (sentence-cased, as in the real corpus)."""
    path = tmp_path / "tiny.tsv"
    path.write_text("".join(f"{en}\t{es}\n" for en, es in TINY_PAIRS), encoding="utf-8")
    return path
