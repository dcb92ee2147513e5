"""A lightweight Streamlit client: one websocket speaking Streamlit's own protobuf messages.

What a browser tab does, without the browser: it connects to ``/_stcore/stream``, asks for a
script run (``BackMsg.rerun_script`` with the link's query string), reads the ``ForwardMsg``
deltas that describe the page, and on a click sends a rerun with the widgets' values and the
submit button's trigger — exactly the messages the frontend sends. Used by ``bench/load.py``
and ``bench/click_cost.py`` to measure the server alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

PREFIX = "translate_"
SUBMIT = "FormSubmitter:translate_form"


@dataclass
class Click:
    """What one click brought back: when the heatmap arrived, what it shows, and any error shown."""

    sent_at: float
    heatmap_s: float | None = None  # click -> the heatmap's delta received
    finished_s: float | None = None  # click -> script_finished
    source: list[str] = field(default_factory=list)  # the heatmap's English axis, in order
    target: list[str] = field(default_factory=list)
    heading: str = ""
    errors: list[str] = field(default_factory=list)


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


class TranslateUser:
    """One session on the Translate page, opened with ``query`` (e.g. ``{"model": "assets/additive"}``)."""

    def __init__(self, url: str, query: dict[str, str]):
        self.ws_url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.query_string = urlencode(query)
        self.page_hash = ""
        self.ids: dict[str, str] = {}  # widget key -> widget id
        self.radio_options: list[str] = []
        self.ws = None
        self.fragment_id = ""  # the fragment the Translate form is in, when the page uses one

    async def open(self) -> Click:
        self.ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=120)
        return await self._rerun([])

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

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
        return await self._rerun(list(states.widgets), self.fragment_id)

    async def _rerun(self, widgets, fragment_id: str = "") -> Click:
        msg = BackMsg()
        msg.rerun_script.fragment_id = fragment_id
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.widget_states.widgets.extend(widgets)
        click = Click(time.perf_counter())
        await self.ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = self.page_hash or fwd.new_session.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, click)
                if fwd.delta.new_element.WhichOneof("type") == "button":  # the form's submit button
                    self.fragment_id = fwd.delta.fragment_id
            elif kind == "script_finished":
                click.finished_s = time.perf_counter() - click.sent_at
                return click

    def _element(self, element, click: Click) -> None:
        kind = element.WhichOneof("type")
        if kind in ("text_area", "radio", "slider", "button"):
            widget = getattr(element, kind)
            key = widget.id.rsplit("-", 1)[-1] if kind != "button" else widget.id.split("-", 2)[-1].rsplit("-", 1)[0]
            self.ids[key] = widget.id
            if kind == "radio":
                self.radio_options = list(widget.options)
        elif kind == "vega_lite_chart" and click.heatmap_s is None:
            source, target = heatmap_axes(element.vega_lite_chart)
            if source:
                click.heatmap_s = time.perf_counter() - click.sent_at
                click.source, click.target = source, target
        elif kind == "markdown" and element.markdown.body.startswith("### ") and not click.heading:
            click.heading = element.markdown.body[4:]
        elif kind == "exception":
            click.errors.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif kind == "alert" and element.alert.format == 1:  # ERROR
            click.errors.append(element.alert.body[:300])
