"""Every Altair chart of the app reaches the page through :func:`vega_chart`.

``st.altair_chart`` validates the whole spec against the Vega-Lite JSON schema on every call
(``chart.to_dict()``), which costs a Translate click about as much as building the heatmap
itself. The charts here are built by our own code from a handful of fixed templates, so the
schema check belongs in the tests (``tests/ui/vega_test.py`` validates each template once),
not in every rerun: :func:`spec` turns a chart into its Vega-Lite dict without validation
and :func:`vega_chart` hands that dict to ``st.vega_lite_chart``. The heatmap, drawn on
every click, skips Altair altogether: it is written as a dict (:class:`VegaSpec`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit import dataframe_util

_TRANSFORMER = "attention_lab_arrow"
SCHEMA_URL = alt.SCHEMA_URL  # the Vega-Lite version Altair writes, and Streamlit draws
# Altair's theme and data-transformer settings are process-wide; one conversion at a time.
_LOCK = threading.Lock()


def _to_arrow(data: Any, datasets: dict[str, bytes]) -> dict[str, str]:
    """Altair data transformer: the chart's table as Arrow bytes under a name that hashes its content.

    Streamlit sends Arrow bytes in ``datasets`` as they are; the content hash lets the browser
    tell a new table from the one it already shows.
    """
    data_bytes = dataframe_util.convert_anything_to_arrow_bytes(data)
    name = "data-" + hashlib.blake2b(data_bytes, digest_size=12).hexdigest()
    datasets[name] = data_bytes
    return {"name": name}


alt.data_transformers.register(_TRANSFORMER, _to_arrow)


@dataclass(frozen=True)
class VegaSpec:
    """A chart written directly as a Vega-Lite dict, for the charts drawn on every click.

    Building an Altair chart validates each encoding against the schema as it is made (about
    40 ms for a heatmap); a dict costs nothing. ``body`` names its tables ``{"data": {"name":
    key}}`` with ``key`` a key of ``tables``; :func:`spec` sends them as Arrow bytes under
    content-hashed names, :meth:`to_dict` inline as rows, as Altair's ``to_dict`` does.
    """

    body: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def to_dict(self, validate: bool = True) -> dict[str, Any]:
        """The spec with its tables as JSON rows; checked against the Vega-Lite schema when ``validate``."""
        rows = {name: json.loads(df.to_json(orient="records")) for name, df in self.tables.items()}
        out = {"$schema": SCHEMA_URL, **copy.deepcopy(self.body), "datasets": rows}
        if validate:
            import jsonschema
            from altair.vegalite.v6.schema.core import load_schema

            jsonschema.validate(out, load_schema())
        return out


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """``node`` with every ``{"data": {"name": key}}`` pointing at ``names[key]``."""
    if isinstance(node, list):
        return [_renamed(x, names) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _renamed(v, names) for k, v in node.items()}
    data = node.get("data")
    if isinstance(data, dict) and data.get("name") in names:
        out["data"] = {**data, "name": names[data["name"]]}
    return out


def _spec_of(chart: VegaSpec) -> dict[str, Any]:
    datasets: dict[str, bytes] = {}
    names = {key: _to_arrow(df, datasets)["name"] for key, df in chart.tables.items()}
    return {"$schema": SCHEMA_URL, **_renamed(chart.body, names), "datasets": datasets}


def spec(chart: alt.TopLevelMixin | VegaSpec) -> dict[str, Any]:
    """The Vega-Lite dict of ``chart``, not schema-validated; its tables as Arrow bytes under ``datasets``.

    As ``st.altair_chart`` does, the ``none`` theme replaces Altair's default one (whose fixed
    view sizes Streamlit does not use).
    """
    if isinstance(chart, VegaSpec):
        return _spec_of(chart)
    datasets: dict[str, bytes] = {}
    with _LOCK, alt.theme.enable("none"), alt.data_transformers.enable(_TRANSFORMER, datasets=datasets):
        out = chart.to_dict(validate=False)
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def vega_chart(chart: alt.TopLevelMixin | VegaSpec, *, container: Any = None, **kwargs: Any) -> Any:
    """Draw ``chart`` like ``container.altair_chart(chart, **kwargs)``, without the per-call schema check.

    ``container`` is ``st`` (the default), a column or any other Streamlit container;
    ``kwargs`` are those of ``st.vega_lite_chart`` (``width``, ``height``, ``key``, ...).
    """
    target = st if container is None else container
    return target.vega_lite_chart(spec(chart), **kwargs)
