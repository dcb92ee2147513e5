"""The validating reader of model folders, and a seeded corruption fuzzer over every file type."""

from __future__ import annotations

import json
import os
import random
import shutil

import pytest

from core import runs
from core.runs import history, model_files
from core.runs.report import read_card
from tests.core.runs.folders_test import _fake_run
from tests.faults import KINDS, OUTSIDE_SECRET, complete_run, mutate

FAST_PER_KIND = 10  # mutations of each file type in the fast tier
SLOW_PER_KIND = 300  # and in the full battery


def _model(tmp_path):
    run = _fake_run(tmp_path / "root" / "lab" / "model")
    runs.write_history(run, [{"epoch": 1, "loss": 2.0, "val_loss": 2.1, "wall_time": 1.0}])
    return complete_run(run)


def test_a_sound_folder_passes(tmp_path):
    run = _model(tmp_path)
    assert model_files.check(run) is None
    assert runs.read_metrics(run)["bleu"] == 40.8
    assert runs.read_probes(run, 1)[0]["source"] == "I am cold."


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"bleu": "40.8"}', "'bleu' must be a finite number, got '40.8'"),
        ('{"bleu": null}', "'bleu' must be a finite number, got None"),
        ('{"bleu": NaN}', "NaN is not a number JSON allows"),
        ('{"training": "x"}', "'training' must be an object"),
        ('{"beam": {"bleu": [1]}}', "'beam.bleu' must be a finite number"),
        ("[1, 2]", "holds a JSON list, not an object"),
    ],
)
def test_bad_metrics_make_the_model_unusable_with_a_reason(tmp_path, text, problem):
    run = _model(tmp_path)
    (run / runs.METRICS).write_text(text, encoding="utf-8")
    (info,) = runs.find_runs([run.parent])
    assert info.error is not None and problem in info.error
    assert info.error.startswith("metrics.json: ")


def test_non_utf8_files_are_named_with_the_byte(tmp_path):
    run = _model(tmp_path)
    (run / runs.METRICS).write_bytes(b'{"bleu": 1}' + b"\xff" * 3)
    assert model_files.check(run) == "metrics.json: is not UTF-8 text (byte 0xff at position 11)"
    (run / runs.METRICS).unlink()
    (run / runs.HISTORY).write_bytes(b"epoch,loss\n1,2\xff\n")
    with pytest.raises(runs.RunError, match=r"history.csv: is not UTF-8 text \(byte 0xff at position 14\)"):
        runs.read_history(run)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("epoch,loss,val_loss\n1,2.0,2.1\n,1.5,1.6\n", "line 3: epoch '' is not a whole number"),
        ("epoch,loss\n1," + "9" * 2_000 + "\n", "line 2, column loss: a cell of 2,000 characters"),
        ("epoch,loss\n1," + "9" * 200_000 + "\n", "history.csv line 2: field larger than field limit (131072)"),
        ("epoch,loss\n1,2\n" + '2,"' + "a" * 140_000 + "\n", "line"),
        ("epoch,loss\n1.5,2\n", "epoch '1.5' is not a whole number"),
        ("loss\n2\n", "lacks columns ['epoch']"),
    ],
)
def test_bad_history_rows_are_refused_with_the_line(tmp_path, text, problem):
    run = _model(tmp_path)
    (run / runs.HISTORY).write_text(text, encoding="utf-8")
    with pytest.raises(runs.RunError) as caught:
        runs.read_history(run)
    assert problem in str(caught.value)
    assert model_files.check(run) is None  # the model still translates; pages reading the log say why


def test_history_without_wall_time_reads_as_nan(tmp_path):
    run = _model(tmp_path)
    (run / runs.HISTORY).write_text("epoch,loss,val_loss\n1,2.0,2.1\n", encoding="utf-8")
    (row,) = runs.read_history(run)
    assert row["wall_time"] != row["wall_time"]  # NaN
    assert read_card(run)["epochs"] == 1


