"""The Layers & heads page on tiny run folders: the grid, enlarging a panel, links, non-Transformer models."""

from __future__ import annotations

import json

import pytest

from core.text import MAX_INPUT_CHARS
from tests.app.conftest import charts, open_app, query_param
from tests.app.tiny_models import (
    ADDITIVE,
    TRANSFORMER,
    use_model_dirs,
    write_tiny_run,
)

pytestmark = [
    pytest.mark.usefixtures("tiny_model_dir"),
    pytest.mark.xdist_group("tiny_models"),
]  # the app sees the tiny runs
PAGE = "app_pages/layers_heads.py"


def _open(query: dict[str, str] | None = None, model: str = TRANSFORMER, **state):
    return open_app(query, page=PAGE, model=model, **state)


def _submit(at, text: str = "I am cold."):
    at.text_area(key="layers_sentence").input(text)
    at.button(key="FormSubmitter:layers_form-Show the attention").click().run()
    assert not at.exception, at.exception
    return at


def _grid_chart(at):
    (grid,) = [c for c in charts(at) if '"facet"' in c.proto.spec]
    return grid


def _grid(at) -> dict:
    return json.loads(_grid_chart(at).proto.spec)


def _heatmap(at) -> dict:
    (big,) = [c for c in charts(at) if '"facet"' not in c.proto.spec]
    return json.loads(big.proto.spec)


def _grid_values(at) -> list[dict]:
    """The grid's cells (one dict per cell), as the browser receives them."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    (dataset,) = _grid_chart(at).proto.datasets
    return convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict("records")


def test_grid_of_every_layer_and_head_then_one_enlarged():
    at = _submit(_open())
    assert not at.warning and not at.error
    spec = _grid(at)
    rows = _grid_values(at)
    assert {(r["layer"], r["head"]) for r in rows} == {(1, 1), (1, 2), (2, 1), (2, 2)}  # 2 layers × 2 heads
    assert spec["spec"]["encoding"]["color"]["scale"]["domain"] == [0, 1]
    # cross-attention by default: output tokens down, the 4 English tokens across
    assert {r["col_token"] for r in rows} == {"i", "am", "cold", "."}
    assert [s.value for s in at.subheader][-1] == "Cross-attention: layer 2, head 1"
    assert _heatmap(at)["layer"][0]["encoding"]["color"]["scale"]["domain"] == [0, 1.0]
    assert len(at.get("download_button")) == 3
    assert (query_param(at, "text"), query_param(at, "kind"), query_param(at, "layer"), query_param(at, "head")) == (
        "I am cold.",
        "cross",
        "2",
        "1",
    )


def test_each_kind_and_a_chosen_head():
    at = _submit(_open())
    at.radio(key="layers_kind").set_value("encoder_self").run()
    rows = _grid_values(at)
    assert {r["row_token"] for r in rows} == {r["col_token"] for r in rows} == {"i", "am", "cold", "."}
    at.radio(key="layers_kind").set_value("decoder_self").run()
    rows = _grid_values(at)
    assert "[START]" in {r["col_token"] for r in rows}  # the decoder reads the start token first
    causal = [r["weight"] for r in rows if r["col"] > r["row"]]
    assert causal and max(causal) == 0.0  # no token looks ahead
    at.selectbox(key="layers_layer").set_value(0)
    at.selectbox(key="layers_head").set_value(1).run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader][-1] == "Decoder self-attention: layer 1, head 2"
    chosen = {(r["layer"], r["head"]) for r in _grid_values(at) if r["chosen"]}
    assert chosen == {(1, 2)}  # the enlarged panel is outlined in the grid
    assert (query_param(at, "kind"), query_param(at, "layer"), query_param(at, "head")) == ("decoder_self", "1", "2")


def test_a_click_on_a_panel_enlarges_it():
    at = _submit(_open())
    at.session_state["layers_grid"] = {"selection": {"pick": [{"layer": 1, "head": 2}]}}
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="layers_layer").value == 0 and at.selectbox(key="layers_head").value == 1
    # the selectboxes still work after the click
    at.selectbox(key="layers_head").set_value(0).run()
    assert at.selectbox(key="layers_head").value == 0


def test_link_reopens_the_view():
    at = _open({"text": "She is tall.", "kind": "encoder_self", "layer": "1", "head": "2"})
    assert not at.warning
    assert at.radio(key="layers_kind").value == "encoder_self"
    assert [s.value for s in at.subheader][-1] == "Encoder self-attention: layer 1, head 2"
    assert {r["row_token"] for r in _grid_values(at)} == {"she", "is", "tall", "."}


def test_link_values_off_the_allow_list_are_refused():
    at = _open({"model": "../../etc", "layer": "99", "kind": "<b>x</b>", "text": "I am cold."})
    refused = [w.value.replace("\\", "") for w in at.warning]
    assert len(refused) == 3, refused
    assert any("model" in w and "../../etc" in w for w in refused)
    assert at.session_state["sidebar_model"] == TRANSFORMER
    assert at.radio(key="layers_kind").value == "cross"
    assert at.selectbox(key="layers_layer").value == 1  # the default: the last layer


def test_link_layer_beyond_the_model_falls_back_with_a_message():
    at = _open({"text": "I am cold.", "layer": "3", "head": "2"})  # 3 is allowed by a link, but the model has 2
    assert any("only 2" in w.value for w in at.warning)
    assert at.selectbox(key="layers_layer").value == 1 and at.selectbox(key="layers_head").value == 1


def test_bad_input():
    at = _submit(_open(), "   ")
    assert any("Type an English sentence" in i.value for i in at.info)
    assert not charts(at)
    at = _submit(at, "I am cold. " * (MAX_INPUT_CHARS // 5))
    assert any(str(MAX_INPUT_CHARS) in w.value for w in at.warning)
    assert len(charts(at)) == 2
    at = _submit(at, "<script>alert(1)</script> Zorblax")
    assert not at.exception
    for element in [*at.markdown, *at.warning]:
        assert "<script>" not in element.value


def test_non_transformer_model_points_to_one():
    at = _open(model=ADDITIVE)
    (info,) = at.info
    assert "Transformer" in info.value and TRANSFORMER in info.value.replace("\\", "")
    assert at.get("text_area") == [] or not at.text_area
    at.button(key="layers_use_transformer").click().run()
    assert not at.exception, at.exception
    assert at.session_state["sidebar_model"] == TRANSFORMER
    assert at.selectbox(key="sidebar_model").value == TRANSFORMER
    _submit(at)
    assert len(charts(at)) == 2


def test_no_transformer_at_all(tmp_path, monkeypatch):
    import streamlit as st

    write_tiny_run(tmp_path / "lab" / "only-additive", "additive")
    use_model_dirs(monkeypatch, tmp_path / "lab")
    try:
        at = _open(model="lab/only-additive")
        (info,) = at.info
        assert "No Transformer model is available" in info.value
        assert not at.button or all(b.key != "layers_use_transformer" for b in at.button)
    finally:
        st.cache_data.clear()


@pytest.mark.parametrize("lang", ["zh"])
def test_chinese(lang):
    at = _open({"lang": lang, "text": "I am cold."})
    assert at.title[0].value == "层与注意力头"
    assert [s.value for s in at.subheader][-1] == "交叉注意力：第 2 层，第 1 个头"
