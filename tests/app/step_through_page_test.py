"""The Step through page on the shipped model: moving between steps and forcing words."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import charts

PAGE = "app_pages/step_through.py"


@pytest.fixture
def stepping(app):
    """The page with "I am cold." decoded (the shipped model's words are not relied on)."""
    at = app.switch_page(PAGE).run()
    assert not at.exception, at.exception
    at.text_area(key="step_sentence").input("I am cold.")
    at.button(key="FormSubmitter:step_form-Start").click().run()
    assert not at.exception, at.exception
    return at


def _so_far(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("#### So far:"))


def _row_labels(chart) -> list[str]:
    expr = json.loads(chart.proto.spec)["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]
    return json.loads(expr[: expr.rindex("[datum.value]")])


def _result(at):
    return at.session_state["step_result"]


def test_renders_with_charts(stepping):
    at = stepping
    result = _result(at)
    assert result.steps and at.session_state["step_pos"] == 0
    assert _so_far(at) == "#### So far: *(nothing yet)*"
    # the step's attention bars, its candidates and the whole heatmap
    assert len(charts(at)) == 3 if result.translation.target_tokens else 2
    assert not at.error


def test_next_and_previous_move_the_step(stepping):
    at = stepping
    steps = _result(at).steps
    if len(steps) < 2:
        pytest.skip("the shipped model wrote a single step")
    assert at.button(key="step_prev").disabled
    at.button(key="step_next").click().run()
    assert not at.exception and at.session_state["step_pos"] == 1
    assert _so_far(at).startswith("#### So far: ") and "nothing yet" not in _so_far(at)
    at.button(key="step_prev").click().run()
    assert not at.exception and at.session_state["step_pos"] == 0


def test_forcing_another_candidate(stepping):
    at = stepping
    pick = at.selectbox(key="step_pick")
    word = next(w for w in pick.options if w != "(end the sentence)")
    token = next(w for w, _ in _result(at).steps[0].top_k if w == word)
    pick.set_value(token)
    at.button(key="step_use").click().run()
    assert not at.exception, at.exception
    result = _result(at)
    assert result.translation.target_tokens[0] == token and result.steps[0].forced
    assert at.session_state["step_pos"] == 1
    assert _so_far(at).lower().startswith(f"#### so far: {token}")
    assert _row_labels(charts(at)[-1])[0] == f"{token} ✎"  # the forced row is marked
    # undo brings back the model's own translation
    at.button(key="step_reset").click().run()
    assert not at.exception and not any(s.forced for s in _result(at).steps)


def test_typed_prefix(stepping):
    at = stepping
    words = [w for w, _ in _result(at).steps[0].top_k if w != "[END]"][:2]
    at.text_input(key="step_typed").input(" ".join(words))
    at.button(key="FormSubmitter:step_typed_form-Continue from these words").click().run()
    assert not at.exception, at.exception
    result = _result(at)
    assert result.translation.target_tokens[: len(words)] == words
    assert all(s.forced for s in result.steps[: len(words)])


def test_unknown_typed_word_is_a_message(stepping):
    at = stepping
    before = _result(at).translation.target_tokens
    at.text_input(key="step_typed").input("estoy zorgblatt")
    at.button(key="FormSubmitter:step_typed_form-Continue from these words").click().run()
    assert not at.exception, at.exception
    assert any("zorgblatt" in e.value and "vocabulary" in e.value for e in at.error)
    assert _result(at).translation.target_tokens == before  # nothing changed


def test_empty_sentence_is_a_message(app):
    at = app.switch_page(PAGE).run()
    at.text_area(key="step_sentence").input("   ")
    at.button(key="FormSubmitter:step_form-Start").click().run()
    assert not at.exception, at.exception
    assert any("Type an English sentence" in i.value for i in at.info)
    assert not charts(at)


def test_link_opens_the_step_through_in_chinese():
    from tests.app.conftest import open_app

    at = open_app({"lang": "zh", "text": "I am cold."}, page=PAGE)
    assert not at.exception, at.exception
    assert at.title[0].value == "逐步解码"
    assert at.get("vega_lite_chart")  # decoded straight from the link
    assert at.button(key="step_next").label == "下一步"
