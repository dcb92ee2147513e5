"""The quality targets, read from a model's own files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core import runs
from core.runs.report import main
from core.runs.targets import WORD_BASELINE, check_targets

ROOT = Path(__file__).resolve().parents[3]
ADDITIVE = ROOT / "assets" / "additive"


def _subword_copy(tmp_path: Path, name: str, metrics: dict, arch: str = "transformer") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    config = json.loads((ADDITIVE / runs.CONFIG).read_text(encoding="utf-8"))
    config.update(arch=arch, tokenizer="bpe", tokenizer_checksum="sha256:" + "1" * 64)
    (folder / runs.CONFIG).write_text(json.dumps(config), encoding="utf-8")
    (folder / runs.METRICS).write_text(json.dumps(metrics), encoding="utf-8")
    return folder


def test_a_word_level_model_misses_the_subword_target_unless_it_is_the_baseline(tmp_path):
    assert check_targets(ADDITIVE) == [("reads subword pieces", False, "words")]
    baseline = tmp_path / WORD_BASELINE
    shutil.copytree(ADDITIVE, baseline)
    assert check_targets(baseline)[0][1] is None


@pytest.mark.parametrize(
    "arch, bleu, beam, met",
    [("transformer", 48.0, 48.5, (True, True)), ("transformer", 47.9, 48.5, (False, True)),
     ("general", 43.0, 42.0, (True, False)), ("general", 42.99, 44.0, (False, True))],
)  # fmt: skip
def test_bleu_and_beam_targets_at_their_edges(tmp_path, arch, bleu, beam, met):
    metrics = {"bleu": bleu, "beam": {"bleu": beam}, "unknown": {"source_tokens": 0, "output_steps": 0},
               "names": {"sentences": 7, "copied": 7, "missed": []}}  # fmt: skip
    rows = check_targets(_subword_copy(tmp_path, "m", metrics, arch))
    assert (rows[0][1], rows[1][1]) == met
    assert rows[2][1] is True and rows[3][1] is True


def test_unknowns_and_missed_names_are_misses_and_the_command_fails(tmp_path, capsys):
    metrics = {"bleu": 50.0, "beam": {"bleu": 51.0}, "unknown": {"source_tokens": 0, "output_steps": 2},
               "names": {"sentences": 7, "copied": 6, "missed": ["Okonkwo"]}}  # fmt: skip
    folder = _subword_copy(tmp_path, "m", metrics)
    rows = check_targets(folder)
    assert [r[1] for r in rows] == [True, True, False, False]
    assert main([str(folder), "--targets"]) == 1
    assert "MISSED" in capsys.readouterr().out


def test_nothing_measured_is_not_a_pass(tmp_path):
    rows = check_targets(_subword_copy(tmp_path, "m", {}))
    assert [r[1] for r in rows] == [None, None, None, None]
