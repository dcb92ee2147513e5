"""Every page in 中文: no chart (axis titles, legends, tooltips) and no page text says an English catalogue string."""

from __future__ import annotations

import pytest

from tests.app.conftest import charts, open_app
from tests.chart_text import english_only, shown_strings

PAGES = {  # page -> the model it is opened on (a Transformer where the page needs one)
    "app_pages/translate.py": "assets/transformer-glu",
    "app_pages/step_through.py": "assets/luong-local-p",
    "app_pages/beam.py": "assets/additive",
    "app_pages/compare.py": "assets/additive",
    "app_pages/layers_heads.py": "assets/transformer-glu",
    "app_pages/training.py": "assets/additive",
    "app_pages/attention_over_training.py": "assets/additive",
    "app_pages/models.py": "assets/additive",
    "app_pages/how_attention_works.py": "assets/additive",
}


def test_the_shown_strings_of_a_spec_include_untitled_fields():
    spec = {
        "title": "t",
        "encoding": {
            "x": {"field": "probability", "type": "quantitative"},
            "y": {"field": "rank", "type": "ordinal", "axis": {"title": "next token"}},
            "color": {"field": "w", "scale": {"domain": ["written", "other"]}, "legend": {"title": None}},
            "tooltip": [{"field": "token", "type": "nominal"}, {"field": "p", "title": "prob"}],
        },
        "datasets": {"d": [{"title": "data, not text"}]},
    }
    assert shown_strings(spec) == {"t", "probability", "next token", "written", "other", "token", "prob"}


def press_main_button(at):
    """Click the page's primary button (its form's submit), if it has one."""
    primary = [b for b in at.button if getattr(b.proto, "type", "") == "primary"]
    if primary:
        primary[0].click().run()
        assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", list(PAGES))
def test_charts_in_chinese_have_no_english_catalogue_string(page):
    from core.runs import find_runs

    if PAGES[page] not in {r.name for r in find_runs() if r.error is None}:
        pytest.skip(f"the shipped model {PAGES[page]} is missing")
    at = press_main_button(open_app(page=page, model=PAGES[page], app_lang="zh"))
    english = english_only()
    specs = [c.proto.spec for c in charts(at)]
    leaks = {s for spec in specs for s in shown_strings(spec) if s in english}
    assert not leaks, f"{page}: English catalogue strings in a 中文 chart: {sorted(leaks)}"
