"""What a posture report is built from: one read of the store, as plain facts.

The catalog (datasets, their columns' entity types, their last scan), the decision log, the
audit log (protect runs, scans, alerts, lineage, erasures, retention) and which subsystems have
tables in this store. Nothing here holds a value: the catalog keeps entity types and masked
previews (which a report never shows), paths are shown through
:func:`dataward.detect.api.masked_path`, and decision requests are read for their action, tags
and effect only.

The facts stop at the last audit event that is not a report: a report is itself an audit event,
and the next report over the same store must see the same log (byte-identical output).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from dataward.errors import AuditError, DatawardError
from dataward.store import Store

REPORT_PREFIX = "report:"
"""``AccessEvent.what`` of the event each report is recorded as: ``report:posture sha256:...``."""

SENSITIVE_TAGS = frozenset({"PII_HIGH", "PII", "PHI", "PCI", "SECRET", "CONFIDENTIAL", "FINANCIAL"})
"""Dataset tags that make a dataset sensitive (the dashboard counts the same ones)."""

SUBSYSTEM_TABLES = {
    "alerts": "monitor_",
    "lineage": "lineage_",
    "subjects": "subject_",
    "retention": "retention_",
}
"""The table-name prefix that shows a subsystem is installed in this store."""

SUBSYSTEM_KINDS = {
    "alerts": ("alert",),
    "lineage": ("lineage",),
    "subjects": ("subject_erasure", "erasure", "consent"),
    "retention": ("retention",),
}
"""The audit event kinds each subsystem records."""


class ReportError(DatawardError):
    """A report could not be built or written (an unreadable store, a bad option)."""


@dataclass(frozen=True, slots=True)
class Ref:
    """An audit event given as evidence: its index (its id in the log), kind, time and leaf."""

    index: int
    kind: str
    time: str
    leaf: bytes


@dataclass(slots=True)
class DatasetFact:
    id: int
    path: str
    """Masked: a value in a path shows as ``<ENTITY>``."""
    raw_path: str
    """As stored; matched against scan events, never shown."""
    name: str
    rows: int
    tags: tuple[str, ...]
    last_scan: str | None
    columns: dict[str, str] = field(default_factory=dict)
    """Column name (masked) to its entity type, for columns that hold one."""
    raw_columns: dict[str, str] = field(default_factory=dict)
    """Column name as stored to entity, matched against protect runs; never shown."""
    protected_columns: dict[str, str] = field(default_factory=dict)
    """Column name as stored to the operator the latest protect run applied."""
    protect_refs: list[Ref] = field(default_factory=list)
    scan_refs: list[Ref] = field(default_factory=list)

    @property
    def sensitive(self) -> bool:
        return bool(SENSITIVE_TAGS.intersection(self.tags))

    @property
    def protected(self) -> bool:
        return bool(self.protect_refs)


@dataclass(frozen=True, slots=True)
class DecisionFact:
    decision_id: str
    created_at: str
    effect: str
    action: str
    tags: tuple[str, ...]


@dataclass(slots=True)
class Facts:
    generated_at: str
    since: str | None
    tree_size: int
    root: str
    verified: bool
    verify_message: str
    checkpoints: int
    datasets: list[DatasetFact]
    decisions: list[DecisionFact]
    decision_refs: list[Ref]
    protect_refs: list[Ref]
    protect_verified: int
    scan_refs: list[Ref]
    by_kind: dict[str, int]
    kinds: dict[str, list[Ref]]
    """Refs of the subsystems' kinds (alert, lineage, ...), in log order."""
    alerts_by_severity: dict[str, int]
    lineage_edges: list[tuple[str, str, str]]
    """(job, input, output), masked, deduplicated, in first-seen order."""
    tables: frozenset[str]
    scans: list[tuple[int, str]]
    """(scan id, finished at) of every scan."""
    scan_tags: list[tuple[str, str, int]]
    """(scan time, tag, datasets) from scan events: sensitivity over time."""
    regulations: dict[str, frozenset[str]] = field(default_factory=dict)
    """Entity type to the regulations the taxonomy puts it under, for the entity types seen."""

    def installed(self, subsystem: str) -> bool:
        """Whether ``subsystem`` (alerts, lineage, subjects, retention) has tables here or has
        recorded events of its kinds."""
        prefix = SUBSYSTEM_TABLES[subsystem]
        if any(t.startswith(prefix) for t in self.tables):
            return True
        return any(self.kinds.get(k) for k in SUBSYSTEM_KINDS[subsystem])


