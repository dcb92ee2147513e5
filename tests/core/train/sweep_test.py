"""The vocabulary sweep: each size trained with the same flags, scored on validation, resumed, picked."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import types

import pytest

from core.train import sweep


def test_pick_is_the_highest_validation_bleu_and_the_smaller_size_on_a_tie():
    runs = [{"size": 4000, "validation_bleu": 30.0}, {"size": 8000, "validation_bleu": 31.5},
            {"size": 16000, "validation_bleu": 31.5}, {"size": 2000, "validation_bleu": None}]  # fmt: skip
    assert sweep.pick(runs) == 8000
    assert sweep.pick([{"size": 1, "validation_bleu": None}]) is None


def test_a_new_size_gets_the_shared_flags_and_a_started_one_resumes(tmp_path):
    folder = tmp_path / "bpe4000"
    new = sweep.train_command(folder, 4000, 3, ["--arch", "additive"])
    assert new[new.index("--vocab-size") + 1] == "4000" and new[-2:] == ["--arch", "additive"]
    folder.mkdir()
    (folder / "training.json").write_text("{}")
    resumed = sweep.train_command(folder, 4000, 3, ["--arch", "additive"])
    assert resumed[-1] == "--resume" and "--arch" not in resumed and "--vocab-size" not in resumed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--root", "x", "--sizes", "4000,4000"], "distinct"),
        (["--root", "x", "--sizes", "4k"], "comma-separated numbers"),
        (["--root", "x", "--epochs", "0"], "--epochs must be at least 1"),
        (["--root", "x", "--", "--vocab-size", "300"], "--vocab-size"),
    ],
)
def test_bad_command_lines_are_refused_naming_the_value(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        sweep.main(argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def _in_process(command, capture_output=False, text=False, check=False):
    """``python -m core.train|core.evaluate ...`` run by the same ``main`` in this process (no interpreter start-up)."""
    from core import evaluate
    from core.train.cli import main as train_main

    assert command[1] == "-m" and command[2] in ("core.train", "core.evaluate"), command
    if command[2] == "core.train":
        return subprocess.CompletedProcess(command, train_main(command[3:]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = evaluate.main(command[3:])
    return subprocess.CompletedProcess(command, code, stdout=out.getvalue(), stderr="")


@pytest.mark.slow
def test_a_tiny_sweep_trains_scores_on_validation_and_resumes(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "subprocess", types.SimpleNamespace(run=_in_process))  # the sweep's calls only
    data = tmp_path / "corpus.tsv"
    pairs = [(f"I see the {w} house.", f"Veo la casa {w}.") for w in ("red", "big", "old", "new", "small")] * 12
    data.write_text("".join(f"{en}\t{es}\n" for en, es in pairs), encoding="utf-8")
    flags = ["--data", str(data), "--arch", "transformer", "--d-model", "16", "--ff-dim", "32", "--num-layers", "1",
             "--num-heads", "2", "--batch-size", "8", "--val-fraction", "0.2", "--test-fraction", "0.2",
             "--verbose", "0"]  # fmt: skip
    root = tmp_path / "sweep"
    out = tmp_path / "docs" / "vocab_sweep.json"
    out.parent.mkdir()
    assert (
        sweep.main(["--root", str(root), "--sizes", "280,320", "--epochs", "1", "--out", str(out), "--", *flags]) == 0
    )
    record = json.loads((root / sweep.RECORD).read_text())
    assert json.loads(out.read_text()) == record and record["measured"].endswith("UTC") and record["cpu_cores"] > 0
    assert [r["size"] for r in record["runs"]] == [280, 320] and record["pick"] in (280, 320)
    assert all(r["epochs"] == 1 and r["validation_bleu"] is not None and r["sentences"] > 0 for r in record["runs"])
    trained = [(root / f"bpe{s}" / "tokenizer.model").stat().st_mtime_ns for s in (280, 320)]
    # a second epoch: both resume (their tokenizers untouched), and the record follows
    assert sweep.main(["--root", str(root), "--sizes", "280,320", "--epochs", "2", "--", *flags]) == 0
    record = json.loads((root / sweep.RECORD).read_text())
    assert [r["epochs"] for r in record["runs"]] == [2, 2]
    assert [(root / f"bpe{s}" / "tokenizer.model").stat().st_mtime_ns for s in (280, 320)] == trained
    # run again as it stands: nothing to train, nothing to score again, the same record
    monkeypatch.setattr(sweep, "validation_score", lambda *a: pytest.fail("scored again"))
    assert sweep.main(["--root", str(root), "--sizes", "280,320", "--epochs", "2", "--", *flags]) == 0
    assert json.loads((root / sweep.RECORD).read_text()) == record
