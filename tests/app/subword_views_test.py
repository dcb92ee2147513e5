"""A subword model on the Translate page: the pieces/words switch, its rule, and both heatmaps."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import charts, open_app, translate
from tests.app.tiny_models import use_model_dirs, write_tiny_subword_run


@pytest.fixture
def subword_app(tmp_path, monkeypatch):
    root = tmp_path / "lab"
    write_tiny_subword_run(root / "tiny-subword")
    use_model_dirs(monkeypatch, root)
    return open_app(model="lab/tiny-subword")


def _spec_text(chart) -> str:
    """The chart's spec as text: its axes name every token (the data travel beside it)."""
    return json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)


def test_words_view_by_default_with_its_rule_and_pieces_on_request(subword_app):
    at = translate(subword_app, "Okonkwo reads a book.")
    (words,) = charts(at)
    rule = " ".join(c.value for c in at.caption)
    assert "sum over its pieces" in rule and "mean over its pieces" in rule
    assert "Okonkwo" in _spec_text(words)  # the name as one word, whatever its pieces
    at.segmented_control(key="app_level").set_value("pieces").run()
    assert not at.exception
    (pieces,) = charts(at)
    # the axis labels sit in a JSON string of the spec, where ▁ is written \\u2581
    assert "u2581" in _spec_text(pieces) and "u2581" not in _spec_text(words)  # word starts in pieces only
    assert "pieces the model computed" not in " ".join(c.value for c in at.caption)


def test_a_word_level_model_draws_no_switch(app):
    at = translate(app, "I am cold.")
    assert "app_level" not in [b.key for b in at.get("button_group")]
