"""The lesson, Train live and fuzzer documents are generated, and what they state follows the code.

``tests/docs/build_test.py`` checks every committed document against its template; these tests
check that these three are templates at all (no hand-written document in ``docs/`` types a
number), that the facts read from source equal the values the code runs with, and that the
fuzzer's counts are those of the plan it runs, a recorded run of another plan stopping the build.
"""

from __future__ import annotations

import json
import signal

import pytest

from docs import build
from docs.facts import FACTS, BuildError, Facts

GENERATED = ("lesson.md", "live_training.md", "reliability-fuzzer.md")


@pytest.fixture(scope="module")
def documents() -> dict:
    return build.render_all()


@pytest.mark.parametrize("name", GENERATED)
def test_the_document_is_written_from_its_template(name, documents):
    template = build.SRC / name
    assert template.is_file(), f"docs/{name} has no template in docs/src/"
    path = build.ROOT / "docs" / name
    assert path in documents and path not in build.stale(documents), f"run python -m docs.build: docs/{name}"
    assert build.typed_numbers(template.read_text(encoding="utf-8")) == []


def test_no_hand_written_document_types_a_number():
    for path in (build.ROOT / "docs").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("<!-- generated"):
            assert build.typed_numbers(text) == [], f"docs/{path.name}: make it a template in docs/src/"


def test_the_live_training_facts_are_the_values_the_code_runs_with():
    from core.train.live import launcher, presets, process, root
    from core.train.stop import EXIT_CODES
    from ui import live_charts, live_view

    facts = Facts()
    assert FACTS["live_max_runs"](facts) == str(root.MAX_RUNS)
    assert FACTS["live_max_bytes"](facts) == f"{root.MAX_BYTES / 1e6:,g} MB"
    assert FACTS["live_niceness"](facts) == f"+{process.NICENESS}"
    assert FACTS["live_force_after"](facts) == f"{launcher.FORCE_AFTER_S:g} s"
    assert FACTS["stop_exit_sigterm"](facts) == str(EXIT_CODES[signal.SIGTERM])
    assert FACTS["stop_exit_sigint"](facts) == str(EXIT_CODES[signal.SIGINT])
    assert FACTS["live_refresh_active"](facts) == f"{live_view.REFRESH_ACTIVE_S:g} s"
    assert FACTS["live_refresh_idle"](facts) == f"{live_view.REFRESH_IDLE_S:g} s"
    assert FACTS["live_look_ttl"](facts) == f"{live_view.LOOK_TTL_S:g} s"
    assert FACTS["live_steps_every"](facts) == str(presets.STEPS_LOG_EVERY)
    assert FACTS["live_heatmap_rows"](facts) == str(live_charts.MAX_ROWS)


def test_the_lesson_facts_are_the_values_the_code_runs_with():
    from ui import panels

    facts = Facts()
    assert FACTS["label_slant"](facts) == f"{panels.SLANT:g}°".replace("-", "−")
    assert FACTS["label_line"](facts) == f"{panels.LINE:g}"
    for name in ("first_screen_long_words", "first_screen_longest_words", "clean_stop_tries", "lesson_pages_visited"):
        assert FACTS[name](facts).isdigit(), name


def test_the_readers_caps_are_the_values_the_code_runs_with():
    from core.runs import cost, history, model_files, names, weights

    facts = Facts()
    assert FACTS["max_event_files"](facts) == str(history.MAX_EVENT_FILES)
    assert FACTS["max_event_bytes"](facts) == f"{history.MAX_EVENT_BYTES // 2**20} MiB"
    assert FACTS["max_weights_bytes"](facts) == f"{model_files.MAX_BYTES[names.WEIGHTS] // 2**30} GiB"
    assert FACTS["max_weight_values"](facts) == f"{weights.MAX_VALUES:,}"
    assert FACTS["weight_slab"](facts) == f"{weights.SLAB:,}"
    assert FACTS["cost_beam"](facts) == str(cost.BEAM_WIDTH)
    assert FACTS["cost_budget"](facts).startswith(f"{cost.MAX_PARAMS:,} parameters")


