"""The How-attention-works page: equations and live source, the positional-encoding visualiser, the toy Q, K, V."""

from __future__ import annotations

import inspect
import json
import textwrap

import numpy as np
import pytest

from tests.app.conftest import charts, open_app

PAGE = "app_pages/how_attention_works.py"
HEATMAP = '"blueorange"'  # the positional-encoding heatmap's palette, used by no other chart of the page


def _edit(at, matrix: str, edits: dict):
    """Set ``edits`` ({row: {column: value}}) on the data editor of ``matrix`` and rerun."""
    at.session_state[f"how_{matrix}"] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.run()


def _weights(at):
    """The toy's weights table: the second read-only table (scores, weights, output) after the editors."""
    tables = [d for d in at.dataframe if d.editing_mode == "read_only"]
    if not tables:
        raise LookupError("no result tables")
    assert len(tables) == 3
    return tables[1].value


def _chart(at, marker: str):
    found = [c for c in charts(at) if marker in c.proto.spec]
    assert len(found) == 1, f"{len(found)} charts contain {marker!r}"
    return found[0]


@pytest.fixture
def page(app):
    at = app.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_equations_and_code(page):
    assert [t.value for t in page.title] == ["How attention works"]
    latex = [e.value for e in page.latex]
    # additive, Luong, local-p, scaled dot-product + multi-head, positional, ReLU + GLU FFN, and the toy
    assert len(latex) >= 9
    joined = "\n".join(latex)
    for piece in (r"\tanh(W_1 s_t + W_2 h_j)", r"\text{general}", r"2\sigma^2", r"\sqrt{d_k}", r"\mathrm{MultiHead}",
                  r"10000^{2i/d}", r"\mathrm{FFN}_{SwiGLU}", r"\sum_{|k - p_t| \le D}"):  # fmt: skip
        assert piece in joined, piece
    code = [c.value for c in page.code]
    assert len(code) >= 14
    from core.attention.additive import AdditiveAttention
    from core.layers.positional import positional_encoding

    for fn in (AdditiveAttention.call, positional_encoding):  # shown as the files hold them, not as a copy
        assert textwrap.dedent(inspect.getsource(fn)).rstrip() in code
    assert any(c.startswith("_GATES = {") for c in code)
    assert any("core/attention/local.py" in e.label for e in page.expander)


def test_positional_sliders_change_the_chart(page):
    heatmap = _chart(page, HEATMAP).proto.spec
    lines = _chart(page, '"j = 0 (sin)"').proto.spec
    page.slider(key="how_d_model").set_value(16).run()
    assert not page.exception, page.exception
    assert _chart(page, HEATMAP).proto.spec != heatmap
    heatmap = _chart(page, HEATMAP).proto.spec
    page.slider(key="how_positions").set_value(10).run()
    assert not page.exception, page.exception
    assert _chart(page, HEATMAP).proto.spec != heatmap
    assert _chart(page, '"j = 0 (sin)"').proto.spec != lines
    page.multiselect(key="how_dimensions").set_value([3, 15]).run()
    page.slider(key="how_d_model").set_value(4).run()  # dimension 15 no longer exists
    assert not page.exception, page.exception
    assert page.multiselect(key="how_dimensions").value == [3]


def test_editing_q_changes_the_weights(page):
    weights = _weights(page)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=2e-3)
    at = _edit(page, "q", {0: {"d1": -3.0}})
    assert not at.exception, at.exception
    changed = _weights(at)
    assert not np.allclose(changed.loc["q1"], weights.loc["q1"])
    np.testing.assert_allclose(changed.loc[["q2", "q3"]], weights.loc[["q2", "q3"]])
    assert changed.loc["q1"].idxmax() == "k4"  # q1 = (-3, 0) now points at k4 = (-1, 0)


def test_causal_mask_zeroes_later_keys(page):
    page.toggle(key="how_causal").set_value(True).run()
    assert not page.exception, page.exception
    weights = _weights(page)
    assert weights.loc["q1", "k3"] == 0 and weights.loc["q1", "k4"] == 0 and weights.loc["q2", "k4"] == 0
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=2e-3)
    assert any("masked" in c.value for c in page.caption)


