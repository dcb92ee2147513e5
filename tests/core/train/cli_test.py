"""``python -m core.train``: the run folder it writes, resuming, and reading the run back."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pytest

from core import runs
from core.data.probes import PROBE_SENTENCES
from core.decoding import Translation, load_translator
from core.models.config import ModelConfig
from core.text import tokenize
from core.text.vocab import SPECIALS, Vocabulary
from core.train.cli import TrainConfig, learning_rate_for, main

pytestmark = pytest.mark.slow  # every test here trains or reads a trained run


def _steps(run):
    with (run / runs.STEPS).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_run_folder_has_every_file(trained_run):
    for name in (runs.CONFIG, runs.TRAINING, runs.WEIGHTS, runs.SRC_VOCAB, runs.TGT_VOCAB, runs.HISTORY, runs.STEPS):
        assert (trained_run / name).is_file(), name
    assert list((trained_run / runs.TENSORBOARD).rglob("events.out.tfevents*"))
    assert runs.probe_file(trained_run, 1).is_file()
    assert (trained_run / runs.CHECKPOINT).is_dir()
    assert any(p.is_file() for p in (trained_run / runs.CHECKPOINT).rglob("*"))
    assert runs.is_run(trained_run)


def test_config_and_vocabularies(trained_run):
    config = ModelConfig.load(trained_run / runs.CONFIG)
    assert (config.embedding_dim, config.encoder_units, config.decoder_units, config.attention_units) == (8, 8, 16, 8)
    src = Vocabulary.load(trained_run / runs.SRC_VOCAB)
    tgt = Vocabulary.load(trained_run / runs.TGT_VOCAB)
    assert src.tokens[:4] == SPECIALS and tgt.tokens[:4] == SPECIALS
    assert (config.src_vocab_size, config.tgt_vocab_size) == (len(src), len(tgt))
    assert len(src) <= 30 and len(tgt) <= 40


def test_training_json(trained_run):
    training = json.loads((trained_run / runs.TRAINING).read_text(encoding="utf-8"))
    assert training["epochs"] == 1
    assert training["batch_size"] == 4
    assert training["val_fraction"] == training["test_fraction"] == 0.1
    assert training["data"].endswith("corpus.tsv")


def test_history(trained_run):
    with (trained_run / runs.HISTORY).open(newline="", encoding="utf-8") as f:
        assert tuple(csv.DictReader(f).fieldnames or ()) == runs.HISTORY_COLUMNS
    (row,) = runs.read_history(trained_run)
    assert row["epoch"] == 1
    for column in runs.HISTORY_COLUMNS:
        assert np.isfinite(row[column]), column
    assert row["loss"] > 0 and row["val_loss"] > 0
    assert 0 <= row["accuracy"] <= 1 and 0 <= row["val_accuracy"] <= 1
    assert row["learning_rate"] == pytest.approx(1e-3)


def test_steps_log(trained_run):
    rows = _steps(trained_run)
    # 16 training pairs in batches of at most 4: at least 4 steps, all logged (--steps-log-every 1)
    assert len(rows) >= 4
    assert [int(r["step"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["epoch"] for r in rows} == {"1"}
    assert all(float(r["loss"]) > 0 for r in rows)


@pytest.mark.parametrize("epoch", [0, 1], ids=["untrained", "epoch-1"])
def test_probes(trained_run, epoch):
    assert runs.probe_epochs(trained_run) == [0, 1]  # epoch 0: the untrained model, before the first batch
    probes = runs.read_probes(trained_run, epoch)
    assert [p["source"] for p in probes] == list(PROBE_SENTENCES)
    for p in probes:
        assert p["source_tokens"] == tokenize(p["source"])
        assert len(p["unknown"]) == len(p["source_tokens"])
        attention = np.asarray(p["attention"])
        if p["target_tokens"]:
            assert attention.shape == (len(p["target_tokens"]), len(p["source_tokens"]))


def test_load_translator(trained_run):
    translator = load_translator(trained_run)
    t = translator.translate("I am cold.")
    assert isinstance(t, Translation)
    assert t.source_tokens == ["i", "am", "cold", "."]
    assert t.attention.shape == (len(t.target_tokens), 4)
    assert translator.config == ModelConfig.load(trained_run / runs.CONFIG)


def test_resume_continues_the_run(trained_run, train_args, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    data = trained_run.parent / "corpus.tsv"
    first_steps = _steps(run)
    first_row = runs.read_history(run)[0]
    capsys.readouterr()

    assert main(train_args(data, run, "--epochs", "2", "--resume")) == 0

    history = runs.read_history(run)
    assert [r["epoch"] for r in history] == [1, 2]
    assert history[0] == first_row  # epoch 1 kept, not trained again
    assert history[1]["wall_time"] >= history[0]["wall_time"]
    assert runs.probe_epochs(run) == [0, 1, 2]  # a resume writes no second epoch 0
    assert json.loads((run / runs.TRAINING).read_text(encoding="utf-8"))["epochs"] == 2
    steps = _steps(run)
    assert steps[: len(first_steps)] == first_steps  # the log is continued, not restarted
    later = steps[len(first_steps) :]
    assert later and {r["epoch"] for r in later} == {"2"}
    assert [int(r["step"]) for r in steps] == list(range(1, len(steps) + 1))


def test_resume_without_checkpoint_starts_from_the_saved_weights(trained_run, train_args, tmp_path, capsys):
    """A shipped model folder has weights and history but no checkpoint: training it further keeps both."""
    run = tmp_path / "run"
    shutil.copytree(trained_run, run, ignore=shutil.ignore_patterns(runs.CHECKPOINT))
    before = load_translator(run).model.get_weights()
    first_row = runs.read_history(run)[0]
    capsys.readouterr()

    assert main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "2", "--resume")) == 0

    assert "after epoch 1" in capsys.readouterr().out
    history = runs.read_history(run)
    assert [r["epoch"] for r in history] == [1, 2]
    assert history[0] == first_row
    assert (run / runs.HISTORY).read_text(encoding="utf-8").splitlines()[1][:2] == "1,"  # epochs stay integers
    # the second epoch started from the saved weights, not from a fresh initialisation: its
    # training loss continues the first epoch's instead of starting over
    assert history[1]["loss"] < first_row["loss"]
    after = load_translator(run).model.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_resume_can_change_the_learning_rate_and_schedule(trained_run, train_args, tmp_path):
    """Fine-tuning a finished run at a lower, decaying rate is recorded in training.json."""
    run = tmp_path / "run"
    shutil.copytree(trained_run, run, ignore=shutil.ignore_patterns(runs.CHECKPOINT))
    args = ("--epochs", "2", "--resume", "--learning-rate", "5e-4", "--lr-schedule", "cosine")
    assert main(train_args(trained_run.parent / "corpus.tsv", run, *args)) == 0

    training = json.loads((run / runs.TRAINING).read_text(encoding="utf-8"))
    assert (training["learning_rate"], training["lr_schedule"]) == (5e-4, "cosine")
    assert [r["epoch"] for r in runs.read_history(run)] == [1, 2]


def test_resume_keeps_the_runs_own_learning_rate_unless_told(trained_run, train_args, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run, ignore=shutil.ignore_patterns(runs.CHECKPOINT))
    own = json.loads((run / runs.TRAINING).read_text(encoding="utf-8"))
    assert main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "2", "--resume")) == 0
    training = json.loads((run / runs.TRAINING).read_text(encoding="utf-8"))
    assert training["learning_rate"] == own["learning_rate"]
    assert training["lr_schedule"] == own.get("lr_schedule", "constant")


def test_cosine_schedule_decays_to_zero_over_the_given_steps():
    tc = TrainConfig(learning_rate=1e-3, lr_schedule="cosine")
    schedule = learning_rate_for(tc, steps=100)
    assert float(schedule(0)) == pytest.approx(1e-3)
    assert float(schedule(50)) == pytest.approx(5e-4, rel=1e-4)  # ½(1 + cos(π/2))
    assert float(schedule(100)) == pytest.approx(0.0, abs=1e-9)
    assert learning_rate_for(TrainConfig(learning_rate=2e-3), steps=100) == 2e-3


@pytest.mark.parametrize(("schedule", "steps", "message"), [("linear", 10, "linear"), ("cosine", 0, "got 0")])
def test_bad_schedules_name_the_value(schedule, steps, message):
    with pytest.raises(ValueError, match=message):
        learning_rate_for(TrainConfig(lr_schedule=schedule), steps=steps)


def test_non_empty_out_needs_resume(trained_run, train_args, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    before = sorted(p.name for p in run.iterdir())
    assert main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "1")) == 2
    assert "--resume" in capsys.readouterr().err
    assert sorted(p.name for p in run.iterdir()) == before
    assert [r["epoch"] for r in runs.read_history(run)] == [1]


def test_resume_needs_a_run(train_args, tiny_tsv, tmp_path, capsys):
    assert main(train_args(tiny_tsv, tmp_path / "empty", "--epochs", "1", "--resume")) == 2
    assert runs.CONFIG in capsys.readouterr().err


def test_missing_data_is_an_error_not_a_traceback(train_args, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(train_args(tmp_path / "nowhere.zip", out, "--epochs", "1")) == 2
    err = capsys.readouterr().err
    assert "nowhere.zip" in err
    assert "spa-eng.zip" in err


@pytest.mark.parametrize(
    "extra",
    [
        ("--arch", "transformer", "--ffn", "swiglu", "--norm", "pre", "--num-layers", "1", "--num-heads", "2",
         "--d-model", "8", "--ff-dim", "16"),
        ("--arch", "local-p", "--window", "2", "--input-feeding"),
    ],
    ids=["transformer-swiglu", "local-p-feeding"],
)  # fmt: skip
def test_cli_trains_every_architecture(tmp_path, tiny_tsv, train_args, extra):
    out = tmp_path / "run"
    assert main(train_args(tiny_tsv, out, "--epochs", "1", *extra)) == 0
    config = ModelConfig.load(out / runs.CONFIG)
    assert config.arch == extra[1]
    assert runs.probe_epochs(out) == [0, 1]
    t = load_translator(out).translate("I am cold.")
    assert t.attention.shape == (len(t.target_tokens), len(t.source_tokens))
    if config.arch == "transformer":
        assert config.ffn == "swiglu" and config.norm == "pre"
        assert t.layers["cross"].shape[:2] == (1, 2)
    else:
        assert config.input_feeding and config.window == 2
        assert t.positions is not None


def test_resume_from_a_checkpoint_decays_over_the_epochs_it_trains(trained_run, train_args, tmp_path, capsys):
    """The cosine round starts at the checkpoint's epoch and reaches 0 at the last one; the checkpoint stays."""
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    assert (run / runs.CHECKPOINT).is_dir()
    capsys.readouterr()
    args = ("--epochs", "3", "--resume", "--learning-rate", "1e-3", "--lr-schedule", "cosine", "--keep", "last")
    assert main(train_args(trained_run.parent / "corpus.tsv", run, *args)) == 0

    assert "no checkpoint" not in capsys.readouterr().out  # resumed from the checkpoint, not the saved weights
    history = runs.read_history(run)
    assert [r["epoch"] for r in history] == [1, 2, 3]
    # after epoch 2 of the round 1 -> 3: ½(1 + cos(π/2)); after epoch 3 the rate has decayed to 0
    assert history[1]["learning_rate"] == pytest.approx(5e-4, rel=1e-4)
    assert history[2]["learning_rate"] == pytest.approx(0.0, abs=1e-9)
    training = json.loads((run / runs.TRAINING).read_text(encoding="utf-8"))
    assert training["keep"] == "last"
    assert training["saved"]["epoch"] == 3 and training["saved"]["keep"] == "last"
    assert training["saved"]["val_loss"] == pytest.approx(history[2]["val_loss"])
    best = min(history, key=lambda r: r["val_loss"])
    assert (training["saved"]["best_epoch"], training["saved"]["best_val_loss"]) == (best["epoch"], best["val_loss"])
    first, second = training["commands"]
    assert first.startswith("python -m core.train ") and "--resume" not in first
    assert second.startswith("python -m core.train ") and second.endswith(" ".join(args))


