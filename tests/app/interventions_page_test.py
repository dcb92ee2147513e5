"""The Interventions page on tiny run folders: heads switched off, attention replaced, source edits, links."""

from __future__ import annotations

import pytest

from tests.app.conftest import charts, open_app, query_param, submit_form
from tests.app.tiny_models import ADDITIVE, TRANSFORMER

pytestmark = [pytest.mark.usefixtures("tiny_model_dir"), pytest.mark.xdist_group("tiny_models")]
PAGE = "app_pages/interventions.py"


def _submit(at, text: str = "I am cold."):
    return submit_form(at, "interventions_", "Translate", text)


@pytest.mark.slow
def test_switching_off_heads_is_named_and_scored():
    at = _submit(open_app(page=PAGE, model=TRANSFORMER))
    at.multiselect(key="interventions_heads").select("cross-2-1").select("cross-2-2").run()
    assert not at.exception, at.exception
    named = [i.value for i in at.info if "Intervention" in i.value]
    assert named and "layer 2" in named[0] and "outputs zero" in named[0]
    assert len(charts(at)) == 2
    (delta,) = at.dataframe
    assert "Δ log p of the original token" in delta.value.columns
    assert query_param(at, "heads") == "cross-2-1,cross-2-2"


@pytest.mark.slow
def test_link_with_heads_and_uniform_mode():
    at = open_app({"text": "I am cold.", "heads": "encoder_self-1-1,cross-9-9,<x>", "mode": "uniform"},
                  page=PAGE, model=TRANSFORMER)  # fmt: skip
    assert not at.exception, at.exception
    assert at.multiselect(key="interventions_heads").value == ["encoder_self-1-1"]
    assert len(at.warning) == 2  # one refused by the link's allow-list, one absent from this model
    assert any("attends uniformly" in i.value for i in at.info)


def test_replacing_a_recurrent_row():
    at = _submit(open_app(page=PAGE, model=ADDITIVE))
    assert at.radio(key="interventions_what").options == ["Replace attention", "Edit the source"]
    assert any("uniform" in i.value for i in at.info)
    assert len(charts(at)) == 2
    at.radio(key="interventions_row_kind").set_value("typed").run()
    at.text_input(key="interventions_typed").input("1, 0, 0, 0").run()
    assert not at.exception, at.exception
    assert any("1.00, 0.00, 0.00, 0.00" in i.value for i in at.info)
    at.text_input(key="interventions_typed").input("-1, 2").run()
    assert any("cannot be used" in w.value for w in at.warning)


def test_source_edit_side_by_side():
    at = _submit(open_app(page=PAGE, model=ADDITIVE))
    at.radio(key="interventions_what").set_value("source").run()
    at.radio(key="interventions_edit").set_value("drop").run()
    assert not at.exception, at.exception
    assert any("source edited" in i.value for i in at.info)
    assert len(charts(at)) == 2
    assert (query_param(at, "change"), query_param(at, "edit"), query_param(at, "word")) == ("source", "drop", "1")
