"""A stand-in for a Streamlit replica, for the fast tests of ``deploy.serve``: ``python stand_in_replica.py PORT``.

Answers ``GET /_stcore/health`` with 200 and any other ``GET`` with ``port=<PORT>``, so a test
sees which replica HAProxy chose without loading TensorFlow. Binds 127.0.0.1 only; SIGTERM
stops it.
"""

from __future__ import annotations

import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = b"ok" if self.path == "/_stcore/health" else f"port={self.server.server_port}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def main(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
