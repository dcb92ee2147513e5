"""A subword run end to end on a tiny corpus: the tokenizer is learned from the training split only,
saved beside the weights, recorded, loaded, and a resume keeps it."""

from __future__ import annotations

import json

import pytest

from core import runs
from core.data import read_pairs, split_pairs
from core.decoding import load_translator
from core.runs import model_files
from core.text.pieces import join_pieces
from core.train.cli import main

pytestmark = pytest.mark.slow

HELD_OUT_WORD = "Zorblaxian"


def _corpus(path):
    pairs = [(f"I see the {w} house.", f"Veo la casa {w}.") for w in ("red", "big", "old", "new", "small")] * 12
    pairs += [(f"{HELD_OUT_WORD} {i} came.", f"{HELD_OUT_WORD} {i} vino.") for i in range(40)]
    path.write_text("".join(f"{en}\t{es}\n" for en, es in pairs), encoding="utf-8")
    return path


def _args(data, out, *extra):
    return ["--data", str(data), "--out", str(out), "--arch", "transformer", "--tokenizer", "bpe",
            "--vocab-size", "300", "--d-model", "16", "--ff-dim", "32", "--num-layers", "1", "--num-heads", "2",
            "--max-source-len", "64", "--max-decode-len", "64", "--batch-size", "8", "--val-fraction", "0.2",
            "--test-fraction", "0.2", "--label-smoothing", "0.1", "--verbose", "0", "--steps-log-every", "5", *extra]  # fmt: skip


def test_subword_run_trains_saves_its_tokenizer_and_resumes(tmp_path):
    data = _corpus(tmp_path / "corpus.tsv")
    out = tmp_path / "run"
    assert main(_args(data, out, "--epochs", "1")) == 0
    config = model_files.read_config(out)
    assert config.tokenizer == "bpe" and config.tokenizer_checksum.startswith("sha256:")
    assert model_files.check(out) is None
    training = json.loads((out / runs.TRAINING).read_text(encoding="utf-8"))
    assert training["vocab_size"] == 300 and training["label_smoothing"] == 0.1

    # learned from the training split only: a word that is frequent only outside it has no piece of its own
    split = split_pairs(read_pairs(data), 0.2, 0.2, training["split_seed"])
    in_train = sum(HELD_OUT_WORD in en for en, _ in split.train)
    pieces = set(model_files.read_vocab(out, runs.SRC_VOCAB).tokens)
    if in_train == 0:
        assert "▁" + HELD_OUT_WORD not in pieces
    translator = load_translator(out)
    result = translator.translate("The Okonkwo house.")
    assert result.tokenizer == "bpe" and "[UNK]" not in result.target_tokens
    assert not any(result.unknown)
    assert join_pieces(result.source_tokens) == "The Okonkwo house."  # spelled out, byte pieces included

    before = (out / runs.TOKENIZER).read_bytes()
    assert main(_args(data, out, "--epochs", "2", "--resume")) == 2  # --vocab-size is refused on a resume
    resume = [a for a in _args(data, out, "--epochs", "2", "--resume") if a not in ("--vocab-size", "300")]
    assert main(resume) == 0
    assert (out / runs.TOKENIZER).read_bytes() == before
    assert [int(r["epoch"]) for r in runs.read_history(out)] == [1, 2]


def test_name_swaps_add_training_copies_after_the_tokenizer_is_learned(tmp_path, capsys):
    data = tmp_path / "corpus.tsv"
    pairs = [(f"Tom sees the {w} house.", f"Tom ve la casa {w}.") for w in ("red", "big", "old", "new")] * 10
    pairs += [(f"I see the {w} house.", f"Veo la casa {w}.") for w in ("red", "big", "old", "new")] * 10
    data.write_text("".join(f"{en}\t{es}\n" for en, es in pairs), encoding="utf-8")
    plain, swapped = tmp_path / "plain", tmp_path / "swapped"
    assert main(_args(data, plain, "--epochs", "1")) == 0
    capsys.readouterr()
    assert main(_args(data, swapped, "--epochs", "1", "--name-swaps", "1")) == 0
    split = split_pairs(read_pairs(data), 0.2, 0.2, 1234)
    with_tom = sum(en.startswith("Tom") for en, _ in split.train)
    assert f"{with_tom} training pairs added with a made-up name (--name-swaps 1.0)" in capsys.readouterr().out
    assert json.loads((swapped / runs.TRAINING).read_text(encoding="utf-8"))["name_swaps"] == 1.0
    assert json.loads((plain / runs.TRAINING).read_text(encoding="utf-8"))["name_swaps"] == 0.0
    # the tokenizer is the corpus's own: the copies come after it
    assert (swapped / runs.TOKENIZER).read_bytes() == (plain / runs.TOKENIZER).read_bytes()
    resume = [a for a in _args(data, swapped, "--epochs", "2", "--resume") if a not in ("--vocab-size", "300")]
    assert main([*resume, "--name-swaps", "0.5"]) == 2  # a resumed run keeps its own training pairs
    assert main(resume) == 0
