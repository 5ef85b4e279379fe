"""``POST /v1/lineage`` and ``GET /v1/lineage/{name}`` on the real app behind uvicorn (SQLite
and PostgreSQL stores)."""

from __future__ import annotations

import uuid

from tests.lineage.conftest import CANARY_SSN, toy_features_event
from tests.server.conftest import Live, live, live_config  # noqa: F401 (fixtures)


def test_post_events_then_read_the_graph(live: Live) -> None:  # noqa: F811
    first = toy_features_event("/lz/raw.csv", "feat", {"e": ("email", "IDENTITY")})
    second = toy_features_event("feat", "model-x", {})
    second["outputs"][0]["facets"]["datasetType"] = {"datasetType": "MODEL"}
    with live.client("pipeline") as c:
        one = c.post("/v1/lineage", json=first)
        assert one.status_code == 201, one.text
        assert one.json() == {"accepted": 1, "runs": [first["run"]["runId"]]}
        batch = c.post("/v1/lineage", json=[second, first])  # the same event twice: idempotent
        assert batch.status_code == 201 and batch.json()["accepted"] == 2
    with live.client("auditor") as c:
        graph = c.get("/v1/lineage//lz/raw.csv").json()
        assert [(n["name"], n["kind"]) for n in graph["nodes"] if n["role"] == "downstream"] == [
            ("feat", "features"),
            ("model-x", "model"),
        ]
        assert c.post("/v1/lineage", json=first).status_code == 403  # an auditor only reads


def test_bad_events_are_422_and_store_nothing(live: Live) -> None:  # noqa: F811
    good = toy_features_event("a", "b", {})
    bad = toy_features_event("c", "d", {})
    bad["run"]["runId"] = CANARY_SSN
    with live.client("pipeline") as c:
        r = c.post("/v1/lineage", json=[good, bad])
        assert r.status_code == 422 and "runId" in r.text
        assert CANARY_SSN not in r.text
        assert c.post("/v1/lineage", content=b"{nope").status_code == 422
        assert c.post("/v1/lineage", json=[1]).status_code == 422
        # the good event of the refused batch was not stored either
        graph = c.get("/v1/lineage/a").json()
        assert graph["known"] is False and graph["nodes"] == []
    with live.client() as anonymous:
        assert anonymous.post("/v1/lineage", json=good).status_code == 401
    assert uuid.UUID(good["run"]["runId"])
