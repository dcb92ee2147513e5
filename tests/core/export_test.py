"""``python -m core.export``: a shippable copy of a run, float16 weights included."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from core import runs
from core.export import main

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
    a = runs.load_translator(trained_run).translate("I am cold.")
    b = runs.load_translator(out).translate("I am cold.")
    assert a.target_tokens == b.target_tokens
    np.testing.assert_allclose(a.attention, b.attention, atol=1e-3)


def test_export_refuses_an_existing_folder(trained_run, tmp_path):
    assert main(["--run", str(trained_run), "--out", str(tmp_path)]) == 2
