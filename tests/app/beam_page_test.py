"""The Beam search page on tiny run folders: n-best list, per-hypothesis heatmap, expansion tree, links."""

from __future__ import annotations

import re

import pytest

from tests.app.conftest import charts, open_app, query_param
from tests.app.tiny_models import ADDITIVE, TRANSFORMER
from ui.examples import DEFAULT_SENTENCE

pytestmark = [
    pytest.mark.usefixtures("tiny_model_dir"),
    pytest.mark.xdist_group("tiny_models"),
]  # the app sees the tiny runs
PAGE = "app_pages/beam.py"


def _open(query: dict[str, str] | None = None, model: str = TRANSFORMER):
    return open_app(query, page=PAGE, model=model)


def _submit(at, text: str = "I am cold.", width: int | None = None):
    at.text_area(key="beam_sentence").input(text)
    if width is not None:
        at.slider(key="beam_width").set_value(width)
    at.button(key="FormSubmitter:beam_form-Search").click().run()
    assert not at.exception, at.exception
    return at


def _dot(at) -> str:
    (tree,) = at.get("graphviz_chart")
    return tree.proto.spec


def _nodes(dot: str) -> set[str]:
    return set(re.findall(r"^  (n\d+_\d+) \[", dot, re.M))


@pytest.mark.slow
def test_nbest_heatmap_and_tree():
    at = _submit(_open(), width=3)
    assert not at.warning and not at.error
    (table, _) = at.dataframe  # the n-best list, then the table of nodes
    assert len(table.value) == 3
    assert table.value.iloc[0]["translation"] == "Tengo frío."  # the tiny model learnt this pair
    assert table.value["finished"].iloc[0]
    assert list(table.value["score"]) == sorted(table.value["score"], reverse=True)
    assert len(at.selectbox(key="beam_hypothesis").options) == 3
    assert len(charts(at)) == 1 and len(at.get("download_button")) == 4  # PNG, SVG, CSV, tree
    dot = _dot(at)
    assert dot.startswith("digraph beam {") and "start -> n0_" in dot
    assert 'label="[END]' in dot and "#1" in dot and "#3" in dot
    assert (query_param(at, "text"), query_param(at, "width"), query_param(at, "alpha")) == ("I am cold.", "3", "0.6")


@pytest.mark.slow
def test_picking_a_hypothesis_and_hiding_pruned_branches():
    at = _submit(_open(), width=4)
    first = _dot(at)
    at.selectbox(key="beam_hypothesis").set_value(1).run()
    assert not at.exception, at.exception
    assert "**Where hypothesis 2 looked**" in [m.value for m in at.markdown]
    second = _dot(at)
    assert first != second  # another path is highlighted
    assert _nodes(first) == _nodes(second)
    at.toggle(key="beam_pruned").set_value(False).run()
    kept = _dot(at)
    assert _nodes(kept) < _nodes(second)
    (_, nodes) = at.dataframe
    assert len(nodes.value) == len(_nodes(kept))
    assert "pruned" not in set(nodes.value["status"])


@pytest.mark.slow
def test_link_reopens_the_search():
    at = _open({"text": "I am hot.", "width": "2", "alpha": "1.5"})
    assert not at.warning
    assert at.slider(key="beam_width").value == 2 and at.slider(key="beam_alpha").value == pytest.approx(1.5)
    (table, _) = at.dataframe
    assert len(table.value) == 2
    assert "α = 1.5" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ({"model": "../../etc"}, "model"),
        ({"width": "9"}, "width"),
        ({"width": "1"}, "width"),
        ({"alpha": "abc"}, "alpha"),
        ({"alpha": "2.5"}, "alpha"),
        ({"alpha": "0.65"}, "alpha"),
        ({"text": "x" * 1000}, "text"),
    ],
)
def test_link_values_off_the_allow_list_are_refused(query, refused):
    at = _open(query)
    (warning,) = [w for w in at.warning if "link" in w.value]  # the page also names the default's unknown words
    assert f"`{refused}`" in warning.value
    assert at.session_state["sidebar_model"] == TRANSFORMER
    assert at.slider(key="beam_width").value == 4 and at.slider(key="beam_alpha").value == pytest.approx(0.6)
    assert at.text_area(key="beam_sentence").value == DEFAULT_SENTENCE  # the lesson's sentence, searched as it is
    assert "x" * 20 not in _dot(at)


@pytest.mark.slow
def test_bad_input():
    at = _submit(_open(), "   ")
    assert any("Type an English sentence" in i.value for i in at.info)
    assert not at.get("graphviz_chart") and not charts(at)
    at = _submit(at, 'Say "hi" \\ <b>there</b>')
    assert not at.exception
    for element in [*at.markdown, *at.warning]:
        assert "<b>" not in element.value
    assert _dot(at).count("digraph") == 1


@pytest.mark.slow
def test_works_for_a_recurrent_model():
    at = _submit(_open(model=ADDITIVE), width=2)
    (table, _) = at.dataframe
    assert len(table.value) == 2
    assert len(charts(at)) == 1 and _dot(at)


@pytest.mark.slow
def test_chinese():
    at = _open({"lang": "zh", "text": "I am cold."})
    assert at.title[0].value == "束搜索"
    assert "束的扩展过程" in [s.value for s in at.subheader]
