"""``/v1/monitor``: access-monitoring alerts over HTTP (list, acknowledge, suppress) and
streamed records in (``POST /v1/monitor/events``), as ``dataward monitor`` does on the CLI."""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from dataward.server.apikeys import ApiKey, Role
from dataward.store import Store


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    rule: bool = False
    """Suppress: later alerts of the same principal and kind are stored suppressed too."""


class Records(BaseModel):
    """Records of one source, each as that source writes it (a JSON object or a log line)."""

    source: str
    records: list[dict[str, Any] | str] = Field(min_length=1, max_length=10_000)


def mount(app: FastAPI) -> None:
    require = app.state.require
    get_store = app.state.get_store

    @app.get("/dashboard/monitor", response_class=HTMLResponse, include_in_schema=False)
    def monitor_alerts_page(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        min_severity: Annotated[str, Query(pattern="^(low|medium|high)$")] = "low",
    ) -> Response:
        """The dashboard's access-monitoring page: stored alerts with their status and summary
        (``/dashboard/alerts`` lists the audit log's alert events)."""
        from importlib.resources import files

        from jinja2 import Environment, FileSystemLoader, select_autoescape

        from dataward.monitor import list_alerts
        from dataward.server.dashboard import COOKIE
        from dataward.server.sessions import get_session

        session = get_session(store, request.cookies.get(COOKIE))
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        env = Environment(
            loader=FileSystemLoader(str(files("dataward.server").joinpath("templates"))),
            autoescape=select_autoescape(["html"]),
        )
        page = env.get_template("monitor_alerts.html").render(
            who=session.key,
            csrf=session.csrf,
            alerts=list_alerts(store, min_severity=min_severity, limit=200),
            min_severity=min_severity,
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    @app.get("/v1/monitor/alerts", tags=["monitor"])
    def monitor_alerts(
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR, Role.STEWARD))],
        since: datetime | None = None,
        min_severity: Annotated[str, Query(pattern="^(low|medium|high)$")] = "low",
        status: Annotated[str | None, Query(pattern="^(open|acknowledged|suppressed)$")] = None,
        evidence: bool = False,
    ) -> dict[str, Any]:
        """Stored alerts, newest first, as ``dataward monitor alerts --format json``."""
        from dataward.monitor import list_alerts

        found = list_alerts(store, since, min_severity, status)
        return {"alerts": [a.to_dict(evidence) for a in found]}

    @app.get("/v1/monitor/alerts/{alert_id}", tags=["monitor"])
    def monitor_alert(
        alert_id: str,
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR, Role.STEWARD))],
        format: Annotated[str, Query(pattern="^(json|ocsf)$")] = "json",
    ) -> dict[str, Any]:
        """One alert with its evidence and suggested containment, or as an OCSF Detection
        Finding (``format=ocsf``)."""
        from dataward.monitor import MonitorError, get_alert

        try:
            alert = get_alert(store, alert_id)
        except MonitorError as exc:
            raise HTTPException(404, str(exc)) from None
        return alert.to_ocsf() if format == "ocsf" else alert.to_dict(evidence=True)

    def _act(store: Store, alert_id: str, status: str, body: Reason, key: ApiKey) -> dict[str, Any]:
        from dataward.monitor import MonitorError, monitor, set_status

        try:
            alert = set_status(store, alert_id, status, body.reason, key.actor)
        except MonitorError as exc:
            raise HTTPException(404 if "no alert" in str(exc) else 422, str(exc)) from None
        if body.rule and status == "suppressed":
            monitor(store).suppress_rule(alert.principal, alert.kind, body.reason)
        return alert.to_dict()

    @app.post("/v1/monitor/alerts/{alert_id}/ack", tags=["monitor"])
    def monitor_ack(
        alert_id: str,
        body: Reason,
        store: Annotated[Store, Depends(get_store)],
        key: Annotated[ApiKey, Depends(require(Role.STEWARD))],
    ) -> dict[str, Any]:
        """Acknowledge an alert with a reason (audited)."""
        return _act(store, alert_id, "acknowledged", body, key)

    @app.post("/v1/monitor/alerts/{alert_id}/suppress", tags=["monitor"])
    def monitor_suppress(
        alert_id: str,
        body: Reason,
        store: Annotated[Store, Depends(get_store)],
        key: Annotated[ApiKey, Depends(require(Role.STEWARD))],
    ) -> dict[str, Any]:
        """Suppress an alert with a reason (audited)."""
        return _act(store, alert_id, "suppressed", body, key)

    @app.post("/v1/monitor/events", tags=["monitor"])
    def monitor_events(
        body: Records,
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.PIPELINE, Role.STEWARD))],
    ) -> dict[str, Any]:
        """Judge streamed records now; the alerts they raised."""
        import json

        from dataward.errors import UnknownNameError
        from dataward.monitor import Parsed, monitor
        from dataward.monitor.parsers import parse_record

        parsed = Parsed()
        try:
            for index, record in enumerate(body.records):
                text = record if isinstance(record, str) else json.dumps(record)
                parse_record(body.source, text, f"records[{index}]", parsed)
        except UnknownNameError as exc:
            raise HTTPException(422, str(exc)) from None
        outcome = monitor(store).ingest(parsed)
        return {
            **outcome.to_dict(),
            "problems": [str(p) for p in parsed.report.problems[:100]],
        }
