"""The Models page: the report card of every model and their curves."""

from __future__ import annotations

from tests.app.conftest import SHIPPED, charts


def test_report_card(app):
    at = app.switch_page("app_pages/models.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert {"model", "architecture", "parameters", "epochs", "BLEU", "chrF"} <= set(table.columns)
    row = table[table["model"] == SHIPPED].iloc[0]
    assert row["epochs"] >= 1 and "additive" in row["architecture"]
    assert len(charts(at)) == 1
    at.radio(key="models_metric").set_value("val_accuracy").run()
    assert not at.exception
