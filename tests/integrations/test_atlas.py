"""Pushing a scan's classifications to Apache Atlas v2 (the API Purview speaks), against a local
server built from Atlas's REST documentation that checks what it is sent: the auth header, the
paths and query strings, and the bodies (type definitions before use, required attributes,
known entity types, classifications of defined types), and answers as Atlas does (guids,
mutatedEntities, error codes)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa
import pytest

import dataward as dw
from dataward.integrations.atlas import AtlasCatalog, classification_name
from dataward.integrations.deadletter import DeadLetters

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
ENTITY_TYPES = {"fs_path", "aws_s3_v2_object", "hdfs_path"}
"""Concrete entity types of Atlas's base and AWS models (``DataSet`` is abstract)."""
ARRAY_OR_PRIMITIVE = {"string", "float", "int", "long", "boolean", "array<string>"}


@dataclass
class Atlas:
    """The state of the fake Atlas, and what it was asked."""

    url: str = ""
    user: str = "admin"
    password: str = "s3cret"
    token: str | None = None
    fail_next: list[int] = field(default_factory=list)
    classification_defs: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)


def atlas_error(code: str, message: str) -> dict[str, str]:
    return {"errorCode": code, "errorMessage": message}


def handle(state: Atlas, method: str, raw_path: str, headers: Any, body: bytes) -> tuple[int, Any]:
    """Atlas v2, as its REST documentation describes the calls used here."""
    state.calls.append((method, raw_path))
    expected = (
        f"Bearer {state.token}"
        if state.token
        else "Basic " + base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
    )
    if headers.get("Authorization") != expected:
        return 401, atlas_error("ATLAS-401-00-001", "authentication required")
    if state.fail_next:
        return state.fail_next.pop(0), atlas_error("ATLAS-503-00-001", "unavailable")
    parts = urlsplit(raw_path)
    path, query = parts.path, parse_qs(parts.query)
    if not path.startswith("/api/atlas/v2/"):
        return 404, atlas_error("ATLAS-404-00-001", "no such resource")
    route = path.removeprefix("/api/atlas/v2")
    doc: Any = None
    if body:
        if headers.get("Content-Type") != "application/json":
            return 415, atlas_error("ATLAS-415-00-001", "JSON only")
        doc = json.loads(body)
        state.bodies.append(doc)
    if method == "GET" and route == "/types/typedefs":
        if query.get("type") != ["classification"]:
            return 400, atlas_error("ATLAS-400-00-001", "filter expected")
        return 200, {"classificationDefs": list(state.classification_defs.values())}
    if method == "POST" and route == "/types/typedefs":
        for d in doc.get("classificationDefs", []):
            if d.get("category") != "CLASSIFICATION" or not d.get("name"):
                return 400, atlas_error("ATLAS-400-00-01D", "invalid typedef")
            if d["name"] in state.classification_defs:
                return 409, atlas_error("ATLAS-409-00-001", f"type {d['name']} exists")
            for a in d.get("attributeDefs", []):
                if a.get("typeName") not in ARRAY_OR_PRIMITIVE or "name" not in a:
                    return 400, atlas_error("ATLAS-400-00-01D", "invalid attribute")
            state.classification_defs[d["name"]] = d
        return 200, doc
    if method == "POST" and route == "/entity/bulk":
        if query.get("replaceClassifications") != ["true"]:
            return 400, atlas_error("ATLAS-400-00-001", "expected replaceClassifications")
        mutated: dict[str, list[dict[str, Any]]] = {}
        for e in doc["entities"]:
            if e.get("typeName") not in ENTITY_TYPES:
                return 404, atlas_error("ATLAS-404-00-007", "invalid entity type")
            qn = e.get("attributes", {}).get("qualifiedName")
            if not qn or not e["attributes"].get("name"):
                return 400, atlas_error("ATLAS-400-00-01B", "mandatory attribute missing")
            for c in e.get("classifications", []):
                d = state.classification_defs.get(c.get("typeName"))
                if d is None:
                    return 404, atlas_error("ATLAS-404-00-008", "classification type not found")
                allowed = {a["name"] for a in d["attributeDefs"]}
                if not set(c.get("attributes", {})) <= allowed:
                    return 400, atlas_error("ATLAS-400-00-01C", "unknown attribute")
            key = (e["typeName"], qn)
            op = "UPDATE" if key in state.entities else "CREATE"
            guid = state.entities.get(key, {}).get("guid") or str(uuid.uuid4())
            state.entities[key] = {**e, "guid": guid}
            mutated.setdefault(op, []).append(
                {"typeName": e["typeName"], "guid": guid, "attributes": {"qualifiedName": qn}}
            )
        return 200, {"mutatedEntities": mutated}
    if method == "GET" and route.startswith("/entity/uniqueAttribute/type/"):
        type_name = unquote(route.rsplit("/", 1)[1])
        qn = query.get("attr:qualifiedName", [""])[0]
        entity = state.entities.get((type_name, qn))
        if entity is None:
            return 404, atlas_error("ATLAS-404-00-009", "entity not found")
        return 200, {"entity": entity, "referredEntities": {}}
    return 404, atlas_error("ATLAS-404-00-001", "no such resource")


