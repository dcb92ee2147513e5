"""The How-attention-works page: equations and live source, the positional-encoding visualiser, the toy Q, K, V."""

from __future__ import annotations

import inspect
import textwrap

import numpy as np
import pytest

from tests.app.conftest import charts

PAGE = "app_pages/how_attention_works.py"


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
                  r"10000^{2i/d}", r"\mathrm{FFN}_{SwiGLU}"):  # fmt: skip
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
    heatmap = _chart(page, "dimension j of the encoding").proto.spec
    lines = _chart(page, '"j = 0 (sin)"').proto.spec
    page.slider(key="how_d_model").set_value(16).run()
    assert not page.exception, page.exception
    assert _chart(page, "dimension j of the encoding").proto.spec != heatmap
    heatmap = _chart(page, "dimension j of the encoding").proto.spec
    page.slider(key="how_positions").set_value(10).run()
    assert not page.exception, page.exception
    assert _chart(page, "dimension j of the encoding").proto.spec != heatmap
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
