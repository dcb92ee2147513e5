"""Command-line arguments are checked before any work or write: exit 2 with the value in the message."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from core import evaluate as evaluate_cli
from core import runs
from core.data import parse_tsv, read_pairs
from core.runs import report as report_cli
from core.runs.lock import run_lock
from core.train import checkpoints
from core.train import cli as train_cli
from core.train import export as export_cli


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--batch-size", "0"), "--batch-size 0"),
        (("--batch-size", "-4"), "--batch-size -4"),
        (("--epochs", "0"), "--epochs 0"),
        (("--epochs", "-1"), "--epochs -1"),
        (("--learning-rate", "nan"), "--learning-rate nan"),
        (("--learning-rate", "-1"), "--learning-rate -1"),
        (("--val-fraction", "1.5"), "--val-fraction 1.5"),
        (("--val-fraction", "0.6", "--test-fraction", "0.5"), "leave no training pairs"),
        (("--max-tokens", "0"), "--max-tokens 0"),
        (("--steps-log-every", "-1"), "--steps-log-every -1"),
        (("--d-model", "65536", "--arch", "transformer"), "--d-model 65536"),
        (("--embedding-dim", "0"), "--embedding-dim"),
        (("--verbose", "9"), "--verbose '9'"),
        (("--name-swaps", "1.5"), "--name-swaps 1.5"),
        (("--name-swaps", "nan"), "--name-swaps nan"),
    ],
)
def test_bad_training_arguments_exit_2_before_any_write(train_args, tiny_tsv, tmp_path, capsys, extra, message):
    out = tmp_path / "run"
    assert train_cli.main([*train_args(tiny_tsv, out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_an_empty_corpus_is_named_and_leaves_nothing(train_args, tmp_path, capsys):
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "run"
    assert train_cli.main(train_args(empty, out, "--epochs", "1")) == 2
    err = capsys.readouterr().err
    assert "empty.tsv gives no training pairs" in err
    assert not out.exists()  # nothing that blocks the rerun


def test_a_failed_start_does_not_block_the_rerun(train_args, tiny_tsv, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    assert train_cli.main(train_args(tmp_path / "nowhere.tsv", out, "--epochs", "1")) == 2
    assert [p.name for p in out.iterdir() if p.name != ".lock"] == []
    # what a start killed before its first epoch leaves: vocabularies and a config, no epoch
    (out / runs.SRC_VOCAB).write_text("\n[UNK]\n[START]\n[END]\n", encoding="utf-8")
    (out / runs.CONFIG).write_text("{}", encoding="utf-8")
    from core.train import args as checks

    assert not checks.has_progress(out)
    assert checks.foreign_entries(out) == []


def test_a_folder_with_other_files_is_not_cleared(train_args, tiny_tsv, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert train_cli.main(train_args(tiny_tsv, out, "--epochs", "1")) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
def test_a_second_training_is_refused_naming_the_holder(trained_run, train_args, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    history = (run / runs.HISTORY).read_text(encoding="utf-8")
    with run_lock(run, "train"):
        assert train_cli.main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "2", "--resume")) == 1
    err = capsys.readouterr().err
    assert f"process {os.getpid()}" in err
    assert (run / runs.HISTORY).read_text(encoding="utf-8") == history


@pytest.mark.slow
def test_evaluation_write_and_export_are_refused_while_a_writer_holds_the_folder(trained_run, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    with run_lock(run, "train"):
        assert evaluate_cli.main(["--run", str(run), "--write", "--limit", "2"]) == 1
        assert f"process {os.getpid()}" in capsys.readouterr().err
        assert export_cli.main(["--run", str(run), "--out", str(tmp_path / "shipped")]) == 1
        assert f"process {os.getpid()}" in capsys.readouterr().err
    assert not (run / runs.METRICS).exists()
    assert not (tmp_path / "shipped").exists()


def _pretend_epochs(run, n: int) -> None:
    """Make a copied one-epoch run look as if it had finished ``n`` epochs."""
    point = checkpoints.found(run)[0]
    point.weights.rename(checkpoints.weights_path(run, n))
    meta = run / runs.CHECKPOINT / f"epoch_{point.epoch:03d}.json"
    meta.rename(meta.with_name(f"epoch_{n:03d}.json"))
    meta = meta.with_name(f"epoch_{n:03d}.json")
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "epoch": n}), encoding="utf-8")


@pytest.mark.slow
def test_resume_refuses_fewer_epochs_than_finished(trained_run, train_args, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    _pretend_epochs(run, 8)
    training = (run / runs.TRAINING).read_text(encoding="utf-8")
    assert train_cli.main(train_args(trained_run.parent / "corpus.tsv", run, "--epochs", "5", "--resume")) == 2
    assert "--epochs 5 is below the 8 epochs" in capsys.readouterr().err
    assert (run / runs.TRAINING).read_text(encoding="utf-8") == training


@pytest.mark.slow
def test_resume_refuses_another_architecture_or_data_set(trained_run, train_args, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    data = trained_run.parent / "corpus.tsv"
    training = (run / runs.TRAINING).read_text(encoding="utf-8")
    assert train_cli.main(train_args(data, run, "--epochs", "1", "--resume", "--arch", "transformer")) == 2
    assert "--arch transformer differs from the run's arch additive" in capsys.readouterr().err
    other = tmp_path / "other.tsv"
    other.write_text("hello .\thola .\n" * 30, encoding="utf-8")
    assert train_cli.main(train_args(other, run, "--epochs", "1", "--resume")) == 2
    err = capsys.readouterr().err
    assert "differs from the run's data" in err and "--force" in err
    changed = tmp_path / "changed"
    shutil.copytree(trained_run.parent, changed)
    (changed / "corpus.tsv").write_text("hello .\thola .\n" * 30, encoding="utf-8")
    rerun = tmp_path / "rerun"
    shutil.copytree(trained_run, rerun)
    tc = json.loads((rerun / runs.TRAINING).read_text(encoding="utf-8"))
    (rerun / runs.TRAINING).write_text(json.dumps(tc | {"data": str(changed / "corpus.tsv")}), encoding="utf-8")
    assert train_cli.main(train_args(changed / "corpus.tsv", rerun, "--epochs", "1", "--resume")) == 2
    assert "is not the one the run started on" in capsys.readouterr().err
    assert (run / runs.TRAINING).read_text(encoding="utf-8") == training
    assert train_cli.main(train_args(other, run, "--epochs", "1", "--resume", "--force")) == 0
    assert json.loads((run / runs.TRAINING).read_text(encoding="utf-8"))["data"] == str(other)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--batch-size", "-1", "--write"), "--batch-size -1"),
        (("--batch-size", "0"), "--batch-size 0"),
        (("--beam", "0", "--write"), "--beam 0"),
        (("--beam", "-3", "--write"), "--beam -3"),
        (("--limit", "-1"), "--limit -1"),
        (("--alpha", "nan"), "--alpha nan"),
    ],
)
def test_bad_evaluation_arguments_exit_2_and_keep_metrics(tmp_path, capsys, extra, message):
    run = tmp_path / "run"
    run.mkdir()
    (run / runs.METRICS).write_text('{"bleu": 40.8}', encoding="utf-8")
    assert evaluate_cli.main(["--run", str(run), *extra]) == 2
    assert message in capsys.readouterr().err
    assert (run / runs.METRICS).read_text(encoding="utf-8") == '{"bleu": 40.8}'


def test_report_names_the_damaged_file_without_a_traceback(tmp_path, capsys):
    from tests.core.runs.folders_test import _fake_run

    run = _fake_run(tmp_path / "assets" / "broken")
    (run / runs.METRICS).write_text('{"training": "x"}', encoding="utf-8")
    assert report_cli.main([str(run)]) == 2
    err = capsys.readouterr().err
    assert "metrics.json: 'training' must be an object" in err
    (run / runs.METRICS).unlink()
    (run / runs.HISTORY).write_bytes(b"epoch,loss\n1,\xff\n")
    assert report_cli.main([str(run)]) == 2
    assert "history.csv: is not UTF-8 text (byte 0xff at position 13)" in capsys.readouterr().err


def test_a_corpus_that_is_not_utf8_is_named(tmp_path):
    bad = tmp_path / "latin1.tsv"
    bad.write_bytes("hello .\tañejo .\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.tsv is not UTF-8 text \(byte 0xf1"):
        read_pairs(bad)


def test_a_byte_order_mark_is_not_part_of_the_first_sentence(tmp_path):
    assert parse_tsv(["\ufeffhello .\thola ."]) == [("hello .", "hola .")]
    tsv = tmp_path / "bom.tsv"
    tsv.write_bytes("\ufeffgo .\tve .\n".encode())
    assert read_pairs(tsv)[0][0] == "go ."


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--workers", "127.0.0.1:70000", "--worker-index", "0"), "--workers '127.0.0.1:70000'"),
        (("--workers", "127.0.0.1", "--worker-index", "0"), "'127.0.0.1' is not host:port"),
        (("--workers", "a:1,a:1", "--worker-index", "0"), "names a:1 more than once"),
        (("--workers", "a:1,b:2"), "--workers 'a:1,b:2' needs --worker-index"),
        (("--workers", "a:1,b:2", "--worker-index", "2"), "--worker-index 2 is not in 0..1"),
        (("--workers", "a:1,b:2", "--worker-index", "-1"), "--worker-index -1 is not in 0..1"),
        (
            (
                "--worker-index",
                "1",
            ),
            "--worker-index 1 needs --workers",
        ),
        (("--workers", "a:1,b:2", "--worker-index", "0", "--strategy", "mirrored"), "not --strategy mirrored"),
        (("--worker-timeout", "0", "--strategy", "multiworker"), "--worker-timeout 0.0 must be"),
        (("--worker-timeout", "30"), "--worker-timeout 30.0 applies to --strategy multiworker only"),
        (("--loop", "fit", "--strategy", "multiworker"), "--loop fit cannot train under --strategy multiworker"),
    ],
)
def test_bad_cluster_flags_exit_2_before_any_write(train_args, tiny_tsv, tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    out = tmp_path / "run"
    assert train_cli.main([*train_args(tiny_tsv, out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not out.exists() and "TF_CONFIG" not in os.environ


def test_workers_and_tf_config_together_are_refused(train_args, tiny_tsv, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"index": 0}}))
    out = tmp_path / "run"
    assert train_cli.main([*train_args(tiny_tsv, out), "--workers", "a:1,b:2", "--worker-index", "0"]) == 2
    assert "--workers and $TF_CONFIG both describe the cluster" in capsys.readouterr().err
    assert not out.exists()


def test_workers_become_tf_config(monkeypatch):
    import argparse

    from core.train import cluster

    monkeypatch.setenv("TF_CONFIG", "{}")  # recorded, so that the variable set below goes again after the test
    monkeypatch.delenv("TF_CONFIG")
    args = argparse.Namespace(workers="10.0.0.1:2222, 10.0.0.2:2222", worker_index=1, strategy="default")
    cluster.check_flags(args)
    cluster.apply_flags(args)
    spec = json.loads(os.environ["TF_CONFIG"])
    assert spec == {"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 1}}
    assert args.strategy == "multiworker" and not cluster.is_chief()
