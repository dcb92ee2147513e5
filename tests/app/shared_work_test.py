"""The class shares the work: searches traced once across reruns and sessions, identical requests decoded once."""

from __future__ import annotations

import pytest

from core.runs import find_runs
from tests.app.conftest import SHIPPED, charts, open_app, translate
from ui.examples import DEFAULT_SENTENCE


def _shared_translator():
    from ui.models import get_translator

    (path,) = [str(r.path) for r in find_runs() if r.name == SHIPPED]
    return get_translator(path)  # the very object the page's sessions use (one per process)


@pytest.mark.slow
def test_searches_are_traced_once_across_reruns_and_sessions():
    first = translate(open_app(), "I am cold.")
    assert len(charts(first)) == 1
    translator = _shared_translator()
    before = dict(translator.trace_counts)
    assert before.get("greedy") == 1
    first.run()  # a rerun
    translate(first, "Where did you put the keys yesterday evening?")  # another length
    second = translate(open_app(), "The cat sleeps.")  # another session
    assert len(charts(second)) == 1
    assert dict(translator.trace_counts) == before

    second.radio(key="translate_decoding").set_value("beam")
    translate(second, "I am cold.")
    beam_traces = translator.trace_counts["beam-4"]
    assert beam_traces == 1
    translate(second, "My sister lives near the airport.")
    translate(open_app(), "The museum opens at nine.")  # a new session, greedy again
    assert translator.trace_counts["beam-4"] == beam_traces and translator.trace_counts["greedy"] == 1


def test_identical_requests_from_two_sessions_are_decoded_once(monkeypatch):
    translator = _shared_translator()
    calls = []
    original = translator.translate
    monkeypatch.setattr(translator, "translate", lambda s: calls.append(s) or original(s))
    sentence = "Two students typed this very sentence."
    a = translate(open_app(), sentence)
    b = translate(open_app(), sentence)
    typed = [c for c in calls if c != DEFAULT_SENTENCE]  # each session first shows the lesson's default sentence
    assert typed == [sentence] and calls.count(DEFAULT_SENTENCE) <= 1
    assert a.markdown[0].value == b.markdown[0].value
    translate(b, sentence + " Then another.")
    assert len([c for c in calls if c != DEFAULT_SENTENCE]) == 2
