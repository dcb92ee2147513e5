"""Shared fixtures: tiny configs and pairs, a tiny overfitted translator, a tiny trained run folder."""

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


def tiny_pair_vocabularies(max_tokens: int = 100):
    """``(src_tokens, tgt_tokens, src_vocab, tgt_vocab)`` of ``TINY_PAIRS``: token lists and vocabularies adapted to them."""
    from core.text import tokenize
    from core.text.vocab import Vocabulary

    src_tok = [tokenize(en) for en, _ in TINY_PAIRS]
    tgt_tok = [tokenize(es) for _, es in TINY_PAIRS]
    return src_tok, tgt_tok, Vocabulary.adapt(src_tok, max_tokens), Vocabulary.adapt(tgt_tok, max_tokens)


def _tiny_config(src_vocab_size: int = 50, tgt_vocab_size: int = 60, **overrides):
    from core.models.config import ModelConfig

    sizes = dict(embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8, dropout=0.0)
    sizes.update(overrides)
    return ModelConfig(src_vocab_size=src_vocab_size, tgt_vocab_size=tgt_vocab_size, **sizes)


@pytest.fixture(scope="session")
def tiny_config():
    """Factory of ModelConfigs small enough to build and train in a blink: ``tiny_config(src_v, tgt_v, **sizes)``."""
    return _tiny_config


# The vocabularies of the untrained search models: a few words each, after the four specials.
TINY_SRC = ["i", "am", "cold", "hot", "she", "is", "tall", "."]
TINY_TGT = ["tengo", "frío", "calor", "ella", "es", "alta", "."]


def _tiny_vocabularies():
    from core.text.vocab import SPECIALS, Vocabulary

    return Vocabulary([*SPECIALS, *TINY_SRC]), Vocabulary([*SPECIALS, *TINY_TGT])


def _tiny_search_config(arch: str, **overrides):
    """Every architecture at toy size over ``TINY_SRC`` / ``TINY_TGT``: 2 layers × 2 heads, 8 steps at most."""
    from core.models.config import ModelConfig

    sizes = dict(
        arch=arch, src_vocab_size=len(TINY_SRC) + 4, tgt_vocab_size=len(TINY_TGT) + 4, max_decode_len=8,
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8, window=2,
        num_layers=2, num_heads=2, d_model=8, ff_dim=16,
    )  # fmt: skip
    sizes.update(overrides)
    return ModelConfig(**sizes)


def _tiny_translator(arch: str, seed: int = 7, **overrides):
    import keras

    from core.decoding import Translator
    from core.models import build_model

    keras.utils.set_random_seed(seed)
    src_vocab, tgt_vocab = _tiny_vocabularies()
    return Translator(build_model(_tiny_search_config(arch, **overrides)), src_vocab, tgt_vocab)


@pytest.fixture(scope="session")
def tiny_translator():
    """Factory of untrained toy translators: ``tiny_translator(arch, seed=7, **config_overrides)``.

    Their vocabularies are ``TINY_SRC`` / ``TINY_TGT``; untrained weights are enough wherever
    searches must agree with each other or with teacher forcing, whatever the model says.
    """
    return _tiny_translator


@pytest.fixture(scope="session")
def tiny_pairs() -> list[tuple[str, str]]:
    """20 distinct short (English, Spanish) pairs, tokens separated by spaces."""
    return list(TINY_PAIRS)


@pytest.fixture(scope="session")
def overfit_translator():
    """A tiny model trained until it reproduces the Spanish side of ``TINY_PAIRS``."""
    import keras

    from core.data import make_dataset
    from core.decoding import Translator
    from core.models import build_model
    from core.train.losses import masked_accuracy, masked_loss

    keras.utils.set_random_seed(0)
    src_tok, tgt_tok, src_vocab, tgt_vocab = tiny_pair_vocabularies()
    config = _tiny_config(
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

    class StopWhenLearned(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < 0.02:
                self.model.stop_training = True

    model.fit(ds.cache(), epochs=300, verbose=0, callbacks=[StopWhenLearned()])
    return Translator(model, src_vocab, tgt_vocab)


def _write_tsv(path: Path, pairs=TINY_PAIRS) -> Path:
    """``pairs`` as an ``English<TAB>Spanish`` file."""
    path.write_text("".join(f"{en}\t{es}\n" for en, es in pairs), encoding="utf-8")
    return path


@pytest.fixture()
def tiny_tsv(tmp_path: Path) -> Path:
    """``TINY_PAIRS`` as an ``English<TAB>Spanish`` file."""
    return _write_tsv(tmp_path / "tiny.tsv")


def _train_args(data: Path, out: Path, *extra: str) -> list[str]:
    return [
        "--data",
        str(data),
        "--out",
        str(out),
        "--embedding-dim",
        "8",
        "--encoder-units",
        "8",
        "--decoder-units",
        "16",
        "--attention-units",
        "8",
        "--src-vocab-size",
        "30",
        "--tgt-vocab-size",
        "40",
        "--val-fraction",
        "0.1",
        "--test-fraction",
        "0.1",
        "--batch-size",
        "4",
        "--steps-log-every",
        "1",
        "--verbose",
        "0",
        *extra,
    ]


@pytest.fixture(scope="session")
def train_args():
    """``train_args(data, out, *extra)``: ``core.train`` arguments for a tiny model on a tiny corpus."""
    return _train_args


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory) -> Path:
    """A run folder written by ``core.train.main`` after one epoch on ``TINY_PAIRS``. Treat as read-only."""
    from core.train.cli import main

    folder = tmp_path_factory.mktemp("trained")
    data = _write_tsv(folder / "corpus.tsv")
    out = folder / "run"
    assert main(_train_args(data, out, "--epochs", "1")) == 0
    return out


# Fixtures that train a model: every test that uses one is `slow`, so the fast tier
# (`-m "not browser and not slow"`) never waits for a training, and the full run still has them all.
TRAINING_FIXTURES = frozenset({"overfit_translator", "trained_run"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if TRAINING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# No background warm-up of every shipped model while tests run (ui.warm_up.warm_up).
os.environ.setdefault("ATTENTION_LAB_WARM_UP", "0")
