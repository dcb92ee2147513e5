"""The report card CLI: one Markdown row per model folder, from its own files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from core import runs
from core.models.config import ModelConfig
from core.runs.report import main, read_card


def test_card_takes_epochs_and_time_from_the_history_when_metrics_lack_them(trained_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    (run / runs.METRICS).write_text(json.dumps({"bleu": 12.5, "chrf": 30.25}), encoding="utf-8")
    history = runs.read_history(run)
    row = read_card(run)
    assert row["epochs"] == int(history[-1]["epoch"]) == 1
    assert row["training time (min)"] == round(history[-1]["wall_time"] / 60, 1)
    assert row["architecture"] == ModelConfig.load(run / runs.CONFIG).label
    assert (row["BLEU"], row["chrF"], row["BLEU (beam)"], row["parameters"]) == (12.5, 30.25, None, None)


def test_readme_report_card_is_the_one_core_report_prints(capsys):
    """The README's table of shipped models is what ``python -m core.runs.report`` computes from assets/ now."""
    assert main([]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8").splitlines()
    start = readme.index(printed[0])
    assert readme[start : start + len(printed)] == printed


def test_table_has_one_row_per_folder(trained_run, capsys):
    assert main([str(trained_run), str(trained_run)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("| model | architecture |") and len(lines) == 4
    history = runs.read_history(trained_run)
    assert f"| {int(history[-1]['epoch'])} |" in lines[2]
    assert "| – |" in lines[2]  # no metrics.json yet: the scores are a dash, not a made-up number


def test_a_folder_that_is_not_a_model_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert runs.CONFIG in capsys.readouterr().err


def _folder(tmp_path, saved: dict | None, commands: list[str]):
    """A model folder with just what the report card reads: config, training record, history."""
    from core.models.config import ModelConfig

    run = tmp_path / "model"
    run.mkdir()
    runs.write_config(run / runs.CONFIG, ModelConfig())
    rows = [{"epoch": e, "loss": 1.0, "val_loss": v, "wall_time": 60.0 * e} for e, v in ((1, 2.0), (2, 1.0), (3, 1.5))]
    runs.write_history(run, rows)
    training = {"epochs": 3, "commands": commands} | ({"saved": saved} if saved else {})
    (run / runs.TRAINING).write_text(json.dumps(training), encoding="utf-8")
    return run


def test_saved_epoch_column_and_recorded_commands(tmp_path, capsys):
    saved = {"epoch": 3, "keep": "last", "val_loss": 1.5, "best_epoch": 2, "best_val_loss": 1.0}
    commands = ["python -m core.train --out runs/m --epochs 2", "python -m core.train --out runs/m --epochs 3 --resume"]
    run = _folder(tmp_path, saved, commands)
    row = read_card(run)
    assert (row["saved epoch"], row["kept"]) == (3, "last")
    assert main([str(run)]) == 0
    header, _, line = capsys.readouterr().out.strip().splitlines()
    cells = [c.strip() for c in line.split("|")]
    assert cells[[c.strip() for c in header.split("|")].index("saved epoch")] == "3 (last)"
    assert main(["--commands", str(run)]) == 0
    out = capsys.readouterr().out
    assert "weights of epoch 3, --keep last" in out
    assert "\n".join(commands) in out


def test_metrics_json_names_the_saved_epoch_over_training_json(tmp_path):
    run = _folder(tmp_path, None, [])
    assert (read_card(run)["saved epoch"], read_card(run)["kept"]) == (2, "best")  # lowest validation loss
    metrics = {"training": {"epochs": 3, "saved_epoch": 3, "keep": "last"}}
    (run / runs.METRICS).write_text(json.dumps(metrics), encoding="utf-8")
    assert (read_card(run)["saved epoch"], read_card(run)["kept"]) == (3, "last")
