"""Collibra REST API 2.0: a scan's tags set on the dataset's asset, against a local server that
answers as Collibra documents the calls (find by exact name, create, set tags) and checks the
Basic auth header, the paths, the query and the bodies (known domain and asset type ids)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pytest

import dataward as dw
from dataward.integrations.collibra import DATA_SET_TYPE, Collibra
from dataward.integrations.deadletter import DeadLetters

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
DOMAIN = "0190aaaa-0000-7000-8000-000000000001"


@dataclass
class Server:
    url: str = ""
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)


def handle(state: Server, method: str, raw: str, headers: Any, body: bytes) -> tuple[int, Any]:
    state.calls.append((method, raw))
    expected = "Basic " + base64.b64encode(b"steward:pw").decode()
    if headers.get("Authorization") != expected:
        return 401, {"statusCode": 401, "errorCode": "unauthorized"}
    if state.fail_next:
        return state.fail_next.pop(0), {"statusCode": 503}
    parts = urlsplit(raw)
    path, query = parts.path, parse_qs(parts.query)
    doc = json.loads(body) if body else None
    if doc is not None:
        state.bodies.append(doc)
    if method == "GET" and path == "/rest/2.0/assets":
        if query.get("nameMatchMode") != ["EXACT"] or query.get("domainId") != [DOMAIN]:
            return 400, {"errorCode": "invalidQuery"}
        hits = [a for a in state.assets.values() if a["name"] == query["name"][0]]
        return 200, {"total": len(hits), "offset": 0, "limit": 1000, "results": hits}
    if method == "POST" and path == "/rest/2.0/assets":
        if doc.get("domainId") != DOMAIN or doc.get("typeId") != DATA_SET_TYPE or not doc["name"]:
            return 400, {"errorCode": "invalidAsset"}
        if any(a["name"] == doc["name"] for a in state.assets.values()):
            return 400, {"errorCode": "assetNameNotUnique"}
        asset = {"id": str(uuid.uuid4()), "name": doc["name"], "tags": []}
        state.assets[asset["id"]] = asset
        return 201, asset
    if method == "PUT" and path.startswith("/rest/2.0/assets/") and path.endswith("/tags"):
        asset = state.assets.get(path.split("/")[4])
        if asset is None:
            return 404, {"errorCode": "assetNotFound"}
        if not isinstance(doc.get("tagNames"), list):
            return 400, {"errorCode": "invalidTags"}
        asset["tags"] = list(doc["tagNames"])
        return 200, [{"id": str(uuid.uuid4()), "name": t} for t in asset["tags"]]
    return 404, {"errorCode": "notFound"}


@pytest.fixture
def collibra() -> Iterator[Server]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            status, doc = handle(state, self.command, self.path, self.headers, self.rfile.read(n))
            data = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def scanned(path: str) -> Any:
    table = pa.table(
        {
            "email": [EMAIL] + [f"user{i}@example.com" for i in range(9)],
            "ssn": [SSN] + [f"219-09-{9000 + i}" for i in range(9)],
        }
    )
    return replace(dw.scan(table).datasets[0], path=path)


def client(state: Server, **kw: Any) -> Collibra:
    return Collibra(
        state.url, DOMAIN, username="steward", password="pw", sleep=lambda _s: None, **kw
    )


def test_push_creates_the_asset_then_sets_exactly_the_scan_tags(collibra: Server) -> None:
    cat = client(collibra)
    assert cat.push(scanned("s3://lake/crm/people.csv")).ok
    (asset,) = collibra.assets.values()
    assert asset["name"] == "s3://lake/crm/people.csv"
    assert {"dataward", "PII", "dataward:US_SSN", "dataward:EMAIL_ADDRESS"} <= set(asset["tags"])
    assert [m for m, _p in collibra.calls] == ["GET", "POST", "PUT"]
    assert cat.push(scanned("s3://lake/crm/people.csv")).ok  # found: no second asset
    assert len(collibra.assets) == 1 and [m for m, _p in collibra.calls[3:]] == ["GET", "PUT"]
    sent = json.dumps(collibra.bodies)
    assert EMAIL not in sent and SSN not in sent


def test_a_file_named_by_a_value_and_a_dead_letter(collibra: Server, runtime: Any) -> None:
    letters = DeadLetters(runtime.store)
    cat = client(collibra, dead_letters=letters)
    collibra.fail_next = [503] * 4
    failed = cat.push(scanned(f"/landing/{EMAIL}.csv"))
    assert (failed.ok, failed.attempts) == (False, 4)
    (letter,) = letters.list()
    assert letter.kind == "collibra" and EMAIL not in json.dumps(letter.payload)
    assert letters.replay({"collibra": cat})["delivered"] == 1
    (asset,) = collibra.assets.values()
    assert "<EMAIL_ADDRESS>" in asset["name"] and EMAIL not in asset["name"]
    wrong = Collibra(collibra.url, DOMAIN, username="steward", password="no", sleep=lambda _s: None)
    assert wrong.push(scanned("/x.csv")).status == 401
