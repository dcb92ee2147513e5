"""Every Altair chart of the app reaches the page through :func:`vega_chart`.

``st.altair_chart`` validates the whole spec against the Vega-Lite JSON schema on every call
(``chart.to_dict()``), which costs a Translate click about as much as building the heatmap
itself. The charts here are built by our own code from a handful of fixed templates, so the
schema check belongs in the tests (``tests/ui/vega_test.py`` validates each template once),
not in every rerun: :func:`spec` turns a chart into its Vega-Lite dict without validation
and :func:`vega_chart` hands that dict to ``st.vega_lite_chart``.
"""

from __future__ import annotations

import threading
from typing import Any

import altair as alt
import streamlit as st

# Altair's theme and data-transformer settings are process-wide; one conversion at a time.
_LOCK = threading.Lock()


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite dict of ``chart``, data inline under ``datasets``, not schema-validated.

    As ``st.altair_chart`` does, the ``none`` theme replaces Altair's default one (whose fixed
    view sizes Streamlit does not use); there is no limit on the number of rows.
    """
    with _LOCK, alt.theme.enable("none"), alt.data_transformers.enable("default", max_rows=None):
        return chart.to_dict(validate=False)


def vega_chart(chart: alt.TopLevelMixin, *, container: Any = None, **kwargs: Any) -> Any:
    """Draw ``chart`` like ``container.altair_chart(chart, **kwargs)``, without the per-call schema check.

    ``container`` is ``st`` (the default), a column or any other Streamlit container;
    ``kwargs`` are those of ``st.vega_lite_chart`` (``width``, ``height``, ``key``, ...).
    """
    target = st if container is None else container
    return target.vega_lite_chart(spec(chart), **kwargs)
