"""Which epoch a run keeps, and the record of it: the rule, the log, and the run logger that applies it."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from core import runs
from core.decoding import load_translator
from core.runs import provenance


def test_command_line_quotes_what_the_shell_would_split():
    line = provenance.command_line(["--out", "runs/my model", "--epochs", "3"])
    assert line == "python -m core.train --out 'runs/my model' --epochs 3"


@pytest.mark.parametrize(
    ("keep", "val_loss", "best", "have", "expected"),
    [
        ("best", 1.0, 2.0, True, True),
        ("best", 2.0, 1.0, True, False),
        ("best", 2.0, 1.0, False, True),  # the first weights are always written
        ("best", math.nan, 1.0, True, True),  # no validation split: keep the latest
        ("last", 2.0, 1.0, True, True),
    ],
)
def test_should_save(keep, val_loss, best, have, expected):
    assert provenance.should_save(keep, val_loss, best, have) is expected


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="'median'"):
        provenance.should_save("median", 1.0, 1.0, True)


def test_saved_falls_back_to_the_best_validation_epoch(tmp_path):
    """A run from before the record existed kept the lowest validation loss: history.csv names its epoch."""
    rows = [{"epoch": e, "loss": 1.0, "val_loss": v} for e, v in ((1, 3.0), (2, 1.5), (3, 2.0))]
    runs.write_history(tmp_path, rows)
    (tmp_path / runs.TRAINING).write_text("{}", encoding="utf-8")
    assert provenance.saved(tmp_path) == {
        "epoch": 2,
        "keep": "best",
        "val_loss": 1.5,
        "best_epoch": 2,
        "best_val_loss": 1.5,
    }
    provenance.update_training(tmp_path, saved=provenance.saved_record("last", 3, 2.0, rows))
    assert provenance.saved(tmp_path)["epoch"] == 3 and provenance.saved(tmp_path)["keep"] == "last"
    assert provenance.saved(tmp_path / "nothing") is None


@pytest.mark.slow
@pytest.mark.parametrize(("keep", "saved_epoch"), [("best", 2), ("last", 3)])
def test_run_logger_keeps_the_weights_its_rule_chooses(trained_run, tmp_path, keep, saved_epoch):
    """Validation losses 2.0, 1.0, 1.5: ``best`` keeps epoch 2's weights, ``last`` epoch 3's."""
    from core.train.run_logger import RunLogger

    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    (run / runs.WEIGHTS).unlink()
    translator = load_translator(trained_run)
    model = translator.model
    logger = RunLogger(run, translator.src_vocab, translator.tgt_vocab, keep=keep)
    logger.set_model(model)
    logger.rows, logger.best = [], math.inf
    weights = model.get_weights()
    for epoch, val_loss in ((1, 2.0), (2, 1.0), (3, 1.5)):
        model.set_weights([w + epoch for w in weights])  # each epoch's weights are told apart by the offset
        row = {"epoch": epoch, "loss": 1.0, "val_loss": val_loss}
        logger.rows.append(row)
        if logger.choose(row):
            logger.keep_weights(epoch, val_loss)
    kept = load_translator(run).model.get_weights()
    np.testing.assert_allclose(kept[0], weights[0] + saved_epoch)
    training = json.loads((run / runs.TRAINING).read_text(encoding="utf-8"))
    assert training["saved"] == {
        "epoch": saved_epoch,
        "keep": keep,
        "val_loss": {2: 1.0, 3: 1.5}[saved_epoch],
        "best_epoch": 2,
        "best_val_loss": 1.0,
    }
    assert training["epochs"] == 1  # the rest of training.json is kept


def test_metrics_json_entries_name_the_saved_epoch(tmp_path):
    from core.evaluate import saved_epoch_entries

    rows = [{"epoch": e, "loss": 1.0, "val_loss": v} for e, v in ((1, 3.0), (2, 1.5), (3, 2.0))]
    runs.write_history(tmp_path, rows)
    assert saved_epoch_entries(tmp_path) == {"saved_epoch": 2, "keep": "best", "saved_val_loss": 1.5}
    provenance.update_training(tmp_path, saved=provenance.saved_record("last", 3, 2.0, rows))
    assert saved_epoch_entries(tmp_path) == {"saved_epoch": 3, "keep": "last", "saved_val_loss": 2.0}


def test_started_from_names_the_parent_and_the_epoch_of_its_weights(tmp_path):
    parent, child, scratch = tmp_path / "luong-general", tmp_path / "luong-local-p", tmp_path / "additive"
    for folder in (parent, child, scratch):
        folder.mkdir()
    (parent / runs.TRAINING).write_text(json.dumps({"saved": {"epoch": 10, "keep": "best"}}), encoding="utf-8")
    (child / runs.TRAINING).write_text(json.dumps({"init_from": "/somewhere/else/luong-general"}), encoding="utf-8")
    (scratch / runs.TRAINING).write_text(json.dumps({"init_from": None}), encoding="utf-8")
    assert provenance.started_from(child) == ("luong-general", 10)  # a name, never the recorded path
    assert provenance.started_from(scratch) is None
    shutil.rmtree(parent)
    assert provenance.started_from(child) == ("luong-general", None)  # the parent is not beside it
    for damaged in ('{"init_from": 3}', '{"init_from": "  "}', "not json", "[]"):
        (child / runs.TRAINING).write_text(damaged, encoding="utf-8")
        assert provenance.started_from(child) is None, damaged
