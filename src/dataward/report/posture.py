"""The posture report as one JSON-like document: the facts, the controls assessed on them, and
the executive summary. Every format (HTML, PDF, OSCAL, the Art. 30 CSV) is rendered from this
document, so they all state the same facts.

>>> sorted(FRAMEWORKS)
['ccpa', 'eu_ai_act', 'gdpr', 'hipaa', 'pci']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from importlib.resources import files
from typing import Any

import yaml

from dataward.errors import ConfigError
from dataward.report.checks import CHECKS, STATUSES, Outcome
from dataward.report.evidence import Facts, Ref, gather
from dataward.store import Store

FRAMEWORKS = {
    "gdpr": "GDPR",
    "hipaa": "HIPAA",
    "ccpa": "CCPA",
    "pci": "PCI DSS",
    "eu_ai_act": "EU AI Act",
}
"""Framework keys (``--framework``) and their display names."""

SCAN_DAYS = 7
"""The window of ``datasets.scanned``: scanned in the last 7 days before ``generated_at``."""

EVIDENCE_PER_CONTROL = 3


def load_controls(text: str | None = None) -> list[dict[str, Any]]:
    """The control definitions (``controls.yaml`` of this package, or ``text``), checked: each
    names a known framework and check."""
    raw = (
        text
        if text is not None
        else files("dataward.report").joinpath("controls.yaml").read_text("utf-8")
    )
    try:
        items = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"controls: not valid YAML ({type(exc).__name__})") from None
    if not isinstance(items, list):
        raise ConfigError("controls: expected a list of controls")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError(f"controls: item {i} is not a mapping")
        missing = [k for k in ("framework", "control", "title", "asks", "check") if k not in item]
        if missing:
            raise ConfigError(f"controls: item {i} lacks {', '.join(missing)}")
        if item["framework"] not in FRAMEWORKS:
            raise ConfigError(
                f"controls: item {i}: unknown framework {item['framework']!r}; "
                f"known: {', '.join(FRAMEWORKS)}"
            )
        if item["check"] not in CHECKS:
            raise ConfigError(f"controls: item {i}: unknown check {item['check']!r}")
    return items


def parse_frameworks(value: str | Iterable[str] | None) -> list[str]:
    """``gdpr,hipaa`` (or a list) as framework keys, checked; ``None`` is all of them."""
    if value is None:
        return list(FRAMEWORKS)
    names = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for name in (n.strip().lower().replace("-", "_") for n in names):
        if not name:
            continue
        if name in ("eu_ai", "ai_act", "euaiact"):
            name = "eu_ai_act"
        if name == "pci_dss":
            name = "pci"
        if name not in FRAMEWORKS:
            from dataward.taxonomy import did_you_mean

            raise ConfigError(
                f"unknown framework {name!r}.{did_you_mean(name, FRAMEWORKS)} "
                f"Known: {', '.join(FRAMEWORKS)}"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ConfigError("--framework names no framework; known: " + ", ".join(FRAMEWORKS))
    return out


def build(
    store: Store,
    *,
    frameworks: str | Sequence[str] | None = None,
    since: datetime | timedelta | None = None,
    generated_at: datetime | None = None,
    summarize: Any = None,
    mask: Any = None,
) -> dict[str, Any]:
    """The posture report of ``store`` as a JSON-like document.

    ``generated_at`` defaults to the time of the store's latest audit event (not now), so the
    same store gives the same report. ``summarize`` (facts document -> text) replaces the
    template summary (see :mod:`dataward.report.summary`)."""
    chosen = parse_frameworks(frameworks)
    facts = gather(store, since=since, generated_at=generated_at, mask=mask)
    return document(facts, chosen, store=store, summarize=summarize)


def document(
    facts: Facts,
    frameworks: Sequence[str],
    *,
    store: Store | None = None,
    summarize: Any = None,
) -> dict[str, Any]:
    """The report document of ``facts`` for ``frameworks``."""
    from dataward.report.summary import template_summary

    doc: dict[str, Any] = {
        "report": "posture",
        "format_version": 1,
        "generated_at": facts.generated_at,
        "since": facts.since,
        "frameworks": list(frameworks),
        "datasets": _datasets(facts),
        "decisions": _decisions(facts),
        "protect": {
            "runs": len(facts.protect_refs),
            "verified": facts.protect_verified,
            "datasets": sum(1 for d in facts.datasets if d.protected),
        },
        "scans": {"total": len(facts.scans)},
        "audit": {
            "events": facts.tree_size,
            "root": facts.root,
            "verified": facts.verified,
            "checkpoints": facts.checkpoints,
            "by_kind": facts.by_kind,
        },
        "alerts": _subsystem(facts, "alerts", {"by_severity": facts.alerts_by_severity}),
        "lineage": _subsystem(
            facts,
            "lineage",
            {"edges": [{"job": j, "input": i, "output": o} for j, i, o in facts.lineage_edges]},
        ),
        "subjects": _subsystem(facts, "subjects", {}),
        "retention": _subsystem(facts, "retention", {}),
        "sensitivity_over_time": [
            {"time": t, "tag": tag, "datasets": n} for t, tag, n in facts.scan_tags
        ],
    }
    proofs: dict[int, list[str]] = {}
    controls = []
    for item in load_controls():
        if item["framework"] not in frameworks:
            continue
        outcome: Outcome = CHECKS[item["check"]](facts, item.get("params") or {})
        assert outcome.status in STATUSES
        controls.append(
            {
                "framework": item["framework"],
                "control": item["control"],
                "title": item["title"],
                "asks": item["asks"],
                "status": outcome.status,
                "coverage": {
                    "numerator": outcome.numerator,
                    "denominator": outcome.denominator,
                    "text": outcome.coverage,
                },
                "note": outcome.note,
                "datasets": list(outcome.datasets[:20]),
                "evidence": [
                    _evidence(ref, facts, store, proofs)
                    for ref in outcome.refs[:EVIDENCE_PER_CONTROL]
                ],
            }
        )
    doc["controls"] = controls
    doc["controls_by_status"] = dict(sorted(Counter(c["status"] for c in controls).items()))
    text = template_summary(doc)
    source = "template"
    if summarize is not None:
        text, source = summarize(doc), "llm"
    doc["summary"] = {"text": text, "source": source}
    return doc


def _datasets(facts: Facts) -> dict[str, Any]:
    from datetime import timedelta

    now = datetime.fromisoformat(facts.generated_at.replace("Z", "+00:00"))
    cutoff = now - timedelta(days=SCAN_DAYS)
    by_tag: Counter[str] = Counter()
    items = []
    scanned = 0
    for d in facts.datasets:
        by_tag.update(d.tags)
        fresh = bool(
            d.last_scan and datetime.fromisoformat(d.last_scan.replace("Z", "+00:00")) >= cutoff
        )
        scanned += fresh
        items.append(
            {
                "id": d.id,
                "path": d.path,
                "rows": d.rows,
                "tags": list(d.tags),
                "entities": sorted(set(d.columns.values())),
                "last_scan": d.last_scan,
                "sensitive": d.sensitive,
                "protected": d.protected,
            }
        )
    return {
        "total": len(facts.datasets),
        "scanned": scanned,
        "scanned_window_days": SCAN_DAYS,
        "sensitive": sum(1 for d in facts.datasets if d.sensitive),
        "protected": sum(1 for d in facts.datasets if d.protected),
        "by_tag": dict(sorted(by_tag.items())),
        "items": items,
    }


def _decisions(facts: Facts) -> dict[str, Any]:
    return {
        "total": len(facts.decisions),
        "by_effect": dict(sorted(Counter(d.effect for d in facts.decisions).items())),
        "by_action": dict(sorted(Counter(d.action for d in facts.decisions).items())),
        "events": len(facts.decision_refs),
    }


def _subsystem(facts: Facts, name: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    from dataward.report.evidence import SUBSYSTEM_KINDS

    if not facts.installed(name):
        return {"built": False, "note": f"{name}: not built yet in this deployment"}
    counts = {k: len(facts.kinds.get(k, [])) for k in SUBSYSTEM_KINDS[name]}
    return {"built": True, "events": counts, "total": sum(counts.values()), **extra}


def _evidence(
    ref: Ref, facts: Facts, store: Store | None, proofs: dict[int, list[str]]
) -> dict[str, Any]:
    """An audit event as evidence: its id, kind, time, leaf hash and its RFC 6962 inclusion
    proof in the tree of ``facts.tree_size`` events (the report's root)."""
    if ref.index not in proofs:
        proof: list[str] = []
        if store is not None:
            from dataward.audit import open_audit_log

            proof = [
                h.hex() for h in open_audit_log(store).inclusion_proof(ref.index, facts.tree_size)
            ]
        proofs[ref.index] = proof
    return {
        "event": ref.index,
        "kind": ref.kind,
        "time": ref.time,
        "leaf_hash": ref.leaf.hex(),
        "tree_size": facts.tree_size,
        "inclusion_proof": proofs[ref.index],
    }
