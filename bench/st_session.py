"""A browser tab's connection to a Streamlit server, without the browser: HTTP with cookies, then the websocket.

What a tab does: it loads the page (``GET /``), asks ``/_stcore/health`` (which sets Streamlit's
XSRF cookie), and opens ``/_stcore/stream`` with its cookies and the XSRF token in the websocket
subprotocol; then it asks for script runs (``BackMsg.rerun_script``) and reads ``ForwardMsg``
deltas. Behind a balancer, the cookies carry the session's affinity; every HTTP answer's
``X-Attention-Lab-Replica`` (set by ``deploy/haproxy.cfg.template``) is recorded in
``replicas``. A page-specific subclass reads the elements (``_element``): ``bench/st_client.py``
for the Translate page, ``bench/st_upload.py`` for an upload on the Training page.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

REPLICA_HEADER = "X-Attention-Lab-Replica"
XSRF_COOKIE = "_streamlit_xsrf"


@dataclass
class Answer:
    """One HTTP answer: status, the replica that gave it (when a balancer says), body."""

    status: int
    replica: str | None
    body: bytes = b""


@dataclass
class Run:
    """What one script run brought back: its timing, and what a page's ``_element`` collected."""

    sent_at: float
    finished_s: float | None = None  # request -> script_finished
    errors: list[str] = field(default_factory=list)  # exceptions and error alerts shown


class StreamlitSession:
    """One session opened at ``url`` with the link's ``query`` on the page ``page`` ("" for the default)."""

    def __init__(self, url: str, query: dict[str, str] | None = None, page: str = ""):
        self.url = url.rstrip("/")
        self.query_string = urlencode(query or {})
        self.page_name = page
        self.page_hash = ""
        self.session_id = ""
        self.cookies: dict[str, str] = {}
        self.replicas: list[str] = []  # the replica named by each HTTP answer, in order
        self.ws = None

    # -- HTTP, with the tab's cookies ------------------------------------------------------------

    def http(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Answer:
        """One request with this tab's cookies; keeps the cookies and the replica of the answer."""
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=dict(headers or {}))
        if self.cookies:
            request.add_header("Cookie", self.cookie_header())
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return self._answer(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return self._answer(e.code, e.headers, e.read())

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _answer(self, status: int, headers, body: bytes) -> Answer:
        for value in headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            self.cookies.update({k: m.value for k, m in cookie.items()})
        replica = headers.get(REPLICA_HEADER)
        if replica:
            self.replicas.append(replica)
        return Answer(status, replica, body)

    async def load_page(self) -> Answer:
        """``GET /<page>`` then ``GET /_stcore/health``, as the browser does before opening the websocket."""
        page = await asyncio.to_thread(self.http, "GET", "/" + self.page_name)
        if page.status != 200:
            raise RuntimeError(f"GET /{self.page_name} answered {page.status}")
        await asyncio.to_thread(self.http, "GET", "/_stcore/health")
        return page

    # -- the websocket ---------------------------------------------------------------------------

    async def open(self, page_load: bool = False) -> Run:
        """Connect (after loading the page with its cookies when ``page_load``) and run the page once."""
        if page_load:
            await self.load_page()
        protocols = ["streamlit", self.cookies[XSRF_COOKIE]] if XSRF_COOKIE in self.cookies else ["streamlit"]
        headers = {"Cookie": self.cookie_header()} if self.cookies else None
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await connect(
            ws_url, subprotocols=protocols, additional_headers=headers, max_size=None, open_timeout=120
        )
        response = self.ws.response
        if response is not None:
            self._answer(response.status_code, response.headers, b"")
        return await self.rerun([])

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def send(self, msg: BackMsg) -> None:
        await self.ws.send(msg.SerializeToString())

    async def receive(self) -> ForwardMsg:
        fwd = ForwardMsg()
        fwd.ParseFromString(await self.ws.recv())
        return fwd

    async def rerun(self, widgets, fragment_id: str = "", run: Run | None = None) -> Run:
        """Ask for a script run with these widget states; read its messages until it finishes."""
        msg = BackMsg()
        msg.rerun_script.fragment_id = fragment_id
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = self.page_hash
        if not self.page_hash:
            msg.rerun_script.page_name = self.page_name
        msg.rerun_script.widget_states.widgets.extend(widgets)
        run = run or Run(0.0)
        run.sent_at = time.perf_counter()
        await self.send(msg)
        while True:
            fwd = await self.receive()
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = self.page_hash or fwd.new_session.page_script_hash
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            elif kind == "navigation" and fwd.navigation.page_script_hash:  # the page that ran (st.navigation)
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                self._element(element, run, fwd.delta.fragment_id)
                if element.WhichOneof("type") == "exception":
                    run.errors.append(f"{element.exception.type}: {element.exception.message}"[:300])
                elif element.WhichOneof("type") == "alert" and element.alert.format == 1:  # ERROR
                    run.errors.append(element.alert.body[:300])
            elif kind == "script_finished":
                run.finished_s = time.perf_counter() - run.sent_at
                return run

    def _element(self, element, run: Run, fragment_id: str) -> None:
        """A page's own reading of one new element (widget ids, charts); nothing by default."""
