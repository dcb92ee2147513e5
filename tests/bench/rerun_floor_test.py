"""``bench/rerun_floor.py`` end to end on a tiny class: both servers answer every click."""

from __future__ import annotations

import json

import pytest

from bench.rerun_floor import DRAWS, main


@pytest.mark.slow
def test_a_tiny_class_clicks_both_floors(tmp_path) -> None:
    out = tmp_path / "floor.json"
    assert main(["--users", "3", "--rounds", "1", "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    for draw in DRAWS:
        r = result[draw]
        assert r["clicks"] == 3 and r["errors"] == 0
        assert r["server_cpu_ms_per_click"] >= 0 and r["p95_s"] >= r["p50_s"] > 0
    assert result["echo"]["heatmaps"] == 0 and result["heatmap"]["heatmaps"] == 3
    assert result["users"] == 3 and result["cpu_cores"] >= 1
