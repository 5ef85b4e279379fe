"""The latest posture report, served: ``GET /v1/reports/latest`` for auditors and stewards, and
the dashboard's reports page. Reports are written by ``dataward report posture`` (each one an
audit event with its hash) and kept in the store, so every worker serves the same one.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import Response

from dataward.server.apikeys import ApiKey, Role
from dataward.store import Store

MEDIA_TYPES = {
    "json": "application/json",
    "oscal": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""A report page runs no script and loads nothing: its charts are inline SVG."""


def published_reports(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The newest published reports, metadata only."""
    import sqlalchemy as sa

    from dataward.report.runs import runs

    query = sa.select(
        runs.c.id,
        runs.c.created_at,
        runs.c.generated_at,
        runs.c.format,
        runs.c.sha256,
        runs.c.size_bytes,
        runs.c.event_index,
    )
    with store.begin() as conn:
        rows = conn.execute(query.order_by(runs.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def latest_report(store: Store) -> dict[str, Any] | None:
    """The newest HTML report's metadata (the dashboard links it), or ``None``."""
    from dataward.report.runs import latest

    found = latest(store, "html")
    if found is None:
        return None
    meta = found[0]
    return {"generated_at": meta.generated_at, "sha256": meta.sha256, "event": meta.event_index}


def report_response(store: Store, fmt: str) -> Response:
    """The newest report in ``fmt`` with its hash and audit event in headers; 404 if none."""
    from dataward.report.runs import latest

    if fmt not in MEDIA_TYPES:
        raise HTTPException(422, f"format must be one of {', '.join(MEDIA_TYPES)}")
    found = latest(store, fmt)
    if found is None:
        raise HTTPException(
            404, f"no {fmt} report yet: dataward report posture --format {fmt} --out PATH"
        )
    meta, body = found
    headers = {
        "Cache-Control": "no-store",
        "X-Dataward-Report-Sha256": meta.sha256,
        "X-Dataward-Report-Generated-At": meta.generated_at,
        "X-Content-Type-Options": "nosniff",
    }
    if meta.event_index is not None:
        headers["X-Dataward-Audit-Event"] = str(meta.event_index)
    if fmt == "html":
        headers["Content-Security-Policy"] = REPORT_CSP
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def mount_reports(app: FastAPI) -> None:
    """Add ``GET /v1/reports/latest``."""
    require = app.state.require
    get_store = app.state.get_store

    @app.get("/v1/reports/latest", tags=["reports"])
    def latest_posture(
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR, Role.STEWARD))],
        store: Annotated[Store, Depends(get_store)],
        format: str = "json",
    ) -> Response:
        """The latest posture report written by `dataward report posture`, in ``format``
        (json, html, pdf, oscal, csv); its SHA-256 and audit event id in headers."""
        return report_response(store, format)