@pytest.mark.parametrize("value", ["abc", None])
def test_bad_cell_gives_a_message_not_a_traceback(page, value):
    at = _edit(page, "q", {1: {"d1": value}})
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Cannot compute the attention: Q, row q2, column d1 is empty or not a number; type a number."
    ]
    with pytest.raises(LookupError):
        _weights(at)
    at = _edit(at, "q", {1: {"d1": 0.5}})  # fixing the cell brings the tables back
    assert not at.error
    assert _weights(at).shape == (3, 4)


def _open(query: dict[str, str] | None = None, **state):
    """The page opened straight from a link with ``query`` parameters."""
    return open_app(query, page=PAGE, **state)


def _text(chart) -> str:
    """A chart's spec with non-ASCII titles readable (the proto escapes them)."""
    return json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)


def _toy_heatmap(at):
    return json.loads(_chart(at, '"query"').proto.spec)


def test_english_by_default_and_chinese_on_request(page):
    assert [t.label for t in page.tabs] == ["Equations and code", "Positional encoding", "Try it: Q, K, V"]
    assert page.toggle(key="how_causal").label == "Causal mask"
    page.session_state["app_lang"] = "zh"
    at = page.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["注意力原理"]
    assert [t.label for t in at.tabs] == ["公式与代码", "位置编码", "动手试试：Q、K、V"]
    assert at.subheader[0].value == "加性注意力（Bahdanau）"
    assert at.toggle(key="how_causal").label == "因果掩码"
    assert at.slider(key="how_positions").label == "位置数"
    assert any(e.label.startswith("代码：") for e in at.expander)
    assert r"\tanh(W_1 s_t + W_2 h_j)" in "\n".join(e.value for e in at.latex)  # LaTeX is not translated
    assert "编码的第 j 维" in _text(_chart(at, HEATMAP))
    assert "键" in _text(_chart(at, '"scheme": "viridis"'))


def test_chinese_bad_cell_message():
    at = _open(app_lang="zh")
    at = _edit(at, "q", {1: {"d1": "abc"}})
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["无法计算注意力：Q 的 q2 行、d1 列为空或不是数字；请输入一个数字。"]


def test_tab_survives_a_language_switch(page):
    page.session_state["how_section"] = "Try it: Q, K, V"
    at = page.run()
    at.session_state["app_lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["how_section"] == "动手试试：Q、K、V"
    assert at.query_params["section"] in ("toy", ["toy"])


def test_presentation_mode_enlarges_the_toy_heatmap(page):
    plain = _toy_heatmap(page)
    page.session_state["app_present"] = True
    at = page.run()
    assert not at.exception, at.exception
    presented = json.loads(_chart(at, '"query"').proto.spec)
    assert '"scheme": "blues"' in json.dumps(presented) and '"scheme": "blues"' not in json.dumps(plain)
    assert presented["width"]["step"] > plain["width"]["step"]


def test_link_restores_section_and_sizes():
    at = _open({"section": "positional", "positions": "12", "d_model": "16", "causal": "1"})
    assert not at.warning
    assert at.session_state["how_section"] == "Positional encoding"
    assert at.slider(key="how_positions").value == 12
    assert at.slider(key="how_d_model").value == 16
    assert at.toggle(key="how_causal").value is True
    encoding = json.loads(_chart(at, HEATMAP).proto.spec)["encoding"]
    assert encoding["y"]["scale"]["domain"] == [0, 12] and encoding["x"]["scale"]["domain"] == [0, 16]
    at.slider(key="how_positions").set_value(20).run()  # the address bar follows the view
    assert at.query_params["positions"] in ("20", ["20"])
    assert at.slider(key="how_positions").value == 20  # the link is read once, not on every rerun


@pytest.mark.parametrize(
    ("param", "value"),
    [("section", "../../etc"), ("positions", "99999"), ("d_model", "15"), ("d_model", "-2"), ("causal", "yes")],
)
def test_bad_link_values_are_refused(param, value):
    at = _open({param: value})
    assert any(f"`{param}`" in w.value for w in at.warning)
    assert [t.value for t in at.title] == ["How attention works"]
    assert at.session_state["how_section"] == "Equations and code"
    assert at.slider(key="how_positions").value == 40 and at.slider(key="how_d_model").value == 64
    assert at.toggle(key="how_causal").value is False
    assert _weights(at).shape == (3, 4)
