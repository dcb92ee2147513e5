"""The layer × head grid of small heatmaps and the click that picks one."""

from __future__ import annotations

import numpy as np
import pytest

from ui.charts_grid import PICK, attention_grid, grid_frame, picked_panel
from ui.present import ChartStyle


def _weights(layers=2, heads=3, rows=4, cols=5):
    rng = np.random.default_rng(0)
    w = rng.random((layers, heads, rows, cols))
    return w / w.sum(-1, keepdims=True)  # (layers, heads, rows, cols)


def test_grid_frame_has_a_row_per_cell():
    w = _weights()
    df = grid_frame(w, list("abcd"), list("vwxyz"), chosen=(1, 2))
    assert len(df) == w.size
    assert sorted(df["layer"].unique()) == [1, 2] and sorted(df["head"].unique()) == [1, 2, 3]
    cell = df[(df["layer"] == 2) & (df["head"] == 1) & (df["row"] == 3) & (df["col"] == 4)].iloc[0]
    assert cell.row_token == "d" and cell.col_token == "z"
    assert cell.weight == pytest.approx(w[1, 0, 3, 4], abs=1e-4)
    assert df["chosen"].sum() == 4 * 5 and set(map(tuple, df[df["chosen"]][["layer", "head"]].to_numpy())) == {(2, 3)}


def test_grid_frame_checks_the_labels():
    with pytest.raises(ValueError, match=r"rows 3, cols 5"):
        grid_frame(_weights(), list("abc"), list("vwxyz"))


def test_grid_chart_shares_one_colour_scale():
    spec = attention_grid(_weights(), list("abcd"), list("vwxyz"), style=ChartStyle(), head_title="Kopf").to_dict()
    assert spec["facet"]["row"]["field"] == "layer" and spec["facet"]["column"]["field"] == "head"
    assert spec["spec"]["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert '"Kopf"' in spec["facet"]["column"]["header"]["labelExpr"]
    assert any(p["name"] == PICK for p in spec.get("params", []) + spec["spec"].get("params", []))


def test_picked_panel():
    assert picked_panel({"selection": {PICK: [{"layer": 2, "head": 3}]}}) == (1, 2)
    assert picked_panel({"selection": {PICK: []}}) is None
    assert picked_panel({"selection": {}}) is None
    assert picked_panel(None) is None
    assert picked_panel({"selection": {PICK: [{"layer": "x", "head": 1}]}}) is None
