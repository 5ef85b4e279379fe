from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class Recorder:
    """A local HTTP server that records every request and answers from a script."""

    url: str
    received: list[Received] = field(default_factory=list)
    script: list[tuple[int, dict[str, Any] | None, dict[str, str]]] = field(default_factory=list)
    default: tuple[int, dict[str, Any] | None, dict[str, str]] = (204, None, {})

    def answer(self, status: int, body: dict[str, Any] | None = None, **headers: str) -> None:
        self.script.append((status, body, headers))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            rec.received.append(Received("POST", self.path, dict(self.headers), raw))
            status, body, headers = rec.script.pop(0) if rec.script else rec.default
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    rec.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
