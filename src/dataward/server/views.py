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


def inventory(store: Store) -> list[dict[str, Any]]:
    from dataward.catalog import Catalog

    catalog = Catalog(store)
    out = []
    for ds in catalog.datasets():
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
                "summary": ds["summary"],
                "sensitive": bool(SENSITIVE_TAGS.intersection(ds["tags"])),
                "columns": columns,
            }
        )
    return out


def recent_scans(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    from dataward.catalog import Catalog

    scans = Catalog(store).scans()[-limit:]
    out = []
    for s in reversed(scans):
        summary = s["summary"]
        text = summary.get("summary") if isinstance(summary, dict) else str(summary)
        out.append({"when": _when(s["finished_at"] or s["started_at"]), "summary": text or ""})
    return out


def recent_decisions(store: Store, limit: int = 20, days: int = 30) -> list[dict[str, Any]]:
    from dataward.policy.records import logged_decisions

    since = datetime.now(UTC) - timedelta(days=days)
    rows = list(logged_decisions(store, since=since))[-limit:]
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
