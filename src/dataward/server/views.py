"""What the dashboard shows, read from the catalog, the decision log and the audit log.

Every value here is already safe to show: the catalog holds masked previews and keyed hashes
only, decisions hold tags and policy ids, and audit details stay sealed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dataward.errors import AuditError
from dataward.store import Store

SENSITIVE_TAGS = {"PII_HIGH", "PII", "PHI", "PCI", "SECRET", "CONFIDENTIAL", "FINANCIAL"}


PER_PAGE = 25
"""Datasets per inventory page (a thousand datasets made a 71,000-pixel page)."""


def inventory(
    store: Store,
    *,
    q: str | None = None,
    tag: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> dict[str, Any]:
    """One page of the inventory: datasets whose path contains ``q`` (any case) and that carry
    ``tag``; with the page's datasets' columns, the totals and every tag with its count (for the
    filter)."""
    from dataward.catalog import Catalog

    catalog = Catalog(store)
    every = catalog.datasets()
    tags: dict[str, int] = {}
    for ds in every:
        for t in ds["tags"]:
            tags[t] = tags.get(t, 0) + 1
    needle = (q or "").strip().lower()
    chosen = [
        ds
        for ds in every
        if (not needle or needle in ds["path"].lower()) and (not tag or tag in ds["tags"])
    ]
    pages = max(1, -(-len(chosen) // per_page))
    page = min(max(page, 1), pages)
    out = []
    for ds in chosen[(page - 1) * per_page : page * per_page]:
        full = catalog.dataset(ds["id"])
        columns = [
            {
                "name": c["name"],
                "entity": c["entity"],
                "confidence": c["confidence"],
                "match_share": c["value_share"],
                "preview": (c["examples"] or [""])[0],
            }
            for c in full.get("columns", [])
        ]
        out.append(
            {
                "path": ds["path"],
                "rows": ds["rows"],
                "tags": ds["tags"],
                "content_classes": full.get("content_classes", [])[:2],
                "summary": ds["summary"],
                "sensitive": bool(SENSITIVE_TAGS.intersection(ds["tags"])),
                "columns": columns,
            }
        )
    return {
        "items": out,
        "total": len(every),
        "matching": len(chosen),
        "sensitive": sum(1 for ds in every if SENSITIVE_TAGS.intersection(ds["tags"])),
        "page": page,
        "pages": pages,
        "q": q or "",
        "tag": tag or "",
        "tags": dict(sorted(tags.items())),
    }


def recent_scans(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    from dataward.catalog import Catalog

    scans = Catalog(store).scans()[-limit:]
    out = []
    for s in reversed(scans):
        out.append(
            {"when": _when(s["finished_at"] or s["started_at"]), "summary": scan_text(s["summary"])}
        )
    return out


def scan_text(summary: Any) -> str:
    """A scan's summary as text: the catalog keeps one line per dataset (a list), which the
    dashboard showed as a Python list literal."""
    if isinstance(summary, dict):
        summary = summary.get("summary", "")
    if isinstance(summary, list):
        lines = [str(x) for x in summary]
        shown = "; ".join(lines[:3])
        return shown + (f"; and {len(lines) - 3} more" if len(lines) > 3 else "")
    return str(summary or "")


def recent_decisions(
    store: Store, limit: int | None = 20, days: int | None = 30
) -> list[dict[str, Any]]:
    from dataward.policy.records import logged_decisions

    since = None if days is None else datetime.now(UTC) - timedelta(days=days)
    rows = list(logged_decisions(store, since=since))
    if limit is not None:
        rows = rows[-limit:]
    out = []
    for d in reversed(rows):
        req, res = d.request, d.result
        out.append(
            {
                "when": _when(d.created_at),
                "principal": f"{req.get('principal', {}).get('id', '?')}",
                "action": req.get("action", "?"),
                "resource": f"{req.get('resource', {}).get('id', '?')}",
                "effect": d.effect,
                "reasons": res.get("reasons", []),
                "obligations": [_obligation(o) for o in res.get("obligations", [])],
            }
        )
    return out


def audit_status(store: Store) -> dict[str, Any]:
    from dataward.audit import open_audit_log

    log = open_audit_log(store)
    size = log.size()
    try:
        report = log.verify()
    except AuditError as exc:
        return {"ok": False, "size": size, "message": f"Verification FAILED: {exc}"}
    latest = log.latest_checkpoint()
    return {
        "ok": True,
        "size": size,
        "message": f"Verified {report.events} events and {report.checkpoints} signed checkpoints.",
        "checkpoint": report.root.hex()[:16] + "…" if latest else None,
        "checkpoint_size": report.signed_size,
    }


def _obligation(o: Any) -> str:
    if isinstance(o, dict):
        return f"{o.get('operator', '?')}:{o.get('target', '?')}"
    return str(o)


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")[:16].replace("T", " ")


def overview_charts(
    inv: dict[str, Any], decisions: list[dict[str, Any]], report: dict[str, Any] | None = None
) -> dict[str, str]:
    """The overview's charts, drawn by the report's chart components (inline SVG); with the
    latest JSON posture report, its coverage and controls charts too."""
    from collections import Counter

    from dataward.report import charts

    effects = Counter(d["effect"] for d in decisions)
    out = {
        "tags": charts.bars("Datasets by tag", inv["tags"], "chart-tags"),
        "effects": charts.bars(
            "Recent decisions by effect", dict(sorted(effects.items())), "chart-effects"
        ),
    }
    if report is None:
        out["coverage"] = charts.coverage(
            "Inventory",
            [("sensitive datasets", inv["sensitive"], inv["total"])],
            "chart-coverage",
        )
        return out
    from dataward.report.render import chart_set

    try:
        drawn = chart_set(report)
    except (KeyError, TypeError, AttributeError):  # a report of another shape: skip its charts
        return overview_charts(inv, decisions)
    out["coverage"] = drawn["coverage"]
    out["controls"] = drawn["controls"]
    return out


def latest_posture(store: Store) -> dict[str, Any] | None:
    """The latest published JSON posture report as a document, or ``None``."""
    import json

    from dataward.report.runs import latest

    found = latest(store, "json")
    if found is None:
        return None
    try:
        doc = json.loads(found[1])
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and "controls" in doc else None


def recent_alerts(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """The newest alert events of the audit log (access monitoring), newest first; an alert
    sealed under a subject's key shows as sealed."""
    import sqlalchemy as sa

    from dataward.audit import open_audit_log
    from dataward.audit import tables as t

    with store.begin() as conn:
        indexes = [
            int(i)
            for i in conn.execute(
                sa.select(t.events.c.idx)
                .where(t.events.c.kind == "alert")
                .order_by(t.events.c.idx.desc())
                .limit(limit)
            ).scalars()
        ]
    log = open_audit_log(store)
    out = []
    for index in indexes:
        event = log.event(index)
        p = event.payload or {}
        out.append(
            {
                "event": index,
                "when": _when(event.time),
                "alert": p.get("alert_id", "sealed" if event.payload is None else "?"),
                "action": p.get("action", ""),
                "severity": p.get("severity") or "",
                "kind": p.get("alert_kind") or "",
                "accessor": p.get("accessor") or "",
                "objects": ", ".join(p.get("objects", [])),
                "reason": p.get("reason") or "",
            }
        )
    return out
