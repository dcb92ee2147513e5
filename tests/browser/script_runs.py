"""The script runs of a page's Streamlit session, read from the messages on its websocket.

What a page shows cannot say for sure that the run started by a click has finished: the
status widget and spinners appear only after a delay, so on a busy machine a page can look
idle before the server has even begun the run. The server's own ``script_finished`` message
can: :meth:`ScriptRuns.after` performs an action and waits for the next finished run. The
watcher also records every session id the server announced and every closed socket, so a
test that fails can say whether its session was replaced underneath it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from google.protobuf.message import DecodeError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

INTERRUPTED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


class ScriptRuns:
    """Counts the finished script runs of the Streamlit sessions a page opens."""

    def __init__(self, page=None) -> None:
        self.finished = 0  # runs that ended (interrupted ones are not counted)
        self.sessions: list[str] = []  # session ids, in the order the server announced them
        self.closed = 0  # websockets the page lost
        if page is not None:
            page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framereceived", self.frame)
        ws.on("close", self._closed)

    def _closed(self, *_) -> None:
        self.closed += 1

    def frame(self, payload: bytes | str) -> None:
        """Read one frame the server sent (binary: one ``ForwardMsg``)."""
        if not isinstance(payload, bytes | bytearray):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(bytes(payload))
        except DecodeError:
            return
        kind = msg.WhichOneof("type")
        if kind == "script_finished" and msg.script_finished != INTERRUPTED:
            self.finished += 1
        elif kind == "new_session" and msg.new_session.HasField("initialize"):
            session = msg.new_session.initialize.session_id
            if session and session not in self.sessions:
                self.sessions.append(session)

    def after(self, page, action: Callable[[], object], timeout_s: float = 180) -> None:
        """Do ``action`` (a click) and wait until the server has finished a run begun after it."""
        start = self.finished
        action()
        deadline = time.monotonic() + timeout_s
        while self.finished == start:
            if time.monotonic() > deadline:
                raise AssertionError(f"no script run finished within {timeout_s:.0f} s at {page.url}")
            page.wait_for_timeout(100)  # lets Playwright deliver the websocket events

    def describe(self) -> str:
        """One line for a failure message."""
        return f"{self.finished} runs finished, sessions {self.sessions}, {self.closed} sockets closed"
