"""A subword model's tokenizer.model is read through the validating reader and checked against config.json."""

from __future__ import annotations

import dataclasses

import pytest

from core import runs
from core.models.config import ModelConfig
from core.runs import model_files
from core.text import subword

CORPUS = ["I have a red car.", "Tengo un coche rojo.", "Where is Tom?", "¿Dónde está Tom?"] * 10


def _folder(tmp_path):
    model = subword.train_model(CORPUS, vocab_size=300)
    tok = subword.SubwordTokenizer(model)
    config = ModelConfig(
        src_vocab_size=len(tok), tgt_vocab_size=len(tok), tokenizer="bpe", tokenizer_checksum=tok.checksum
    )
    (tmp_path / runs.TOKENIZER).write_bytes(model)
    runs.write_config(tmp_path / runs.CONFIG, config)
    runs.write_vocab(tmp_path / runs.SRC_VOCAB, tok.vocabulary)
    runs.write_vocab(tmp_path / runs.TGT_VOCAB, tok.vocabulary)
    return config, tok


def test_a_sound_tokenizer_loads(tmp_path):
    config, tok = _folder(tmp_path)
    loaded = model_files.read_tokenizer(tmp_path, config, tok.vocabulary, tok.vocabulary)
    assert loaded.split("Tom") == tok.split("Tom")


def test_a_changed_file_is_refused_by_its_checksum(tmp_path):
    config, tok = _folder(tmp_path)
    data = (tmp_path / runs.TOKENIZER).read_bytes()
    (tmp_path / runs.TOKENIZER).write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(model_files.ModelFileError, match="checksum"):
        model_files.read_tokenizer(tmp_path, config)


def test_garbage_with_the_right_checksum_is_not_a_model(tmp_path):
    config, _ = _folder(tmp_path)
    garbage = b"not a sentencepiece model" * 10
    (tmp_path / runs.TOKENIZER).write_bytes(garbage)
    config = dataclasses.replace(config, tokenizer_checksum=subword.checksum(garbage))
    with pytest.raises(model_files.ModelFileError, match="not a SentencePiece model") as e:
        model_files.read_tokenizer(tmp_path, config)
    assert str(tmp_path) not in str(e.value)


def test_vocabularies_must_hold_its_pieces(tmp_path):
    config, tok = _folder(tmp_path)
    other = subword.SubwordTokenizer(subword.train_model(CORPUS[:4] * 5, vocab_size=290)).vocabulary
    with pytest.raises(model_files.ModelFileError, match="vocab_src.txt"):
        model_files.read_tokenizer(tmp_path, config, other, tok.vocabulary)


def test_missing_and_outside_files_are_refused(tmp_path):
    config, _ = _folder(tmp_path)
    (tmp_path / runs.TOKENIZER).unlink()
    with pytest.raises(model_files.ModelFileError, match="missing"):
        model_files.read_tokenizer(tmp_path, config)
    outside = tmp_path.parent / "elsewhere.model"
    outside.write_bytes(b"x")
    (tmp_path / runs.TOKENIZER).symlink_to(outside)
    with pytest.raises(model_files.ModelFileError, match="outside"):
        model_files.read_tokenizer(tmp_path, config)


def test_check_names_the_tokenizer_problem(tmp_path):
    _folder(tmp_path)
    (tmp_path / runs.TOKENIZER).write_bytes(b"changed")
    problem = model_files.check(tmp_path)
    assert problem is not None and runs.TOKENIZER in problem


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"tokenizer": "bpe"}, "tokenizer_checksum"),
        ({"tokenizer": "bpe", "tokenizer_checksum": "md5:abc"}, "tokenizer_checksum"),
        ({"tokenizer_checksum": "sha256:" + "0" * 64}, "word tokenizer"),
        ({"tokenizer": "sentencepiece"}, "tokenizer"),
    ],
)
def test_config_fields_are_checked(fields, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**fields)
