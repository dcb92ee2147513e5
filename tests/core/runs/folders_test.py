"""Reading run folders: finding them, their history, probes and metrics."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from core import runs
from core.decoding import load_translator
from core.models.config import ModelConfig
from core.runs import RunError, RunInfo


def _fake_run(path, *, skip=(), config_text=None):
    """A run folder with small but well-formed files (``find_runs`` checks every one it needs)."""
    import h5py

    path.mkdir(parents=True)
    runs.write_config(path / runs.CONFIG, ModelConfig(src_vocab_size=5, tgt_vocab_size=5))
    if config_text is not None:
        (path / runs.CONFIG).write_text(config_text, encoding="utf-8")
    if runs.WEIGHTS not in skip:
        with h5py.File(path / runs.WEIGHTS, "w") as f:
            f.create_group("layers")
    for name in (runs.SRC_VOCAB, runs.TGT_VOCAB):
        if name not in skip:
            (path / name).write_text("\n[UNK]\n[START]\n[END]\nword\n", encoding="utf-8")
    return path


def test_find_runs(tmp_path):
    root = tmp_path / "runs"
    _fake_run(root / "good")
    _fake_run(root / "no_weights", skip=(runs.WEIGHTS,))
    _fake_run(root / "no_vocab", skip=(runs.SRC_VOCAB, runs.TGT_VOCAB))
    _fake_run(root / "bad_config", config_text='{"arch": "nope"}')
    _fake_run(root / "broken_json", config_text="{not json")
    (root / "not_a_run").mkdir()
    (root / "stray.txt").write_text("x", encoding="utf-8")

    found = {r.name: r for r in runs.find_runs([root, tmp_path / "missing_root"])}
    assert set(found) == {"runs/good", "runs/no_weights", "runs/no_vocab", "runs/bad_config", "runs/broken_json"}
    assert found["runs/good"] == RunInfo("runs/good", root / "good", None)
    assert found["runs/no_weights"].error == f"missing {runs.WEIGHTS}"
    assert runs.SRC_VOCAB in found["runs/no_vocab"].error and runs.TGT_VOCAB in found["runs/no_vocab"].error
    assert found["runs/bad_config"].error.startswith(f"{runs.CONFIG}: ")
    assert "nope" in found["runs/bad_config"].error
    assert found["runs/broken_json"].error.startswith(f"{runs.CONFIG}: is not valid JSON")


def test_models_with_the_same_base_name_get_unique_names(tmp_path):
    for parent in ("a", "b"):
        _fake_run(tmp_path / parent / "lab" / "tiny")
    found = runs.find_runs([tmp_path / "a" / "lab", tmp_path / "b" / "lab"])
    names = [r.name for r in found]
    assert names == ["lab/tiny", "b/lab/tiny"]
    assert [r.path for r in found] == [tmp_path / "a" / "lab" / "tiny", tmp_path / "b" / "lab" / "tiny"]


@pytest.mark.slow
def test_find_runs_flags_a_real_run_without_weights(trained_run, tmp_path):
    root = tmp_path / "assets"
    shutil.copytree(trained_run, root / "complete")
    shutil.copytree(trained_run, root / "partial")
    (root / "partial" / runs.WEIGHTS).unlink()
    found = {r.name: r for r in runs.find_runs([root])}
    assert found["assets/complete"].error is None
    assert runs.WEIGHTS in found["assets/partial"].error
    with pytest.raises(RunError, match=runs.WEIGHTS):
        load_translator(root / "partial")


@pytest.mark.slow
def test_load_translator_rejects_vocabulary_size_mismatch(trained_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    lines = (run / runs.TGT_VOCAB).read_text(encoding="utf-8").split("\n")
    (run / runs.TGT_VOCAB).write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")  # drop the last token
    with pytest.raises(RunError, match="config.json says"):
        load_translator(run)


def test_history_round_trip(tmp_path):
    rows = [
        {"epoch": 1, "loss": 2.5, "val_loss": 2.0, "accuracy": 0.1, "val_accuracy": 0.2, "learning_rate": 1e-3},
        {"epoch": 2, "loss": 1.5, "val_loss": 1.8, "accuracy": 0.3, "val_accuracy": 0.3, "wall_time": 12.5, "x": 1},
    ]
    runs.write_history(tmp_path, rows)
    back = runs.read_history(tmp_path)
    assert [tuple(r) for r in back] == [runs.HISTORY_COLUMNS] * 2
    assert back[1]["wall_time"] == 12.5 and back[1]["loss"] == 1.5
    assert math.isnan(back[0]["wall_time"])  # missing value -> NaN
    assert runs.read_history(tmp_path / runs.HISTORY) == back  # a file path works too


def test_read_history_missing_file(tmp_path):
    with pytest.raises(RunError, match=runs.HISTORY):
        runs.read_history(tmp_path)


def test_read_history_missing_columns(tmp_path):
    (tmp_path / runs.HISTORY).write_text("epoch,val_loss\n1,2.0\n", encoding="utf-8")
    with pytest.raises(RunError, match="loss"):
        runs.read_history(tmp_path)


def test_read_history_non_numbers(tmp_path):
    (tmp_path / runs.HISTORY).write_text("epoch,loss\n1,2.0\n2,lots\n", encoding="utf-8")
    with pytest.raises(RunError, match="line 3"):
        runs.read_history(tmp_path)


def test_read_history_empty_file(tmp_path):
    (tmp_path / runs.HISTORY).write_text("", encoding="utf-8")
    with pytest.raises(RunError):
        runs.read_history(tmp_path)


def test_probes(tmp_path):
    assert runs.probe_epochs(tmp_path) == []
    (tmp_path / runs.PROBES).mkdir()
    probe = {"source": "hi", "source_tokens": ["hi"], "target_tokens": ["hola"], "unknown": [False]}
    for epoch in (10, 2, 1):
        payload = {"epoch": epoch, "probes": [probe | {"attention": [[epoch / 10]]}]}
        runs.probe_file(tmp_path, epoch).write_text(json.dumps(payload) + "\n")
    assert runs.probe_file(tmp_path, 2).name == "epoch_002.json"
    assert runs.probe_epochs(tmp_path) == [1, 2, 10]
    assert runs.read_probes(tmp_path, 10) == [probe | {"attention": [[1.0]]}]
    with pytest.raises(RunError, match="epoch 3"):
        runs.read_probes(tmp_path, 3)


def test_metrics(tmp_path):
    assert runs.read_metrics(tmp_path) is None
    (tmp_path / runs.METRICS).write_text('{"bleu": 12.5}', encoding="utf-8")
    assert runs.read_metrics(tmp_path) == {"bleu": 12.5}
    (tmp_path / runs.METRICS).write_text("{bleu", encoding="utf-8")
    with pytest.raises(RunError, match="not valid JSON"):
        runs.read_metrics(tmp_path)