def test_the_fuzzer_makes_its_folders_by_the_plan_the_documents_state():
    from tests import hostile_folders, hostile_plan

    for maker in hostile_plan.MAKERS:  # make_hostile_root calls these, in the plan's order
        assert callable(getattr(hostile_folders._Maker, maker, None)), maker
    assert set(hostile_plan.KIND_OF.values()) == set(hostile_plan.KIND_NAMES)
    planned = hostile_plan.planned()
    assert sum(planned.kinds.values()) == planned.folders == hostile_plan.FOLDERS
    assert planned.pages == len(hostile_plan.pages()) > 0
    facts = Facts()
    assert FACTS["fuzz_folders"](facts) == f"{planned.folders:,}"
    assert FACTS["fuzz_pages"](facts) == str(planned.pages)
    assert FACTS["fuzz_page_runs"](facts) == str(planned.pages + planned.good_models + planned.sampled)
    from docs.fuzzer_facts import KIND_WORDS

    for kind, n in planned.kinds.items():
        assert f"{n:,} {KIND_WORDS[kind][0]}" in FACTS["fuzz_kinds"](facts)
        assert f"- {n:,} {KIND_WORDS[kind][0]}: " in FACTS["fuzz_kinds_list"](facts)


def test_a_recorded_fuzzer_run_of_another_plan_stops_the_build(tmp_path, monkeypatch):
    from tests.hostile_plan import KIND_NAMES, planned

    plan = planned()
    counts = {"hostile folders": plan.folders, **{f"kind {k}": plan.kinds[k] for k in KIND_NAMES},
              "pages opened with the whole root listed": plan.pages, "listed as models": 1, "listed unusable": 1}  # fmt: skip
    record = {"measured": "2026-01-01 00:00 UTC", "cpu_count": 2, "note": "", "seed": plan.seed, "counts": counts}
    (tmp_path / "hostile_fuzz.json").write_text(json.dumps(record))
    monkeypatch.setattr("docs.fuzzer_facts.DATA", tmp_path)
    monkeypatch.setattr("docs.facts.DATA", tmp_path)
    text = FACTS["fuzz_run"](Facts())
    assert "Measured 2026-01-01 00:00 UTC on 2 cores" in text and f"hostile folders: {plan.folders}" in text
    (tmp_path / "hostile_fuzz.json").write_text(json.dumps({**record, "seed": plan.seed + 1}))
    with pytest.raises(BuildError, match="another plan"):
        FACTS["fuzz_run"](Facts())
    (tmp_path / "hostile_fuzz.json").unlink()
    assert "No run of it is committed here" in FACTS["fuzz_run"](Facts())


def test_a_committed_vocabulary_sweep_is_a_table_with_its_pick(tmp_path, monkeypatch):
    record = {"measured": "2026-01-01 00:00 UTC", "cpu_cores": 2, "epochs": 2, "limit": None,
              "train_args": ["--arch", "transformer"], "pick": 8000,
              "runs": [{"size": 4000, "epochs": 2, "validation_bleu": 30.123, "validation_chrf": 50.0},
                       {"size": 8000, "epochs": 2, "validation_bleu": 31.5, "validation_chrf": 51.25}]}  # fmt: skip
    monkeypatch.setattr("docs.facts.DATA", tmp_path)
    assert FACTS["vocab_sweep"](Facts()) == "No sweep is committed yet."
    (tmp_path / "vocab_sweep.json").write_text(json.dumps(record))
    text = FACTS["vocab_sweep"](Facts())
    assert text.startswith("Measured 2026-01-01 00:00 UTC on 2 cores.") and "`--arch transformer`" in text
    assert "| 4,000 | 2 | 30.12 | 50.00 |  |" in text and "| 8,000 | 2 | 31.50 | 51.25 | yes |" in text
