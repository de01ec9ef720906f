"""A tiny stand-in for the GOV.UK Notify API over real HTTP, for the official client to talk to.

Like Notify, it stores each notification with our reference and lists them by reference; it
does not dedupe. It can be told to answer the next POSTs slowly (the client times out while the
notification has in fact been created: the ambiguous case) or with an error status.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

API_KEY = f"dovetail_test-{uuid.uuid4()}-{uuid.uuid4()}"


class FakeNotify:
    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.posts = 0
        self.slow_posts = 0
        self.slow_seconds = 2.0
        self.error_posts: list[tuple[int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.url = ""


def _handler(state: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.posts += 1
                error = state.error_posts.pop(0) if state.error_posts else None
                slow = state.slow_posts > 0
                if slow:
                    state.slow_posts -= 1
            if error:
                self._reply(*error)
                return
            notification = {
                "id": str(uuid.uuid4()),
                "reference": data.get("reference"),
                "type": "sms" if self.path.endswith("/sms") else "email",
                "personalisation": data.get("personalisation"),
            }
            with state.lock:
                state.created.append(notification)
            if slow:
                time.sleep(state.slow_seconds)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._reply(201, {"id": notification["id"], "reference": data.get("reference")})

        def do_GET(self) -> None:
            query = parse_qs(urlparse(self.path).query)
            reference = query.get("reference", [None])[0]
            kind = query.get("template_type", [None])[0]
            with state.lock:
                found = [
                    n
                    for n in state.created
                    if n["reference"] == reference and (kind is None or n["type"] == kind)
                ]
            self._reply(200, {"notifications": found, "links": {}})

    return Handler


@contextmanager
def fake_notify() -> Iterator[FakeNotify]:
    state = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
