"""The lineage graph: edges from OpenLineage events, walked transitively both ways."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dataward.lineage import LineageError, Node, downstream, graph, ingest, record_edge, upstream
from dataward.runtime import Runtime


def _event(
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    *,
    event_type: str = "COMPLETE",
    run_id: str | None = None,
    job: str = "toy.features",
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "eventTime": "2026-12-03T10:00:00Z",
        "producer": "https://example.org/toy",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run_id or str(uuid.uuid4())},
        "job": {"namespace": "toy", "name": job},
        "inputs": inputs,
        "outputs": outputs,
    }


def _ds(name: str, kind: str | None = None, version: str | None = None) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    if kind:
        facets["dataward"] = {"kind": kind}
    if version:
        facets["version"] = {"datasetVersion": version}
    return {"namespace": "file", "name": name, "facets": facets}


def test_downstream_and_upstream_are_transitive(runtime: Runtime) -> None:
    ingest(runtime, _event([_ds("/lz/raw.csv", version="a1")], [_ds("feat", "features", "f1")]))
    ingest(runtime, _event([_ds("feat", "features", "f1")], [_ds("churn", "model", "3")]))
    ingest(runtime, _event([_ds("/lz/other.csv")], [_ds("unrelated", "features")]))
    down = downstream(runtime, "/lz/raw.csv")
    assert down == [Node("feat", "features", "f1"), Node("churn", "model", "3")]
    up = upstream(runtime, "churn")
    assert up == [Node("feat", "features", "f1"), Node("/lz/raw.csv", "dataset", "a1")]
    assert downstream(runtime, "churn") == []
    assert downstream(runtime, "nowhere") == []
    # The runtime in use and a bare store answer alike.
    assert downstream(None, "/lz/raw.csv") == down
    assert downstream(runtime.store, "/lz/raw.csv") == down


def test_versions_are_followed_precisely(runtime: Runtime) -> None:
    record_edge(runtime, Node("raw", version="1"), Node("feat", "features", "1"))
    record_edge(runtime, Node("raw", version="2"), Node("feat", "features", "2"))
    record_edge(runtime, Node("feat", "features", "1"), Node("m", "model", "1"))
    # feat@2 did not feed m@1: m appears once, through feat@1.
    assert downstream(runtime, "raw") == [
        Node("feat", "features", "1"),
        Node("feat", "features", "2"),
        Node("m", "model", "1"),
    ]
    assert upstream(runtime, "m") == [Node("feat", "features", "1"), Node("raw", "dataset", "1")]


def test_cycles_end(runtime: Runtime) -> None:
    record_edge(runtime, Node("a"), Node("b"))
    record_edge(runtime, Node("b"), Node("a"))
    assert downstream(runtime, "a") == [Node("b")]


def test_failed_run_withdraws_its_edges_and_same_event_twice_is_idempotent(
    runtime: Runtime,
) -> None:
    run = str(uuid.uuid4())
    start = _event([_ds("in")], [_ds("out")], event_type="START", run_id=run)
    ingest(runtime, start)
    ingest(runtime, start)
    assert downstream(runtime, "in") == [Node("out")]
    assert len(graph.edges(runtime)) == 1
    ingest(runtime, _event([_ds("in")], [_ds("out")], event_type="FAIL", run_id=run))
    assert downstream(runtime, "in") == []


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.pop("run"), "run and job"),
        (lambda e: e["run"].update(runId="not-a-uuid"), "runId"),
        (lambda e: e.update(eventType="EXPLODE"), "eventType"),
        (lambda e: e.update(inputs="x"), "inputs"),
        (lambda e: e["inputs"].append({"namespace": "n"}), "inputs[0].name"),
    ],
)
def test_bad_events_fail_with_the_field_and_store_nothing(
    runtime: Runtime, mutate: Any, field: str
) -> None:
    event = _event([], [_ds("out")])
    mutate(event)
    with pytest.raises(LineageError, match=field.replace("[", r"\[").replace("]", r"\]")):
        ingest(runtime, event)
    assert graph.nodes(runtime) == []


def test_graph_on_sqlite_and_postgresql(store_url: str) -> None:
    from dataward.store import open_store

    store = open_store(store_url)
    try:
        ingest(store, _event([_ds("/lz/raw.csv", version="a1")], [_ds("feat", "features", "f1")]))
        ingest(store, _event([_ds("feat", "features", "f1")], [_ds("m", "model", "1")]))
        assert downstream(store, "/lz/raw.csv") == [
            Node("feat", "features", "f1"),
            Node("m", "model", "1"),
        ]
        assert upstream(store, "m")[-1] == Node("/lz/raw.csv", "dataset", "a1")
        assert graph.kind_of(store, "m") == "model"
    finally:
        store.close()
