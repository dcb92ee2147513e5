"""Tiny run folders the app can load: a Transformer (untrained or briefly trained) and friends.

``write_tiny_run(folder, arch)`` writes a complete run folder (config, vocabularies of
``TINY_PAIRS``, weights, a one-row history); ``train_epochs > 0`` first fits the model on
``TINY_PAIRS`` so it says something sensible. Point the app at the folder holding such runs
with ``$ATTENTION_LAB_MODEL_DIRS`` (:func:`use_model_dirs`); a run at ``<root>/<name>`` is
listed as ``"<root's name>/<name>"``. The ``tiny_model_dir`` fixture of
``tests/app/conftest.py`` does both for a Transformer and an additive model, built once per
test run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core import runs

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT_NAME = "lab"  # the folder that holds the tiny runs: their names start with "lab/"
TRANSFORMER = f"{ROOT_NAME}/tiny-transformer"
ADDITIVE = f"{ROOT_NAME}/tiny-additive"


def write_tiny_run(folder: Path, arch: str = "transformer", *, train_epochs: int = 0, seed: int = 3, **sizes) -> Path:
    """Write a complete run folder for a tiny ``arch`` model at ``folder`` (created) and return it.

    Transformers get 2 layers × 2 heads of width 16 unless ``sizes`` says otherwise; with
    ``train_epochs`` the model is first fitted for that many epochs on ``TINY_PAIRS``.
    """
    import keras

    from core.data import make_dataset
    from core.models import build_model
    from core.models.config import ModelConfig
    from core.train.losses import masked_loss
    from tests.conftest import TINY_PAIRS, tiny_pair_vocabularies

    folder.mkdir(parents=True)
    src_tok, tgt_tok, src, tgt = tiny_pair_vocabularies()
    shape = dict(
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8,
        num_layers=2, num_heads=2, d_model=16, ff_dim=32, max_decode_len=12, dropout=0.0,
    )  # fmt: skip
    shape.update(sizes)
    config = ModelConfig(arch=arch, src_vocab_size=len(src), tgt_vocab_size=len(tgt), **shape)
    keras.utils.set_random_seed(seed)
    model = build_model(config)
    if train_epochs > 0:
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=masked_loss)
        ds = make_dataset(
            [src.encode(t) for t in src_tok],
            [tgt.encode(t, add_start_end=True) for t in tgt_tok],
            batch_size=len(TINY_PAIRS),
            shuffle=False,
        )
        model.fit(ds.cache(), epochs=train_epochs, verbose=0)
    model.save_weights(str(folder / runs.WEIGHTS))
    runs.write_config(folder / runs.CONFIG, config)
    runs.write_vocab(folder / runs.SRC_VOCAB, src)
    runs.write_vocab(folder / runs.TGT_VOCAB, tgt)
    runs.write_history(folder, [{"epoch": max(1, train_epochs), "loss": 2.0, "val_loss": 2.1, "wall_time": 1.0}])
    return folder


def use_model_dirs(monkeypatch: pytest.MonkeyPatch, *roots: Path) -> None:
    """Make the app list the runs under ``roots`` (instead of ``assets/`` and ``runs/``)."""
    import streamlit as st

    monkeypatch.setenv(runs.MODEL_DIRS_ENV, os.pathsep.join(str(r) for r in roots))
    st.cache_data.clear()  # the cached model list


def write_tiny_subword_run(folder: Path, arch: str = "additive", *, seed: int = 3) -> Path:
    """An untrained tiny ``arch`` model that reads and writes SentencePiece pieces (config tokenizer ``bpe``)."""
    import keras

    from core.models import build_model
    from core.models.config import ModelConfig
    from core.text import subword
    from tests.conftest import TINY_PAIRS

    folder.mkdir(parents=True)
    corpus = [s for pair in TINY_PAIRS for s in pair] * 5 + ["Barcelona Wellington Okonkwo"] * 5
    model_bytes = subword.train_model(corpus, vocab_size=300)
    tokenizer = subword.SubwordTokenizer(model_bytes)
    config = ModelConfig(
        arch=arch, src_vocab_size=len(tokenizer), tgt_vocab_size=len(tokenizer), tokenizer="bpe",
        tokenizer_checksum=tokenizer.checksum, embedding_dim=8, encoder_units=8, decoder_units=16,
        attention_units=8, num_layers=1, num_heads=2, d_model=16, ff_dim=32, max_decode_len=12, dropout=0.0,
    )  # fmt: skip
    keras.utils.set_random_seed(seed)
    build_model(config).save_weights(str(folder / runs.WEIGHTS))
    (folder / runs.TOKENIZER).write_bytes(model_bytes)
    runs.write_config(folder / runs.CONFIG, config)
    runs.write_vocab(folder / runs.SRC_VOCAB, tokenizer.vocabulary)
    runs.write_vocab(folder / runs.TGT_VOCAB, tokenizer.vocabulary)
    runs.write_history(folder, [{"epoch": 1, "loss": 2.0, "val_loss": 2.1, "wall_time": 1.0}])
    return folder