def test_training_json_records_the_command_and_the_saved_epoch(trained_run):
    training = json.loads((trained_run / runs.TRAINING).read_text(encoding="utf-8"))
    assert training["keep"] == "best"
    (command,) = training["commands"]
    assert command.startswith("python -m core.train --data ") and "--epochs 1" in command
    assert training["saved"] == {
        "epoch": 1,
        "keep": "best",
        "val_loss": pytest.approx(runs.read_history(trained_run)[0]["val_loss"]),
        "best_epoch": 1,
        "best_val_loss": pytest.approx(runs.read_history(trained_run)[0]["val_loss"]),
    }


def test_a_non_chief_worker_resumes_from_the_chiefs_folder_and_writes_nothing(
    trained_run, train_args, tmp_path, monkeypatch
):
    """Worker 1 of a cluster reads the run from the chief's folder and trains in a temporary folder it removes.

    (The strategy here is the default one: what is checked is where a worker reads and writes.)
    """
    import os
    import tempfile

    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    cluster = {"worker": ["localhost:1", "localhost:2"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 1}}))
    before = {p.relative_to(run): p.read_bytes() for p in run.rglob("*") if p.is_file()}

    assert main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "2", "--resume")) == 0

    assert sorted(os.listdir(tmp_path)) == ["run", "scratch"]
    assert os.listdir(scratch) == []  # its temporary folder went with it
    after = {p.relative_to(run): p.read_bytes() for p in run.rglob("*") if p.is_file()}
    assert after == before  # the chief's folder is only read
