"""Every Altair chart of the app reaches the page through :func:`vega_chart`.

``st.altair_chart`` validates the whole spec against the Vega-Lite JSON schema on every call
(``chart.to_dict()``), which costs a Translate click about as much as building the heatmap
itself. The charts here are built by our own code from a handful of fixed templates, so the
schema check belongs in the tests (``tests/ui/vega_test.py`` validates each template once),
not in every rerun: :func:`spec` turns a chart into its Vega-Lite dict without validation
and :func:`vega_chart` hands that dict to ``st.vega_lite_chart``.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import altair as alt
import streamlit as st
from streamlit import dataframe_util

_TRANSFORMER = "attention_lab_arrow"
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


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite dict of ``chart``, not schema-validated; its tables as Arrow bytes under ``datasets``.

    As ``st.altair_chart`` does, the ``none`` theme replaces Altair's default one (whose fixed
    view sizes Streamlit does not use).
    """
    datasets: dict[str, bytes] = {}
    with _LOCK, alt.theme.enable("none"), alt.data_transformers.enable(_TRANSFORMER, datasets=datasets):
        out = chart.to_dict(validate=False)
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def vega_chart(chart: alt.TopLevelMixin, *, container: Any = None, **kwargs: Any) -> Any:
    """Draw ``chart`` like ``container.altair_chart(chart, **kwargs)``, without the per-call schema check.

    ``container`` is ``st`` (the default), a column or any other Streamlit container;
    ``kwargs`` are those of ``st.vega_lite_chart`` (``width``, ``height``, ``key``, ...).
    """
    target = st if container is None else container
    return target.vega_lite_chart(spec(chart), **kwargs)
