"""Charts reach the page as Vega-Lite dicts built without a per-call schema check; the tests do the check, once."""

from __future__ import annotations

import altair as alt
import jsonschema
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from altair.utils import schemapi
from altair.vegalite.v6.schema.core import load_schema

from ui.charts import attention_bars, attention_heatmap, candidates_chart, overlay_chart
from ui.charts_grid import attention_grid
from ui.lesson_charts import matrix_heatmap, positional_heatmap
from ui.present import ChartStyle
from ui.vega import spec, vega_chart

SOURCE, TARGET = ["i", "am", "cold", "."], ["tengo", "frío", "."]
MATRIX = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.1, 0.7]], "float32")


def _rows(arrow_bytes: bytes) -> list[dict]:
    """A dataset as Streamlit sends it (Arrow IPC bytes) -> its rows."""
    return pa.ipc.open_stream(arrow_bytes).read_all().to_pylist()


def _charts() -> dict[str, alt.TopLevelMixin]:
    curves = pd.DataFrame({"model": ["a", "a", "b", "b"], "epoch": [1, 2, 1, 2], "loss": [2.0, 1.5, 2.2, 1.4]})
    return {
        "heatmap": attention_heatmap(MATRIX, SOURCE, TARGET),
        "heatmap with rings": attention_heatmap(MATRIX, SOURCE, TARGET, centres=np.array([0.5, 2.0, 3.0])),
        "presenting": attention_heatmap(MATRIX, SOURCE, TARGET, style=ChartStyle(cell=64, font=20, presenting=True)),
        "bars": attention_bars(MATRIX[0], SOURCE, 1.5),
        "candidates": candidates_chart([("frío", 0.8), ("calor", 0.1)], "frío"),
        "grid": attention_grid(np.tile(MATRIX, (2, 2, 1, 1)), TARGET, SOURCE),
        "overlay": overlay_chart(curves, "loss", "loss", "model", "epoch"),
        "matrix": matrix_heatmap(MATRIX, SOURCE, TARGET, "key", "query"),
        "positional": positional_heatmap(np.random.default_rng(0).normal(size=(6, 8))),
    }


@pytest.mark.parametrize("name", list(_charts()))
def test_spec_validates_against_the_vega_lite_schema(name):
    chart = _charts()[name]
    built = spec(chart)
    as_json = {**built, "datasets": {k: _rows(v) for k, v in built["datasets"].items()}}
    jsonschema.validate(as_json, load_schema())  # the check the app no longer does per click
    assert built["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert built["datasets"], "the data travels inside the spec"
    expected = chart.to_dict()  # Altair's own, validated conversion: the same chart apart from the theme
    assert set(built) - {"config"} == set(expected) - {"config"}


def test_spec_carries_the_sentence_and_no_max_rows_limit():
    built = spec(attention_heatmap(MATRIX, SOURCE, TARGET))
    rows = [row for data in built["datasets"].values() for row in _rows(data)]
    assert {"cold", "frío"} <= {str(v) for row in rows for v in row.values()}
    big = alt.Chart(pd.DataFrame({"x": range(6000)})).mark_point().encode(x="x:Q")
    assert len(_rows(next(iter(spec(big)["datasets"].values())))) == 6000


def test_drawing_does_not_validate(monkeypatch):
    chart = attention_heatmap(MATRIX, SOURCE, TARGET)  # building checks its own parts; drawing must not
    calls = []
    original = schemapi.validate_jsonschema
    monkeypatch.setattr(schemapi, "validate_jsonschema", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    drawn = []

    class Container:
        def vega_lite_chart(self, built, **kwargs):
            drawn.append((built, kwargs))

    vega_chart(chart, container=Container(), width="content")
    # Altair still checks the one-key reference it makes for the data ({"name": ...}); never the chart
    assert all(set(instance) <= {"name", "format"} for instance in calls), calls
    ((built, kwargs),) = drawn
    assert kwargs == {"width": "content"} and "layer" in built
