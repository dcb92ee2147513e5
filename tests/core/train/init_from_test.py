"""Starting a run from another model's weights (``--init-from``): what is copied, what is refused."""

from __future__ import annotations

import numpy as np
import pytest

from core import runs
from core.decoding import load_translator
from core.models import build_model
from core.models.config import ModelConfig
from core.runs import provenance
from core.train.init_from import copy_matching, weight_role

SIZES = dict(src_vocab_size=30, tgt_vocab_size=40, embedding_dim=8, encoder_units=8, decoder_units=16,
             attention_units=8)  # fmt: skip


def test_role_drops_the_model_name_keras_numbers_and_the_local_scorer():
    assert weight_role("seq2_seq_attention_1/encoder/forward_gru_1/gru_cell/kernel") == (
        "encoder/forward_gru/gru_cell/kernel"
    )
    assert weight_role("seq2_seq_attention_3/attention/scorer/w") == "attention/w"
    assert weight_role("seq2_seq_attention/attention/w") == "attention/w"
    assert weight_role("seq2_seq_attention_2/attention/w_p/kernel") == "attention/w_p/kernel"


def test_local_p_gets_every_weight_of_the_global_model_but_its_position_predictor():
    rng = np.random.default_rng(0)
    source = build_model(ModelConfig(arch="general", **SIZES))
    for w in source.weights:
        w.assign(rng.normal(size=tuple(w.shape)).astype("float32"))
    model = build_model(ModelConfig(arch="local-p", window=10, **SIZES))
    fresh_before = {weight_role(w.path): np.array(w.numpy()) for w in model.weights}
    report = copy_matching(model, source)
    assert report["fresh"] == ["attention/w_p/kernel", "attention/v_p/kernel"]
    assert report["unused"] == []
    theirs = {weight_role(w.path): w.numpy() for w in source.weights}
    for w in model.weights:
        role = weight_role(w.path)
        expected = fresh_before[role] if role in report["fresh"] else theirs[role]
        np.testing.assert_array_equal(w.numpy(), expected, err_msg=role)


def test_a_weight_of_another_shape_stays_fresh():
    source = build_model(ModelConfig(arch="general", **{**SIZES, "decoder_units": 32}))
    model = build_model(ModelConfig(arch="general", **SIZES))
    report = copy_matching(model, source)
    assert "src_embedding/embeddings" in report["copied"]  # same shape: copied
    assert "decoder/gru_cell/kernel" in report["fresh"]  # 32 units there, 16 here
    assert "decoder/gru_cell/kernel" in report["unused"]


@pytest.mark.slow
def test_training_starts_from_the_folders_weights_and_records_it(trained_run, train_args, tmp_path, capsys):
    data = trained_run.parent / "corpus.tsv"
    out = tmp_path / "local"
    args = train_args(data, out, "--epochs", "1", "--arch", "local-p", "--window", "3",
                      "--learning-rate", "1e-9", "--init-from", str(trained_run))  # fmt: skip
    from core.train.cli import main

    assert main(args) == 0
    assert "weights copied" in capsys.readouterr().out
    assert provenance.read_training(out)["init_from"] == str(trained_run)
    assert any("--init-from" in c for c in provenance.commands(out))
    # at a learning rate of 1e-9 one epoch leaves the copied weights where they started
    a = load_translator(trained_run).model
    b = load_translator(out).model
    theirs = {weight_role(w.path): w.numpy() for w in a.weights}
    for w in b.weights:
        role = weight_role(w.path)
        if role.startswith(("src_embedding", "encoder", "tgt_embedding", "decoder", "output", "bridge")):
            np.testing.assert_allclose(w.numpy(), theirs[role], atol=1e-5, err_msg=role)


@pytest.mark.slow
def test_other_vocabularies_are_refused_before_anything_is_written(trained_run, train_args, tmp_path, capsys):
    from core.train.cli import main

    other = tmp_path / "other.tsv"
    other.write_text("A dog.\tUn perro.\nTwo cats.\tDos gatos.\nI run.\tCorro.\n" * 4, encoding="utf-8")
    out = tmp_path / "local"
    assert main(train_args(other, out, "--epochs", "1", "--init-from", str(trained_run))) == 2
    err = capsys.readouterr().err
    assert "--init-from" in err and runs.SRC_VOCAB in err
    assert not out.exists()


def test_init_from_with_resume_is_a_usage_error(train_args, tiny_tsv, tmp_path, capsys):
    from core.train.cli import main

    assert main(train_args(tiny_tsv, tmp_path / "run", "--resume", "--init-from", str(tmp_path))) == 2
    assert "--init-from starts a new run" in capsys.readouterr().err