@pytest.fixture
def atlas() -> Iterator[Atlas]:
    state = Atlas()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, doc = handle(
                state, self.command, self.path, self.headers, self.rfile.read(length)
            )
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

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def scanned(path: str = "people.csv") -> Any:
    n = 10
    table = pa.table(
        {
            "email": [EMAIL if i == 0 else f"user{i}@example.com" for i in range(n)],
            "ssn": [SSN if i == 0 else f"219-09-{9000 + i}" for i in range(n)],
            "n": list(range(n)),
        }
    )
    result = dw.scan(table).datasets[0]
    from dataclasses import replace

    return replace(result, path=path)


def catalog(state: Atlas, **kw: Any) -> AtlasCatalog:
    return AtlasCatalog(
        state.url, username=state.user, password=state.password, sleep=lambda _s: None, **kw
    )


def test_a_scan_is_pushed_as_an_entity_with_its_classifications(atlas: Atlas) -> None:
    dataset = scanned("/data/in/people.csv")
    delivery = catalog(atlas).push([dataset])
    assert delivery.ok, delivery.error
    assert delivery.body["mutatedEntities"]["CREATE"][0]["typeName"] == "fs_path"
    assert [m for m, _p in atlas.calls] == ["GET", "POST", "POST"]
    assert set(atlas.classification_defs) >= {
        "Dataward_EMAIL_ADDRESS",
        "Dataward_US_SSN",
        "Dataward_PII",
    }
    tags = catalog(atlas).pull("/data/in/people.csv@dataward", "fs_path")
    assert tags is not None and "Dataward_US_SSN" in tags and "Dataward_EMAIL_ADDRESS" in tags
    entity = atlas.entities[("fs_path", "/data/in/people.csv@dataward")]
    ssn = next(c for c in entity["classifications"] if c["typeName"] == "Dataward_US_SSN")
    assert ssn["attributes"]["columns"] == ["ssn"]
    sent = json.dumps(atlas.bodies)
    assert EMAIL not in sent and SSN not in sent


def test_a_second_push_updates_and_defines_no_type_twice(atlas: Atlas) -> None:
    cat = catalog(atlas)
    assert cat.push([scanned("s3://bucket/people.csv")]).ok
    calls = len(atlas.calls)
    again = cat.push([scanned("s3://bucket/people.csv")])
    assert again.ok and list(again.body["mutatedEntities"]) == ["UPDATE"]
    assert [m for m, _p in atlas.calls[calls:]] == ["GET", "POST"]  # types known: no POST
    assert ("aws_s3_v2_object", "s3://bucket/people.csv@dataward") in atlas.entities


def test_purview_bearer_tokens_and_wrong_credentials(atlas: Atlas) -> None:
    atlas.token = "entra-token"
    assert AtlasCatalog(atlas.url, token="entra-token", sleep=lambda _s: None).push([scanned()]).ok
    denied = AtlasCatalog(atlas.url, token="wrong", tries=3, sleep=lambda _s: None).push(
        [scanned()]
    )
    assert (denied.ok, denied.status, denied.attempts) == (False, 401, 1)  # not retried


def test_a_file_named_by_a_value_is_masked_in_the_catalog(atlas: Atlas) -> None:
    assert catalog(atlas).push([scanned(f"/landing/{EMAIL}.csv")]).ok
    (key,) = atlas.entities
    assert EMAIL not in json.dumps(atlas.entities[key]) and "<EMAIL_ADDRESS>" in key[1]


def test_retries_then_a_dead_letter_that_replays(atlas: Atlas, runtime: Any) -> None:
    waits: list[float] = []
    letters = DeadLetters(runtime.store)
    atlas.fail_next = [503, 429]
    cat = AtlasCatalog(
        atlas.url,
        username=atlas.user,
        password=atlas.password,
        sleep=waits.append,
        dead_letters=letters,
    )
    assert cat.push([scanned()]).ok  # two failures, third try answers
    assert waits == [0.5, 1.0]
    atlas.fail_next = [503] * 4
    failed = cat.push([scanned("/other.csv")])
    assert (failed.ok, failed.attempts, failed.error) == (False, 4, "HTTP 503")
    (letter,) = letters.list()
    assert (letter.kind, letter.target, letter.event) == ("atlas", "atlas", "dataset.classified")
    assert EMAIL not in json.dumps(letter.payload)
    assert letters.replay({"atlas": cat}) == {"delivered": 1, "failed": 0, "skipped": 0}
    assert ("fs_path", "/other.csv@dataward") in atlas.entities


def test_classification_names_are_atlas_type_names() -> None:
    assert classification_name("US_SSN") == "Dataward_US_SSN"
    assert classification_name("PHI-lite x") == "Dataward_PHI_lite_x"
