"""The Training curves page against the shipped model."""

from __future__ import annotations

from tests.app.conftest import charts


def test_curves_and_table(app):
    at = app.switch_page("pages/training.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Training curves"]
    assert len(charts(at)) == 2  # loss and accuracy
    table = at.dataframe[0].value
    assert {"epoch", "loss", "val_loss", "accuracy", "val_accuracy"} <= set(table.columns)
    assert len(table) >= 1
    at.toggle(key="training_log").set_value(True).run()
    assert not at.exception
