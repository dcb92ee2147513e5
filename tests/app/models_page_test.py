"""The Models page: the report card of every model and their curves, in English and Chinese, from links."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import SHIPPED, charts, open_app

PAGE = "app_pages/models.py"


def _open(query: dict[str, str] | None = None, **state):
    """The page opened straight from a link with ``query`` parameters."""
    return open_app(query, page=PAGE, **state)


def _chart(at) -> dict:
    found = charts(at)
    assert len(found) == 1
    return json.loads(found[0].proto.spec)


def test_report_card(app):
    at = app.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Models"]
    table = at.table[0].value
    assert {"model", "architecture", "parameters", "epochs", "BLEU", "chrF"} <= set(table.columns)
    row = table[table["model"] == SHIPPED].iloc[0]
    assert row["epochs"] >= 1 and "additive" in row["architecture"]
    # local-p began from Luong general's weights: its row says so, and a note says what that means
    local_p = table[table["model"] == "assets/luong-local-p"].iloc[0]
    assert local_p["started from"].startswith("luong-general (its epoch ")
    assert table[table["model"] == SHIPPED].iloc[0]["started from"] in (None, "–") or row.isna()["started from"]
    (note,) = [c.value for c in at.caption if "began from the weights of" in c.value]
    assert "luong\\-local\\-p" in note and "luong\\-general" in note and "budget, not mechanism" in note
    assert len(charts(at)) == 1
    radio = at.radio(key="models_metric")
    assert radio.options == ["validation loss", "training loss", "validation accuracy", "training accuracy"]
    assert _chart(at)["title"] == "validation loss"
    radio.set_value("val_accuracy").run()
    assert not at.exception
    assert _chart(at)["title"] == "validation accuracy"
    assert at.query_params["metric"] in ("val_accuracy", ["val_accuracy"])  # the address bar follows the view


def test_chinese_page():
    at = _open(app_lang="zh")
    assert [t.value for t in at.title] == ["模型"]
    table = at.table[0].value
    assert {"模型", "架构", "参数量", "轮数", "BLEU", "chrF"} <= set(table.columns)
    assert SHIPPED in set(table["模型"])
    architecture = table[table["模型"] == SHIPPED].iloc[0]["架构"]
    assert architecture == "双向 GRU + 加性（Bahdanau）注意力"  # the architecture speaks the UI's language too
    radio = at.radio(key="models_metric")
    assert radio.label == "曲线" and radio.options[0] == "验证集损失"
    assert radio.value == "val_loss"  # the stored value stays language-neutral
    spec = _chart(at)
    assert spec["title"] == "验证集损失" and spec["encoding"]["y"]["title"] == "验证集损失"
    assert spec["encoding"]["y"]["field"] == "val_loss" and spec["encoding"]["x"]["title"] == "轮次"


def test_link_restores_the_metric():
    at = _open({"metric": "accuracy"})
    assert not at.warning
    assert at.radio(key="models_metric").value == "accuracy"
    assert _chart(at)["title"] == "training accuracy"
    at.radio(key="models_metric").set_value("val_loss").run()
    assert at.radio(key="models_metric").value == "val_loss"  # the link is read once
    assert "metric" not in at.query_params  # the default view needs no parameter


@pytest.mark.parametrize("value", ["../../etc", "bleu", ""])
def test_bad_metric_is_refused(value):
    at = _open({"metric": value})
    assert any("`metric`" in w.value for w in at.warning)
    assert at.radio(key="models_metric").value == "val_loss"
    assert _chart(at)["title"] == "validation loss"
    assert at.table[0].value.shape[0] >= 1


def test_report_card_names_the_saved_epoch_of_every_model():
    """Which epoch's weights each model holds, and why: the ReLU Transformer keeps its last epoch."""
    from core import runs
    from core.runs import provenance
    from tests.app.conftest import ROOT

    at = _open()
    table = at.table[0].value
    assert "saved weights" in table.columns
    for info in runs.find_runs([ROOT / "assets"]):
        saved = provenance.saved(info.path)
        expected = {"best": "epoch {} (lowest validation loss)", "last": "epoch {} (last epoch)"}[saved["keep"]]
        assert table[table["model"] == info.name].iloc[0]["saved weights"] == expected.format(saved["epoch"])
    relu = table[table["model"] == "assets/transformer-relu"]
    if len(relu):
        assert relu.iloc[0]["saved weights"] == "epoch 14 (last epoch)"
    zh = _open(app_lang="zh").table[0].value
    assert zh[zh["模型"] == SHIPPED].iloc[0]["保存的权重"].startswith("第 ")
