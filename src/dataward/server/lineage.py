"""``POST /v1/lineage``: OpenLineage run events in (so Airflow, Spark, dbt and Flink, which emit
them to any HTTP consumer, are sources); ``GET /v1/lineage/{name}``: one node's graph.

Mounted by :func:`dataward.server.app.create_app`. A malformed event is a 422 naming the field
(never its value) and stores nothing; only names are stored (``docs/lineage.md``).
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request

from dataward.server.apikeys import ApiKey, Role
from dataward.store import Store

MAX_EVENTS = 1000
"""Events per request (a JSON array of events is accepted as a batch)."""


def mount(app: FastAPI) -> None:
    require = app.state.require
    get_store = app.state.get_store

    @app.post("/v1/lineage", status_code=201, tags=["lineage"])
    async def lineage_in(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.PIPELINE, Role.STEWARD))],
    ) -> dict[str, Any]:
        """One OpenLineage run event (the body OpenLineage's HTTP transport sends), or a JSON
        array of them."""
        import json

        from starlette.concurrency import run_in_threadpool

        from dataward.lineage.graph import LineageError

        try:
            body = json.loads(await request.body())
        except ValueError:
            raise HTTPException(422, "lineage: the body is not JSON") from None
        events = body if isinstance(body, list) else [body]
        if len(events) > MAX_EVENTS:
            raise HTTPException(422, f"lineage: at most {MAX_EVENTS} events per request")
        if not all(isinstance(e, dict) for e in events):
            raise HTTPException(422, "lineage: each event must be a JSON object")
        try:
            runs = await run_in_threadpool(_record_all, store, events)
        except LineageError as exc:
            raise HTTPException(422, str(exc)) from None
        return {"accepted": len(runs), "runs": runs}

    @app.get("/v1/lineage/{name:path}", tags=["lineage"])
    def lineage_out(
        name: str,
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR, Role.STEWARD, Role.PIPELINE))],
    ) -> dict[str, Any]:
        """The node's graph, as ``dataward lineage show NAME --format json`` prints it."""
        from dataward.lineage.view import lineage_graph

        return lineage_graph(store, name)


def _record_all(store: Store, events: list[dict[str, Any]]) -> list[str]:
    """Check every event before storing any, then store them in order."""
    from dataward.lineage.emit import record
    from dataward.lineage.graph import check_event

    for event in events:
        check_event(event)
    return [record(store, event, source="http").run_id for event in events]