def test_a_vocabulary_linked_outside_the_folder_is_refused_unread(tmp_path):
    run = _model(tmp_path)
    outside = tmp_path / "passwd"
    outside.write_text(f"\n[UNK]\n[START]\n{OUTSIDE_SECRET}\n", encoding="utf-8")
    (run / runs.SRC_VOCAB).unlink()
    os.symlink(outside, run / runs.SRC_VOCAB)
    error = model_files.check(run)
    assert error == "vocab_src.txt: points outside the model folder; refused"
    (run / runs.SRC_VOCAB).unlink()
    os.symlink("/etc/passwd", run / runs.SRC_VOCAB)
    assert "outside" in model_files.check(run)


def test_a_huge_config_is_refused_before_any_allocation(tmp_path):
    run = _model(tmp_path)
    config = json.loads((run / runs.CONFIG).read_text())
    (run / runs.CONFIG).write_text(json.dumps(config | {"arch": "transformer", "d_model": 65536}))
    assert model_files.check(run) == "config.json: d_model 65536 is above the cap of 1024"


def test_messages_never_hold_absolute_paths():
    text = "Unable to open file (name='/srv/app/runs/x/model.weights.h5', errno = 2)"
    assert model_files.scrub(text) == "Unable to open file (name='model.weights.h5', errno = 2)"


def _fuzz(tmp_path, per_kind: int, seed: int = 0) -> int:
    base = _model(tmp_path / "base")
    tried = 0
    for k, kind in enumerate(KINDS):
        for i in range(per_kind):
            rng = random.Random(seed * 1_000_003 + k * 10_007 + i)
            run = tmp_path / "fuzz" / "lab" / f"m{k}_{i}"
            shutil.copytree(base, run, symlinks=True)
            what = mutate(run, kind, rng)
            tried += 1
            where = f"{kind} ({what}, seed {k}/{i})"
            error = model_files.check(run)
            for text in [error or "", *(r.error or "" for r in runs.find_runs([run.parent]))]:
                assert str(tmp_path) not in text and "/etc" not in text, where
                assert OUTSIDE_SECRET not in text and "root:" not in text, where
            if error is None:  # what passes the check must be usable by every reader (logs: a RunError at most)
                try:
                    card = read_card(run)
                except runs.RunError:  # the report is a terminal command: its message names the folder
                    assert kind == runs.HISTORY, where
                else:
                    assert card["BLEU"] is None or f"{card['BLEU']:.1f}"
            for read in (lambda r: history.read_run(r), lambda r: history.read_run(r, "tensorboard")):
                try:
                    read(run)
                except history.HistoryError as e:
                    assert str(tmp_path) not in str(e), where
            try:
                runs.read_probes(run, 1)
            except runs.RunError as e:
                assert str(tmp_path) not in str(e) and OUTSIDE_SECRET not in str(e), where
            shutil.rmtree(run)
    return tried


def test_corruption_fuzzer_over_every_file_type(tmp_path):
    assert _fuzz(tmp_path, FAST_PER_KIND) == FAST_PER_KIND * len(KINDS)


@pytest.mark.slow
def test_corruption_fuzzer_full(tmp_path, record_property):
    tried = _fuzz(tmp_path, SLOW_PER_KIND, seed=1)
    record_property("mutations", tried)
    assert tried == SLOW_PER_KIND * len(KINDS)


def test_an_uploaded_csv_with_a_huge_field_is_refused_with_a_message():
    data = b"epoch,loss\n1," + b"9" * 140_000 + b"\n"
    with pytest.raises(history.HistoryError) as caught:
        history.validate_upload(data)
    assert caught.value.code == "bad_csv"
    assert "Line 2" in str(caught.value) and "field larger than field limit" in str(caught.value)


def test_a_history_file_outside_the_folder_is_not_read_for_curves(tmp_path):
    run = _model(tmp_path)
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("epoch,loss\n1,2\n")
    (run / runs.HISTORY).unlink()
    os.symlink(outside, run / runs.HISTORY)
    with pytest.raises(history.HistoryError, match="points outside the model folder"):
        history.read_history(run)
