"""Lineage in and out: files, an OpenLineage HTTP consumer (a local server that checks each
request as Marquez's API would), POST /v1/lineage, the CLI."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dataward.lineage import LineageError, Node, downstream
from dataward.lineage.emit import record
from dataward.lineage.io import export_events, read_events, send, sync_decisions, write_events
from dataward.runtime import Runtime
from tests.lineage.conftest import Zone, toy_features_event


class Consumer:
    """A local OpenLineage consumer: ``POST /api/v1/lineage`` with a JSON RunEvent and the
    bearer key, as OpenLineage's HTTP transport sends it; anything else is refused."""

    def __init__(self, key: str | None = None, fail_after: int | None = None) -> None:
        self.key = key
        self.fail_after = fail_after
        self.events: list[dict[str, Any]] = []
        self.refused: list[str] = []
        consumer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                problem = consumer.check(self.path, dict(self.headers), body)
                if problem:
                    consumer.refused.append(problem)
                    self.send_response(400)
                else:
                    consumer.events.append(json.loads(body))
                    self.send_response(201)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def check(self, path: str, headers: dict[str, str], body: bytes) -> str | None:
        if path != "/api/v1/lineage":
            return f"path {path}"
        if headers.get("Content-Type") != "application/json":
            return "content type"
        if self.key and headers.get("Authorization") != f"Bearer {self.key}":
            return "auth"
        if self.fail_after is not None and len(self.events) >= self.fail_after:
            return "full"
        event = json.loads(body)
        for key in ("eventType", "eventTime", "run", "job", "producer", "schemaURL"):
            if key not in event:
                return f"missing {key}"
        uuid.UUID(event["run"]["runId"])
        if not {"namespace", "name"} <= set(event["job"]):
            return "job"
        for ds in event.get("inputs", []) + event.get("outputs", []):
            if not {"namespace", "name"} <= set(ds):
                return "dataset"
            for name, facet in ds.get("facets", {}).items():
                if not {"_producer", "_schemaURL"} <= set(facet):
                    return f"facet {name} without _producer/_schemaURL"
        return None


@pytest.fixture
def consumer() -> Iterator[Consumer]:
    c = Consumer(key="k-123")
    thread = threading.Thread(target=c.server.serve_forever, daemon=True)
    thread.start()
    yield c
    c.server.shutdown()
    c.server.server_close()


def test_export_to_an_openlineage_consumer_and_back(
    runtime: Runtime, zone: Zone, consumer: Consumer, tmp_path: Path
) -> None:
    record(runtime, toy_features_event(zone.raw, "feat", {"e": ("email", "IDENTITY")}))
    events = export_events(runtime)
    assert send(events, consumer.url, api_key="k-123") == len(events) == 3
    assert consumer.refused == []
    jobs = sorted(e["job"]["name"] for e in consumer.events)
    assert jobs == ["build_features", "dataward.protect", "dataward.scan.1"]
    # the consumer's copy, read into a fresh home, gives the same graph
    path = tmp_path / "out" / "events.jsonl"
    assert write_events(consumer.events, path) == 3
    from dataward.store import open_store

    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        for event in read_events(path):
            record(other, event, audit=False)
        assert downstream(other, zone.raw) == downstream(runtime, zone.raw)
    finally:
        other.close()


def test_consumer_refusal_and_unreachable(consumer: Consumer, runtime: Runtime, zone: Zone) -> None:
    events = export_events(runtime)
    with pytest.raises(LineageError, match="HTTP 400"):
        send(events, consumer.url, api_key="wrong")
    with pytest.raises(LineageError, match="unreachable"):
        send(events, "http://127.0.0.1:9", timeout=2)
    with pytest.raises(LineageError, match="http"):
        send(events, "ftp://example.org")


def test_read_events_formats_and_errors(tmp_path: Path) -> None:
    one = toy_features_event("a", "b", {})
    (tmp_path / "array.json").write_text(json.dumps([one, one]))
    (tmp_path / "pretty.json").write_text(json.dumps(one, indent=2))
    assert len(list(read_events(tmp_path))) == 3  # a folder of *.json, as the file transport
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(one) + "\n{not json 078-05-1120\n")
    with pytest.raises(LineageError, match=r"bad.jsonl:2") as err:
        list(read_events(bad))
    assert "078-05-1120" not in str(err.value)


def test_decisions_become_runs_linked_to_the_dataset(runtime: Runtime, zone: Zone) -> None:
    request = {
        "principal": {"type": "User", "id": "ann"},
        "action": "train",
        "resource": {"type": "Dataset", "id": zone.raw},
        "context": {"purpose": "research"},
    }
    decision = runtime.decide(request)
    from dataward.policy import flush

    flush()
    assert sync_decisions(runtime) == 1
    assert sync_decisions(runtime) == 0
    from dataward.lineage import links

    assert links(runtime, zone.raw)["decision"] == [decision.decision_id]


def test_cli_show_json_and_dot_ingest_export(
    cli: Any, zone: Zone, tmp_path: Path, consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = toy_features_event(zone.raw, "feat", {"e": ("email", "IDENTITY")})
    (tmp_path / "toy.jsonl").write_text(json.dumps(event) + "\n")
    ok = cli("lineage", "ingest", str(tmp_path / "toy.jsonl"))
    assert ok.code == 0 and "ingested 1" in ok.out
    shown = cli("lineage", "show", zone.raw, "--format", "json")
    assert shown.code == 0, shown.err
    graph = json.loads(shown.out)
    names = {n["name"]: n["role"] for n in graph["nodes"]}
    assert names == {zone.raw: "self", zone.protected: "downstream", "feat": "downstream"}
    assert graph["labels"]["feat"][0]["status"] == "carried"
    dot = cli("lineage", "show", zone.raw, "--format", "dot")
    assert dot.out.startswith("digraph lineage {") and dot.out.rstrip().endswith("}")
    assert dot.out.count("->") == 2 and "shape=box3d" in dot.out
    assert cli("lineage", "show", zone.raw, "--format", "svg").code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"run": {"runId": "x"}}\n')
    refused = cli("lineage", "ingest", str(bad))
    assert refused.code == 3 and "run and job" in refused.err
    out = tmp_path / "export.jsonl"
    assert cli("lineage", "export", "--out", str(out)).code == 0
    assert len(out.read_text().splitlines()) == 3
    unset = cli("lineage", "export", "--url", consumer.url, "--api-key-env", "NO_SUCH_VAR_H2")
    assert unset.code == 2 and "NO_SUCH_VAR_H2" in unset.err
    monkeypatch.setenv("H2_LINEAGE_KEY", "k-123")
    sent = cli("lineage", "export", "--url", consumer.url, "--api-key-env", "H2_LINEAGE_KEY")
    assert sent.code == 0 and "sent 3 events" in sent.out
    assert len(consumer.events) == 3 and consumer.refused == []
    assert "k-123" not in sent.out + sent.err


def test_node_kinds_from_the_graph(runtime: Runtime) -> None:
    record(runtime, toy_features_event("src", "f", {"a": ("a", "IDENTITY")}), audit=False)
    assert downstream(runtime, "src") == [Node("f", "features", "fv1")]
