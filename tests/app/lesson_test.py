"""One sentence for the whole lesson (ui/lesson.py), through AppTest on the shipped models.

A sentence typed on one page is the box and the result of every other translating page; a page
whose result was computed for another sentence or model computes it again; a Step-through link
reopens at its step; an example clicked on one page becomes every page's sentence.
"""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import charts, open_app, query_param
from ui.examples import DEFAULT_SENTENCE, EXAMPLES

SENTENCE = "My brother plays the guitar."
TOKENS = ["my", "brother", "plays", "the", "guitar", "."]
PAGES = {  # page -> prefix of its keys
    "app_pages/step_through.py": "step_",
    "app_pages/beam.py": "beam_",
    "app_pages/compare.py": "compare_",
    "app_pages/attribution.py": "attribution_",
    "app_pages/interventions.py": "interventions_",
}


def _source_axes(at) -> list[list[str]]:
    """The English axis of every attention heatmap on the page (its ``source`` column, in order)."""
    axes = []
    for chart in charts(at):
        spec = json.loads(chart.proto.spec)
        expr = json.dumps(spec)
        if '"source_pos"' not in expr or "labelExpr" not in expr:
            continue
        for layer in spec.get("layer", []):
            axis = layer.get("encoding", {}).get("x", {}).get("axis") or {}
            if layer.get("encoding", {}).get("x", {}).get("field") == "source_pos" and "labelExpr" in axis:
                axes.append(json.loads(axis["labelExpr"][: axis["labelExpr"].rindex("[datum.value]")]))
                break
    return axes


def _typed_on_translate():
    at = open_app()
    at.default_timeout = 600  # attribution traces its function on its first call
    at.text_area(key="translate_sentence").input(SENTENCE)
    at.button(key="FormSubmitter:translate_form-Translate").click().run()
    assert not at.exception, at.exception
    assert query_param(at, "text") == SENTENCE
    return at


@pytest.mark.slow
def test_a_sentence_typed_once_is_every_pages_sentence_and_result():
    at = _typed_on_translate()
    for page, prefix in PAGES.items():
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert at.text_area(key=prefix + "sentence").value == SENTENCE, page
        axes = _source_axes(at)
        assert axes and all([w.removesuffix(" [UNK]") for w in axis] == TOKENS for axis in axes), (page, axes)
        assert query_param(at, "text") == SENTENCE, page


def test_a_page_recomputes_a_result_of_another_sentence():
    at = open_app(page="app_pages/beam.py")
    assert _source_axes(at) == [["i", "have", "a", "red", "car", "."]]  # the default sentence, searched on arrival
    at.switch_page("app_pages/translate.py").run()
    at.text_area(key="translate_sentence").input(SENTENCE)
    at.button(key="FormSubmitter:translate_form-Translate").click().run()
    at.switch_page("app_pages/beam.py").run()
    assert not at.exception, at.exception
    assert at.text_area(key="beam_sentence").value == SENTENCE
    assert _source_axes(at) == [TOKENS]
    assert at.session_state["beam_result"][1] == SENTENCE


def test_a_sentence_typed_on_step_through_comes_back_to_translate():
    at = open_app(page="app_pages/step_through.py")
    at.text_area(key="step_sentence").input(SENTENCE)
    at.button(key="FormSubmitter:step_form-Start").click().run()
    at.switch_page("app_pages/translate.py").run()
    assert not at.exception, at.exception
    assert at.text_area(key="translate_sentence").value == SENTENCE
    assert _source_axes(at) == [TOKENS]


def test_another_model_in_the_sidebar_recomputes_the_result():
    at = open_app(page="app_pages/step_through.py")
    assert at.session_state["step_run"]["model"] == "assets/additive"
    at.selectbox(key="sidebar_model").set_value("assets/luong-general").run()
    assert not at.exception, at.exception
    assert at.session_state["step_run"]["model"] == "assets/luong-general"


def test_a_step_through_link_reopens_at_its_step():
    at = open_app({"text": "I am cold.", "step": "3"}, page="app_pages/step_through.py")
    assert not at.warning
    assert at.session_state["step_pos"] == 2
    assert query_param(at, "step") == "3" and query_param(at, "text") == "I am cold."
    at.button(key="step_prev").click().run()
    assert query_param(at, "step") == "2"


def test_an_example_clicked_on_one_page_is_the_next_pages_sentence():
    at = open_app(page="app_pages/beam.py")
    at.session_state["beam_examples"] = True  # the list opened
    at.run()
    note, sentence, _ = EXAMPLES[0]
    at.button(key="beam_example_0").click().run()
    assert at.text_area(key="beam_sentence").value == sentence
    at.switch_page("app_pages/compare.py").run()
    assert at.text_area(key="compare_sentence").value == sentence
    assert at.session_state["compare_result"][0] == sentence


def test_an_empty_box_shows_no_result_anywhere():
    at = open_app()
    at.text_area(key="translate_sentence").input("  ")
    at.button(key="FormSubmitter:translate_form-Translate").click().run()
    assert not charts(at)
    at.switch_page("app_pages/beam.py").run()
    assert not at.exception, at.exception
    assert any("Type an English sentence" in i.value for i in at.info)
    assert not charts(at) and at.text_area(key="beam_sentence").value.strip() == ""
    assert DEFAULT_SENTENCE not in json.dumps([m.value for m in at.markdown])
