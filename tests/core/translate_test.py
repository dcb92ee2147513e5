"""``python -m core.translate``: arguments checked first, the translation and its figure out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import translate

ROOT = Path(__file__).resolve().parents[2]
ADDITIVE = ROOT / "assets" / "additive"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["   "], "empty"),
        (["x" * 400], "characters"),
        (["Hi.", "--beam", "0"], "--beam 0"),
        (["Hi.", "--alpha", "-1"], "--alpha -1"),
        (["Hi.", "--model", "/nonexistent-folder"], "is not a folder"),
        (["Hi.", "--png", "/nonexistent-folder/x.png"], "does not exist"),
    ],
)
def test_bad_arguments_exit_2_before_any_model_is_loaded(argv, message, capsys):
    assert translate.main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_folder_that_cannot_be_used_exits_1(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{", encoding="utf-8")
    assert translate.main(["Hi.", "--model", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "config.json" in err and str(tmp_path.parent) not in err


@pytest.mark.slow
def test_translation_json_and_figures(tmp_path, capsys):
    png, svg = tmp_path / "a.png", tmp_path / "a.svg"
    code = translate.main(
        ["I have a red car.", "--model", str(ADDITIVE), "--json", "--png", str(png), "--svg", str(svg)]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["translation"] == "Tengo un coche rojo."
    matrix = out["attention"]["matrix"]
    assert len(matrix) == len(out["target_tokens"]) and len(matrix[0]) == len(out["source_tokens"])
    assert all(abs(sum(row) - 1) < 1e-3 for row in matrix)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.slow
def test_a_layer_a_recurrent_model_does_not_have_exits_2(capsys):
    assert translate.main(["I have a red car.", "--model", str(ADDITIVE), "--layer", "0"]) == 2
    assert "Transformer" in capsys.readouterr().err
