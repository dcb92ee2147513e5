"""python -m docs.build: the committed README and docs are what the templates and the files give, and
the templates type no number by hand."""

from __future__ import annotations

import json

import pytest

from docs import build
from docs.facts import FACTS, BuildError, Facts, constant, length, xfail_reason

README_MAX_LINES = 200


@pytest.fixture(scope="module")
def documents() -> dict:
    return build.render_all()


def test_committed_documents_are_what_the_build_writes(documents):
    stale = [str(p.relative_to(build.ROOT)) for p in build.stale(documents)]
    assert stale == [], f"run python -m docs.build: {stale} differ from what their templates and files give"
    assert build.main(["--check"]) == 0


def test_every_template_becomes_one_document_and_every_generated_document_has_its_template(documents):
    assert build.ROOT / "README.md" in documents
    generated = {
        p for p in (build.ROOT / "docs").glob("*.md") if p.read_text(encoding="utf-8").startswith("<!-- generated")
    }
    assert generated == {p for p in documents if p.parent.name == "docs"}


def test_the_readme_is_a_front_door(documents):
    lines = documents[build.ROOT / "README.md"].splitlines()
    assert len(lines) <= README_MAX_LINES
    text = "\n".join(lines)
    assert "pip install -r requirements.txt\nstreamlit run streamlit_app.py" in text
    assert 'python -m pytest -n 2 -m "not browser and not slow"' in text
    for image in ("translate", "step-through", "compare", "layers-heads"):
        assert f"docs/images/{image}.png" in text and (build.ROOT / "docs" / "images" / f"{image}.png").is_file()
    assert "Tatoeba" in text and "manythings.org" in text and "CC-BY 2.0" in text


@pytest.mark.parametrize("template", build.templates(), ids=lambda p: p.name)
def test_templates_type_no_number(template):
    assert build.typed_numbers(template.read_text(encoding="utf-8")) == [], (
        f"{template.name}: write these as placeholders (docs/*_facts.py) or inside code"
    )


def test_typed_numbers_sees_numbers_in_prose_only():
    text = "It took 42 s, or 1,024 ms (3.5 %).\n`--epochs 10` and ```\nrun 7\n``` [a](x/9.md) {{ name }} float16 UTF-8 CC-BY 2.0"
    assert build.typed_numbers(text) == ["42", "1,024", "3.5"]


def test_every_placeholder_has_a_fact():
    used = {m.group(1) for t in build.templates() for m in build.PLACEHOLDER.finditer(t.read_text(encoding="utf-8"))}
    assert used - set(FACTS) == set()
    with pytest.raises(BuildError, match="unknown placeholder"):
        build.render("{{ no_such_fact }}", Facts(), "x.md")


def test_the_readme_model_table_is_the_report_card(documents):
    from core.runs.report import markdown_table

    assert markdown_table(Facts().models) in documents[build.ROOT / "README.md"]


def test_the_attribution_table_is_what_the_card_prints():
    from core.attribution.card import markdown_table

    assert FACTS["attribution_table"](Facts()) == markdown_table(Facts().models)


def test_constants_are_read_from_source_without_importing(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os\nKB = 1024\nLIMIT: int = 4 * KB\nPAIR = (os.sep, 'x')\nNAMES = ('a', 'b', 'c')\n")
    assert constant(str(source), "LIMIT") == 4096
    assert length(str(source), "PAIR") == 2 and length(str(source), "NAMES") == 3
    with pytest.raises(BuildError, match="PAIR"):
        constant(str(source), "PAIR")  # refers to another module: not readable without running it
    test = tmp_path / "t.py"
    test.write_text('import pytest\n\n@pytest.mark.xfail(strict=True, reason="not yet")\ndef test_a():\n    pass\n\n'
                    "def test_b():\n    pass\n")  # fmt: skip
    assert xfail_reason(str(test), "test_a") == "not yet" and xfail_reason(str(test), "test_b") is None


def test_models_that_disagree_on_a_value_stated_once_stop_the_build(tmp_path, monkeypatch):
    facts = Facts()
    models = []
    for name, sentences in (("a", 10), ("b", 11)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "metrics.json").write_text(json.dumps({"sentences": sentences}))
        models.append(tmp_path / name)
    monkeypatch.setattr("docs.facts.ROOT", tmp_path)
    facts.__dict__["models"] = models
    with pytest.raises(BuildError, match="differ in test sentences"):
        FACTS["test_sentences"](facts)


def test_a_committed_load_measurement_is_written_into_the_serving_document(tmp_path, monkeypatch):
    load = {
        "measured": "2026-01-01 00:00 UTC", "note": "quiet", "cpu_cores": 2, "users": 30, "clicks": 510,
        "errors": 0, "wrong_content": 0, "server_cpu_s_per_click": 0.073, "rss_drift": 0.008, "load_avg": [1.3, 3.3],
        "greedy": {"p50_s": 1.25, "p95_s": 1.5, "max_s": 1.57}, "beam": {"p50_s": 1.25, "p95_s": 1.5, "max_s": 1.56},
        "peak_rss_mb": 1109.0, "warm_start": {"warm_up_s": 34.0, "first_clicks": {"a": {"heatmap_s": 0.061},
                                                                             "b": {"heatmap_s": 0.121}}},
        "checks": {"p95_greedy": True, "p95_beam": True, "first_click": True, "peak_rss": True, "rss_flat": True},
    }  # fmt: skip
    (tmp_path / "load.json").write_text(json.dumps(load))
    monkeypatch.setattr("docs.facts.DATA", tmp_path)
    monkeypatch.setattr("docs.project_facts.DATA", tmp_path)
    text = FACTS["load_section"](Facts())
    assert "Measured 2026-01-01 00:00 UTC on 2 cores; quiet." in text
    assert "| 1.25 / 1.5 / 1.57 s | yes |" in text and "| 1109 MB | yes |" in text and "0.061–0.121 s" in text
    assert FACTS["load_conditions"](Facts()).startswith("Measured 2026-01-01")
