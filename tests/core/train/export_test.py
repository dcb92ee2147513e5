"""``python -m core.train.export``: a shippable copy of a run, float16 weights included."""

from __future__ import annotations

import ast
import shlex

import h5py
import numpy as np
import pytest

from core import runs
from core.decoding import load_translator
from core.runs import provenance
from core.train import export
from core.train.export import main

pytestmark = pytest.mark.slow


def _float_dtypes(path):
    dtypes = set()
    with h5py.File(path, "r") as f:
        f.visititems(lambda _, obj: dtypes.add(obj.dtype) if isinstance(obj, h5py.Dataset) else None)
    return dtypes


def test_export_float16_translates_the_same(trained_run, tmp_path):
    out = tmp_path / "shipped"
    assert main(["--run", str(trained_run), "--out", str(out), "--float16"]) == 0
    assert not (out / runs.CHECKPOINT).exists()
    for name in (*runs.REQUIRED_FILES, runs.HISTORY, runs.TRAINING):
        assert (out / name).is_file(), name
    assert _float_dtypes(out / runs.WEIGHTS) == {np.dtype("float16")}
    assert (out / runs.WEIGHTS).stat().st_size < (trained_run / runs.WEIGHTS).stat().st_size
    a = load_translator(trained_run).translate("I am cold.")
    b = load_translator(out).translate("I am cold.")
    assert a.target_tokens == b.target_tokens
    np.testing.assert_allclose(a.attention, b.attention, atol=1e-3)


def test_export_records_its_own_command_after_the_training_commands(trained_run, tmp_path):
    out = tmp_path / "shipped"
    before = provenance.commands(trained_run)
    assert main(["--run", str(trained_run), "--out", str(out), "--float16"]) == 0
    assert before and provenance.commands(trained_run) == before  # the run itself is left as it was
    expected = shlex.join(
        ["python", "-m", "core.train.export", "--run", str(trained_run), "--out", str(out), "--float16"]
    )
    assert provenance.commands(out) == [*before, expected]


def test_export_refuses_an_existing_folder(trained_run, tmp_path):
    assert main(["--run", str(trained_run), "--out", str(tmp_path)]) == 2


def test_export_checks_the_test_slice_and_reports_the_drift(trained_run, tmp_path, capsys):
    from core.data.probes import PROBE_SENTENCES
    from core.evaluate import CHECK_SLICE, test_references

    out = tmp_path / "shipped"
    assert main(["--run", str(trained_run), "--out", str(out), "--float16"]) == 0
    result = ast.literal_eval(capsys.readouterr().out.strip())
    head = min(CHECK_SLICE, len(test_references(trained_run)))
    assert result["sentences"] == len(PROBE_SENTENCES) + head
    assert result["checked"] == f"{len(PROBE_SENTENCES)} probe sentences + the first {head} test sentences"
    assert result["changed"] <= int(export.MAX_CHANGED * result["sentences"])
    assert 0.0 <= result["max_attention_drift"] <= export.MAX_ATTENTION_DRIFT


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MAX_ATTENTION_DRIFT", -1.0, "moves an attention weight by"),
    ("MAX_CHANGED", -1.0, "sentences differently"),
])  # fmt: skip
def test_export_over_the_bounds_is_refused_and_removed(
    trained_run, tmp_path, capsys, monkeypatch, name, value, message
):
    monkeypatch.setattr(export, name, value)
    out = tmp_path / "shipped"
    assert main(["--run", str(trained_run), "--out", str(out), "--float16"]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_compare_counts_changes_and_measures_drift_only_where_the_words_agree():
    from core.decoding.results import Translation

    def tr(words, attention):
        a = np.asarray(attention, dtype="float32")
        return Translation(["a", "b"], words, a, np.ones(len(words), "float32"), [False, False])

    ref = [tr(["x"], [[0.5, 0.5]]), tr(["y"], [[1.0, 0.0]]), tr([], np.zeros((0, 2)))]
    new = [tr(["x"], [[0.49, 0.51]]), tr(["z"], [[0.0, 1.0]]), tr([], np.zeros((0, 2)))]
    check = export.compare(ref, new)
    assert check["sentences"] == 3 and check["changed"] == 1
    assert check["max_attention_drift"] == pytest.approx(0.01, abs=1e-6)  # the changed sentence is not counted
