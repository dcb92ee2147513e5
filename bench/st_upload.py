"""An upload on the Training page, as the browser makes it: a file's URL asked over the websocket, an HTTP PUT, a rerun.

Streamlit's frontend uploads a file in three steps: it asks the session for upload URLs
(``BackMsg.file_urls_request`` → ``ForwardMsg.file_urls_response``), sends the file as
``multipart/form-data`` with ``PUT`` to ``/_stcore/upload_file/<session id>/<file id>`` (with
its cookies and the ``X-Xsrftoken`` header matching the XSRF cookie), and reruns the script
with the uploader's state naming the file. The file is kept by the process that holds the
session, so behind a balancer the PUT must reach that process: a replica that does not know
the session answers 400.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.st_session import XSRF_COOKIE, Answer, Run, StreamlitSession

UPLOAD_KEY = "training_upload"


@dataclass
class PageRun(Run):
    """A run of the Training page: the run names its charts draw."""

    runs_drawn: set[str] = field(default_factory=set)


def multipart(field_name: str, file_name: str, data: bytes, content_type: str = "text/csv") -> tuple[bytes, str]:
    """A ``multipart/form-data`` body holding one file, and its Content-Type header."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{file_name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def chart_runs(chart) -> set[str]:
    """The values of the ``run`` column in a chart's Arrow datasets."""
    import pyarrow as pa

    out: set[str] = set()
    for dataset in chart.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all().to_pydict()
        out.update(str(v) for v in table.get("run", []))
    return out


class TrainingUploader(StreamlitSession):
    """One session on the Training page that uploads a ``history.csv``."""

    def __init__(self, url: str, query: dict[str, str] | None = None):
        super().__init__(url, query, page="training")
        self.uploader_id = ""

    async def rerun(self, widgets, fragment_id: str = "", run: PageRun | None = None) -> PageRun:
        return await super().rerun(widgets, fragment_id, run or PageRun(0.0))

    def _element(self, element, run: PageRun, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        if kind == "file_uploader" and element.file_uploader.id.endswith(UPLOAD_KEY):
            self.uploader_id = element.file_uploader.id
        elif kind == "vega_lite_chart":
            run.runs_drawn |= chart_runs(element.vega_lite_chart)

    async def upload_urls(self, file_name: str):
        """Ask the session where to put ``file_name``: its ``FileURLs`` (file id, upload and delete paths)."""
        msg = BackMsg()
        request = msg.file_urls_request
        request.request_id, request.session_id = uuid.uuid4().hex, self.session_id
        request.file_names.append(file_name)
        await self.send(msg)
        while True:
            fwd = await self.receive()
            if (
                fwd.WhichOneof("type") == "file_urls_response"
                and fwd.file_urls_response.response_id == request.request_id
            ):
                if fwd.file_urls_response.error_msg:
                    raise RuntimeError(f"no upload URL for {file_name}: {fwd.file_urls_response.error_msg}")
                return fwd.file_urls_response.file_urls[0]

    def put(self, upload_path: str, file_name: str, data: bytes) -> Answer:
        """``PUT`` the file to ``upload_path`` with this tab's cookies and XSRF header."""
        body, content_type = multipart("file", file_name, data)
        headers = {"Content-Type": content_type, "X-Xsrftoken": self.cookies.get(XSRF_COOKIE, "")}
        return self.http("PUT", upload_path, body, headers)

    async def upload(self, file_name: str, data: bytes) -> tuple[Answer, PageRun | None]:
        """Upload ``data`` as ``file_name`` and rerun the page with it; the PUT's answer and the run (None if refused)."""
        if not self.uploader_id:
            raise RuntimeError("the Training page did not show its file uploader")
        urls = await self.upload_urls(file_name)
        answer = await asyncio.to_thread(self.put, urls.upload_url, file_name, data)
        if answer.status not in (200, 204):
            return answer, None
        state = WidgetState(id=self.uploader_id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, file_name, len(data)
        info.file_urls.CopyFrom(urls)
        return answer, await self.rerun([state])
