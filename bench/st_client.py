"""A lightweight Streamlit client for the Translate page: one session pressing Translate, no browser.

What a browser tab does on that page: it connects (``bench/st_session.py``), asks for a script
run with the link's query string, reads the ``ForwardMsg`` deltas that describe the page, and on
a click sends a rerun with the widgets' values and the submit button's trigger — exactly the
messages the frontend sends. Used by ``bench/load.py``, ``bench/click_cost.py`` and
``tests/deploy/balancer_test.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.st_session import Run, StreamlitSession

PREFIX = "translate_"
SUBMIT = "FormSubmitter:translate_form"


@dataclass
class Click(Run):
    """What one click brought back: when the heatmap arrived, what it shows, and any error shown."""

    heatmap_s: float | None = None  # click -> the heatmap's delta received
    source: list[str] = field(default_factory=list)  # the heatmap's English axis, in order
    target: list[str] = field(default_factory=list)
    heading: str = ""


def heatmap_axes(chart) -> tuple[list[str], list[str]]:
    """Source and target tokens of an attention heatmap delta (``source_pos``/``source`` columns of its data)."""
    import pyarrow as pa

    source: dict[int, str] = {}
    target: dict[int, str] = {}
    for dataset in chart.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all().to_pydict()
        if {"source_pos", "source", "target_pos", "target"} <= set(table):
            source.update(zip(table["source_pos"], table["source"], strict=True))
            target.update(zip(table["target_pos"], table["target"], strict=True))
    return [source[i] for i in sorted(source)], [target[i] for i in sorted(target)]


class TranslateUser(StreamlitSession):
    """One session on the Translate page, opened with ``query`` (e.g. ``{"model": "assets/additive"}``)."""

    def __init__(self, url: str, query: dict[str, str]):
        super().__init__(url, query)
        self.ids: dict[str, str] = {}  # widget key -> widget id
        self.radio_options: list[str] = []
        self.fragment_id = ""  # the fragment the Translate form is in, when the page uses one

    async def rerun(self, widgets, fragment_id: str = "", run: Click | None = None) -> Click:
        return await super().rerun(widgets, fragment_id, run or Click(0.0))

    async def click(self, sentence: str, decoding: str = "greedy", width: int = 4) -> Click:
        """Type ``sentence``, choose the decoding and press Translate; returns when the run has finished."""
        missing = {PREFIX + "sentence", PREFIX + "decoding", PREFIX + "width", SUBMIT} - set(self.ids)
        if missing:
            raise RuntimeError(f"the Translate page did not show {sorted(missing)}")
        states = BackMsg().rerun_script.widget_states
        s = states.widgets.add()
        s.id, s.string_value = self.ids[PREFIX + "sentence"], sentence
        s = states.widgets.add()
        s.id, s.string_value = self.ids[PREFIX + "decoding"], self.radio_options[0 if decoding == "greedy" else 1]
        s = states.widgets.add()
        s.id = self.ids[PREFIX + "width"]
        s.double_array_value.data.append(float(width))
        s = states.widgets.add()
        s.id, s.trigger_value = self.ids[SUBMIT], True
        return await self.rerun(list(states.widgets), self.fragment_id)

    def _element(self, element, run: Click, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        if kind in ("text_area", "radio", "slider", "button"):
            widget = getattr(element, kind)
            key = widget.id.rsplit("-", 1)[-1] if kind != "button" else widget.id.split("-", 2)[-1].rsplit("-", 1)[0]
            self.ids[key] = widget.id
            if kind == "radio":
                self.radio_options = list(widget.options)
            if kind == "button":  # the form's submit button
                self.fragment_id = fragment_id
        elif kind == "vega_lite_chart" and run.heatmap_s is None:
            source, target = heatmap_axes(element.vega_lite_chart)
            if source:
                run.heatmap_s = time.perf_counter() - run.sent_at
                run.source, run.target = source, target
        elif kind == "markdown" and element.markdown.body.startswith("### ") and not run.heading:
            run.heading = element.markdown.body[4:]
