"""A small live commerce API on 127.0.0.1, for the HTTP record adapter's tests.

A real HTTP server on a real socket (stdlib `ThreadingHTTPServer` in a thread), serving
the two endpoints of docs/record.md from an in-memory record, and able to misbehave on
demand (slow, 500, non-JSON, an invalid record) so the adapter's errors can be checked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from warmline.adapters.commerce.memory import MemoryCommerceRecord


class FakeCommerceApi:
    def __init__(self, record: MemoryCommerceRecord) -> None:
        self.record = record
        self.mode = "ok"  # ok | slow | error | not_json | invalid
        self.delay = 1.0
        self.token: str | None = None
        self.requests: list[str] = []
        self.url = ""


def _handler(api: FakeCommerceApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # the stdlib's name for GET
            api.requests.append(self.path)
            if api.token and self.headers.get("authorization") != f"Bearer {api.token}":
                return self._send(401, b'{"error": "unauthorized"}')
            if api.mode == "slow":
                time.sleep(api.delay)
            if api.mode == "error":
                return self._send(500, b"upstream exploded")
            if api.mode == "not_json":
                return self._send(200, b"<html>maintenance</html>", "text/html")
            parts = [unquote(p) for p in self.path.strip("/").split("/")][1:]  # after /api
            if len(parts) == 2 and parts[0] == "customers":
                found = api.record.customer_record(parts[1])
                if found is None:
                    return self._send(404, b'{"error": "not found"}')
                body: Any = found.to_dict()
                if api.mode == "invalid":
                    body["orders"][0]["total"] = "lots"
                return self._send(200, json.dumps(body).encode())
            if len(parts) == 3 and parts[0] == "contacts":
                ref = api.record.find_customer(parts[1], parts[2])
                if ref is None:
                    return self._send(404, b'{"error": "not found"}')
                return self._send(200, json.dumps({"customer_ref": ref}).encode())
            return self._send(404, b'{"error": "no such endpoint"}')

    return Handler


@contextmanager
def serve(record: MemoryCommerceRecord) -> Iterator[FakeCommerceApi]:
    api = FakeCommerceApi(record)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