def _parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """The report's time format: UTC, seconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gather(
    store: Store,
    *,
    since: datetime | timedelta | None = None,
    generated_at: datetime | None = None,
    mask: Any = None,
) -> Facts:
    """Read everything a report needs from ``store``. ``mask`` turns a stored path or name into
    one safe to show (default :func:`dataward.detect.api.masked_path`)."""
    from dataward.audit import open_audit_log

    if mask is None:
        from dataward.detect.api import get_engine, masked_path

        engine = get_engine()

        def mask(text: str) -> str:
            return masked_path(text, engine)

    try:
        log = open_audit_log(store)
        events = list(log.events())
    except AuditError:
        raise
    except Exception as exc:  # a store without the tables a report reads
        raise ReportError(
            f"cannot read the audit log for a report: {type(exc).__name__}; "
            "is this a Dataward store (`dataward home`)?"
        ) from None
    # the log as of the last event that is not a report
    tree_size = 0
    for e in events:
        if not _is_report(e.kind, e.payload):
            tree_size = e.index + 1
    events = events[:tree_size]
    last_time = events[-1].time if events else None
    as_of = generated_at or (_parse_time(last_time) if last_time else None)
    if isinstance(since, timedelta):  # a span back from the report's time, not from now
        since = (as_of or datetime(1970, 1, 1, tzinfo=UTC)) - since

    by_kind: Counter[str] = Counter()
    kinds: dict[str, list[Ref]] = {}
    protect_runs: list[tuple[Ref, Mapping[str, Any]]] = []
    scan_refs: list[Ref] = []
    scan_paths: dict[str, list[Ref]] = {}
    decision_refs: list[Ref] = []
    severities: Counter[str] = Counter()
    edges: dict[tuple[str, str, str], None] = {}
    scan_tags: list[tuple[str, str, int]] = []
    for e in events:
        ref = Ref(e.index, e.kind, e.time, e.leaf_hash)
        by_kind[e.kind] += 1
        recent = since is None or _parse_time(e.time) >= since
        payload = e.payload or {}
        if e.kind == "scan":
            scan_refs.append(ref)
            counts: Counter[str] = Counter()
            for d in payload.get("datasets", []):
                scan_paths.setdefault(str(d.get("path")), []).append(ref)
                counts.update(set(d.get("tags", [])))
            for tag, n in sorted(counts.items()):
                scan_tags.append((e.time, tag, n))
        elif e.kind == "protect":
            protect_runs.append((ref, payload))
        elif e.kind == "decision":
            decision_refs.append(ref)
        if e.kind in ("alert", "lineage", "subject_erasure", "erasure", "consent", "retention"):
            if recent:
                kinds.setdefault(e.kind, []).append(ref)
            if e.kind == "alert" and recent and payload.get("action") == "raised":
                severities[str(payload.get("severity") or "unknown")] += 1
            if e.kind == "lineage":
                job = mask(str(payload.get("job", "?")))
                for i in payload.get("inputs", []):
                    for o in payload.get("outputs", []):
                        edges[(job, mask(str(i)), mask(str(o)))] = None

    tables = frozenset(sa.inspect(store.engine).get_table_names())
    datasets, scans = _datasets(store, mask)
    by_name: dict[str, list[DatasetFact]] = {}
    for d in datasets:
        by_name.setdefault(d.name, []).append(d)
        d.scan_refs = scan_paths.get(d.raw_path) or scan_paths.get(d.path, [])
    protect_verified = 0
    recent_protects: list[Ref] = []
    for ref, payload in protect_runs:
        if since is not None and _parse_time(ref.time) < since:
            continue
        recent_protects.append(ref)
        if payload.get("verify") in ("full", "sample") and payload.get("verified_rows"):
            protect_verified += 1
        name = str(payload.get("input") or "").rsplit("/", 1)[-1]
        for d in by_name.get(name, []):
            d.protect_refs.append(ref)
            for col, op in (payload.get("columns") or {}).items():
                if op not in (None, "keep"):
                    d.protected_columns[col] = str(op)
    if as_of is None:
        latest = max((d.last_scan or "" for d in datasets), default="")
        as_of = _parse_time(latest) if latest else datetime(1970, 1, 1, tzinfo=UTC)

    decisions = _decisions(store, since)
    verified, message, checkpoints = _verify(log, tree_size)
    root = log.head(tree_size).root.hex() if tree_size else ""
    return Facts(
        generated_at=iso(as_of),
        since=None if since is None else iso(since),
        tree_size=tree_size,
        root=root,
        verified=verified,
        verify_message=message,
        checkpoints=checkpoints,
        datasets=datasets,
        decisions=decisions,
        decision_refs=decision_refs,
        protect_refs=recent_protects,
        protect_verified=protect_verified,
        scan_refs=scan_refs,
        by_kind=dict(sorted(by_kind.items())),
        kinds=kinds,
        alerts_by_severity=dict(sorted(severities.items())),
        lineage_edges=list(edges),
        tables=tables,
        scans=scans,
        scan_tags=scan_tags,
        regulations=_regulations({e for d in datasets for e in d.raw_columns.values()}),
    )


def _regulations(entities: set[str]) -> dict[str, frozenset[str]]:
    from dataward.taxonomy import taxonomy

    tax = taxonomy()
    return {e: frozenset(tax.get(e).regulations) if e in tax else frozenset() for e in entities}


def _is_report(kind: str, payload: Any) -> bool:
    return (
        kind == "access"
        and isinstance(payload, dict)
        and str(payload.get("what", "")).startswith(REPORT_PREFIX)
    )


def _verify(log: Any, tree_size: int) -> tuple[bool, str, int]:
    """Whether the log verifies, what that says, and the signed checkpoints within the first
    ``tree_size`` events (a later report's own checkpoint is not counted)."""
    checkpoints = sum(1 for c in log.checkpoints() if c.size <= tree_size)
    try:
        log.verify()
    except AuditError as exc:
        return False, f"verification failed: {exc}", checkpoints
    return True, f"{tree_size} events verified, {checkpoints} signed checkpoints", checkpoints


def _datasets(store: Store, mask: Any) -> tuple[list[DatasetFact], list[tuple[int, str]]]:
    from dataward.catalog import tables as t

    with store.begin() as conn:
        scans = {
            int(r.id): str(r.finished_at)
            for r in conn.execute(sa.select(t.scans.c.id, t.scans.c.finished_at))
        }
        rows = conn.execute(
            sa.select(
                t.datasets.c.id,
                t.datasets.c.path,
                t.datasets.c.name,
                t.datasets.c.rows,
                t.datasets.c.last_scan_id,
            )
            .where(t.datasets.c.status == "present")
            .order_by(t.datasets.c.path)
        ).all()
        tags: dict[int, list[str]] = {}
        for tr in conn.execute(
            sa.select(t.tags.c.dataset_id, t.tags.c.tag)
            .where(t.tags.c.column_name.is_(None))
            .order_by(t.tags.c.id)
        ):
            found = tags.setdefault(int(tr.dataset_id), [])
            if tr.tag not in found:
                found.append(tr.tag)
        columns: dict[int, dict[str, str]] = {}
        for cr in conn.execute(
            sa.select(t.columns.c.dataset_id, t.columns.c.name, t.columns.c.entity)
            .where(t.columns.c.entity.is_not(None))
            .order_by(t.columns.c.dataset_id, t.columns.c.position)
        ):
            columns.setdefault(int(cr.dataset_id), {})[cr.name] = cr.entity
    out = []
    for r in rows:
        raw = columns.get(int(r.id), {})
        fact = DatasetFact(
            id=int(r.id),
            path=mask(r.path),
            raw_path=r.path,
            name=r.name,
            rows=int(r.rows),
            tags=tuple(tags.get(int(r.id), [])),
            last_scan=scans.get(r.last_scan_id) if r.last_scan_id is not None else None,
            columns={mask(k): v for k, v in raw.items()},
            raw_columns=raw,
        )
        out.append(fact)
    return out, sorted(scans.items())


def _decisions(store: Store, since: datetime | None) -> list[DecisionFact]:
    from dataward.policy.records import logged_decisions

    out = []
    for d in logged_decisions(store, since=since):
        resource = d.request.get("resource") or {}
        tags = resource.get("tags") if isinstance(resource, dict) else None
        out.append(
            DecisionFact(
                decision_id=d.decision_id,
                created_at=iso(d.created_at),
                effect=d.effect,
                action=str(d.request.get("action", "?")),
                tags=tuple(str(x) for x in tags) if isinstance(tags, list) else (),
            )
        )
    return out


def json_dumps(value: Any) -> str:
    """The one serialisation of a report: sorted keys, two-space indent, UTF-8, a final newline,
    so the same facts give the same bytes."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
