"""bench/capacity.py: the capacity model, and docs/serving.md's tables as the committed measurements give them."""

from __future__ import annotations

import json

import pytest

from bench.capacity import (
    BEGIN,
    CALIBRATION,
    COSTS,
    DOC,
    END,
    Assumptions,
    clicks_per_core_s,
    efficiency,
    main,
    plan,
    rewrite,
    section,
)


def test_one_core_sustains_the_inverse_of_a_clicks_cost():
    assert clicks_per_core_s(50.0) == pytest.approx(20.0)
    assert clicks_per_core_s(125.0) == pytest.approx(8.0)


def test_efficiency_is_the_burst_cpu_work_over_its_p95():
    assert efficiency(**CALIBRATION) == pytest.approx(0.95 * 30 * 0.073 / 2 / 1.50, abs=0.005)


def test_the_plan_of_a_class_by_hand():
    a = Assumptions(efficiency=0.5, p95_target_s=2.0, think_time_s=30.0, max_utilisation=0.5, cores_per_replica=2)
    # 100 clicks at once at 0.1 CPU-s: 0.95 * 100 * 0.1 / (0.5 * 2) = 9.5 cores -> 5 replicas of 2 cores
    p = plan(100, 0.1, a, 1.0)
    assert (p["burst"], p["replicas"], p["cores"], p["bound_by"]) == (100, 5, 10, "burst")
    assert p["p95_s"] == pytest.approx(0.95 * 100 * 0.1 / (0.5 * 10), abs=0.01) and p["p95_s"] <= 2.0
    # a tenth at once, long think time: 3 students/s * 0.1 / 0.5 = 0.6 cores -> one replica
    p = plan(90, 0.1, a, 0.1)
    assert (p["burst"], p["replicas"], p["cores"]) == (9, 1, 2)
    # think time short enough that the steady load sizes the plan: 300/s * 0.1 / 0.5 = 60 cores
    p = plan(300, 0.1, Assumptions(efficiency=0.5, think_time_s=1.0, max_utilisation=0.5), 0.01)
    assert (p["cores"], p["bound_by"]) == (60, "steady load")


def test_more_students_or_dearer_clicks_never_need_fewer_cores():
    a = Assumptions()
    cores = [plan(n, 0.08, a, 1.0)["cores"] for n in (30, 100, 300, 1000)]
    assert cores == sorted(cores) and cores[0] < cores[-1]
    assert plan(300, 0.16, a, 1.0)["cores"] >= plan(300, 0.08, a, 1.0)["cores"]


def test_every_plan_meets_the_target():
    a = Assumptions()
    for n in (30, 100, 300, 1000):
        for b in a.bursts:
            assert plan(n, 0.2, a, b)["p95_s"] <= a.p95_target_s


def test_the_doc_holds_what_the_committed_measurements_give():
    assert main(["--check"]) == 0, "docs/serving.md is stale: python bench/capacity.py"
    text = DOC.read_text(encoding="utf-8")
    costs = json.loads(COSTS.read_text(encoding="utf-8"))
    for row in costs["rows"]:
        assert f"| `{row['model']}` | {row['decoding']} | {row['median_cpu_ms']:.0f} ms |" in text


def test_rewrite_replaces_only_between_the_markers():
    doc = f"before\n{BEGIN}\nold\n{END}\nafter\n"
    assert rewrite(doc, "new\n") == f"before\n{BEGIN}\n\nnew\n\n{END}\nafter\n"
    with pytest.raises(ValueError):
        rewrite("no markers", "new")


def test_section_names_the_conditions_of_the_measurement():
    costs = {"measured": "2026-01-01 00:00 UTC", "note": "beside a training run", "cpu_count": 2,
             "load_avg_before": 9.0, "load_avg_after": 8.0, "clicks_per_row": 30, "passes": 2,
             "rows": [{"model": "m", "decoding": "greedy", "median_cpu_ms": 100.0}]}  # fmt: skip
    text = section(costs, Assumptions())
    assert "beside a training run" in text and "load average 9.0 before and 8.0 after" in text
    assert "| `m` | greedy | 100 ms | 10.0 |" in text


def test_calibration_comes_from_a_committed_load_measurement(tmp_path):
    from bench.capacity import _calibrated_memory_gb, calibration

    assert calibration(tmp_path / "none.json")["users"] == CALIBRATION["users"]
    load = {"users": 100, "cpu_cores": 2, "greedy": {"p95_s": 3.2}, "server_cpu_s_per_click": 0.064,
            "replicas": 2, "peak_rss_mb": 1419.0, "measured": "2026-12-07 16:12 UTC"}  # fmt: skip
    (tmp_path / "load.json").write_text(__import__("json").dumps(load))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("bench.capacity.ROOT", tmp_path)
        cal = calibration(tmp_path / "load.json")
    assert (cal["users"], cal["cores"], cal["p95_s"], cal["cpu_s_per_click"], cal["replicas"]) == (
        100,
        2,
        3.2,
        0.064,
        2,
    )
    assert efficiency(**{k: cal[k] for k in ("users", "cores", "p95_s", "cpu_s_per_click")}) == pytest.approx(
        0.95 * 100 * 0.064 / 2 / 3.2, abs=0.005
    )
    assert _calibrated_memory_gb(cal) == 1.5  # 1419 MB rounded up to a tenth of a GB
    assert _calibrated_memory_gb({"peak_rss_mb": None}) == 1.2
