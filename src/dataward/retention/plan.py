"""Retention plans and their application: what to keep, archive, delete or refuse, with the
evidence for each, on local and fsspec stores, prompt and completion logs, MLflow artifacts and
the decision log.

A plan is a dry run. :func:`apply` deletes only what the plan says is expired, not held and not
feeding a model (unless ``override``), verifies each deletion, signs a certificate for it, and
records every deletion and every refusal as a ``retention`` audit event. The keep-until date
each artifact got is stored as its floor: a later, shorter rule never moves it earlier.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataward.retention import tables as t
from dataward.retention.holds import artifact_name, holds_on
from dataward.retention.rules import (
    Artifact,
    RetentionError,
    Rule,
    parse_duration,
    retention_for,
)
from dataward.store import Store, shared_store

DECISION_LOG = "decision_log"
"""The artifact name of the policy decision log (deleted row by row, by age)."""

ARCHIVE_AFTER = "P180D"
"""Advise archiving an artifact kept but not read for this long (by default)."""


@dataclass(frozen=True, slots=True)
class PlanItem:
    artifact: str
    artifact_type: str
    action: str
    """``delete``, ``keep``, ``archive`` (advice: kept, but unread for long) or ``refused``."""
    keep_until: str | None
    rule: str | None
    reason: str
    evidence: tuple[str, ...] = ()
    invalidates: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    rows: int | None = None
    """For the decision log: the decisions older than the cut-off."""
    cutoff: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "artifact": self.artifact,
            "artifact_type": self.artifact_type,
            "action": self.action,
            "keep_until": self.keep_until,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": list(self.evidence),
            "invalidates": list(self.invalidates),
        }
        if self.holds:
            out["holds"] = list(self.holds)
        if self.rows is not None:
            out["rows"] = self.rows
        return out


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    items: list[PlanItem]
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"created_at": self.created_at, "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True, slots=True)
class Applied:
    item: PlanItem
    done: bool
    certificate_sha256: str | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ApplyResult:
    applied: list[Applied] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(a.done for a in self.applied if a.item.action == "delete")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "applied": [
                {
                    **a.item.to_dict(),
                    "done": a.done,
                    "certificate_sha256": a.certificate_sha256,
                    **({"problem": a.problem} if a.problem else {}),
                }
                for a in self.applied
            ],
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def _files(paths: Iterable[str]) -> list[tuple[str, datetime | None, datetime | None]]:
    """``(name, modified, last read)`` of every file under ``paths`` (local or fsspec)."""
    from dataward.sources.opening import is_url

    out: list[tuple[str, datetime | None, datetime | None]] = []
    for path in paths:
        if is_url(path):
            from dataward.sources.locations import import_fsspec

            fs, root = import_fsspec(path).core.url_to_fs(path)
            found = fs.find(root, detail=True) if fs.isdir(root) else {root: fs.info(root)}
            proto = path.split("://", 1)[0]
            for name, info in sorted(found.items()):
                mtime = info.get("mtime") or info.get("created") or info.get("LastModified")
                when = _as_datetime(mtime)
                out.append(
                    (f"{proto}://{name.lstrip('/')}" if proto != "file" else name, when, None)
                )
            continue
        if not Path(path).exists():
            raise RetentionError(f"{path}: no such file or folder", path=path)
        walk = (
            [path]
            if Path(path).is_file()
            else sorted(str(Path(d) / f) for d, _dirs, fs_ in os.walk(path) for f in fs_)
        )
        for f in walk:
            st = Path(f).stat()
            out.append(
                (
                    artifact_name(f),
                    datetime.fromtimestamp(st.st_mtime, UTC),
                    datetime.fromtimestamp(st.st_atime, UTC),
                )
            )
    return out


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    return None


def _categories(name: str, store: Store) -> tuple[str, ...]:
    from dataward.catalog.catalog import Catalog

    found = Catalog(store).standing(name)
    return () if found is None else tuple(found.tags)


def _floor(name: str, store: Store) -> datetime | None:
    with store.begin() as conn:
        row = conn.execute(
            sa.select(t.floors.c.keep_until).where(t.floors.c.artifact == name)
        ).first()
    return None if row is None else datetime.fromisoformat(row.keep_until)


def plan(
    rules: Sequence[Rule],
    paths: Sequence[str] = (),
    *,
    artifact_type: str = "dataset",
    uses: Sequence[str] = (),
    jurisdictions: Sequence[str] = (),
    decision_log: bool = False,
    override: Sequence[str] = (),
    archive_after: str = ARCHIVE_AFTER,
    now: datetime | None = None,
    store: Store | None = None,
) -> RetentionPlan:
    """What retention does to the files under ``paths`` (all of ``artifact_type``) and, with
    ``decision_log``, to the decision log. ``override``: artifacts that may be deleted although
    a model still depends on them."""
    from dataward.lineage.graph import downstream, upstream

    store = store or shared_store()
    now = now or datetime.now(UTC)
    archive = parse_duration(archive_after)
    items: list[PlanItem] = []
    for name, created, read in _files(paths):
        art = Artifact(
            name,
            artifact_type,
            created,
            _categories(name, store),
            tuple(uses),
            tuple(jurisdictions),
            read,
        )
        ups = [
            Artifact(
                n.name, n.kind, created, _categories(n.name, store), art.uses, art.jurisdictions
            )
            for n in upstream(store, name)
        ]
        ret = retention_for(art, rules, ups)
        evidence = [f"modified {_iso(created)}"] if created else ["no modification time"]
        if art.categories:
            evidence.append(f"catalog tags {', '.join(art.categories)}")
        if ret.inherited_from:
            evidence.append(f"rule {ret.rule} inherited from {ret.inherited_from} (lineage)")
        until = ret.keep_until
        floor = _floor(name, store)
        if floor is not None and (until is None or floor > until):
            evidence.append(f"keep-until floor {_iso(floor)} (never shortened)")
            until = floor
        downs = downstream(store, name)
        models = tuple(sorted({n.name for n in downs if n.kind == "model"}))
        invalidates = tuple(
            sorted({f"{n.kind}:{n.name}" + (f"@{n.version}" if n.version else "") for n in downs})
        )
        if models:
            evidence.append(f"feeds model(s) {', '.join(models)}")
        matters = tuple(holds_on(name, store))
        if until is None:
            action, reason = "keep", "no rule matches"
        elif until > now:
            if read is not None and archive.add_to(read) < now and not models:
                evidence.append(f"not read since {_iso(read)}")
                action, reason = "archive", f"kept until {_iso(until)}; unread, archive it"
            else:
                action, reason = "keep", f"kept until {_iso(until)} by rule {ret.rule}"
        elif matters:
            action, reason = "refused", f"legal hold ({', '.join(matters)})"
        elif models and name not in override:
            action = "refused"
            reason = f"still feeds model(s) {', '.join(models)}: needs an explicit override"
        else:
            action, reason = "delete", f"expired {_iso(until)} under rule {ret.rule}"
        items.append(
            PlanItem(
                name,
                artifact_type,
                action,
                _iso(until),
                ret.rule,
                reason,
                tuple(evidence),
                invalidates,
                matters,
            )
        )
    if decision_log:
        items.append(_decision_log_item(rules, now, store))
    return RetentionPlan(items, _iso(now) or "")


def _decision_log_item(rules: Sequence[Rule], now: datetime, store: Store) -> PlanItem:
    from dataward.policy.records import decisions

    art = Artifact(DECISION_LOG, "decision_log")
    matching = [r for r in rules if r.matches(art)]
    if not matching:
        return PlanItem(DECISION_LOG, "decision_log", "keep", None, None, "no rule matches")
    rule = max(matching, key=lambda r: r.keep.add_to(now))
    # a decision made at or before the cut-off has passed its keep-until date now
    cutoff = now
    for _ in range(2):  # the cut-off is now minus the duration (calendar-exact to a day)
        cutoff = now - (rule.keep.add_to(cutoff) - cutoff)
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(sa.func.count()).select_from(decisions).where(decisions.c.created_at < cutoff)
        ).scalar_one()
    matters = tuple(holds_on(DECISION_LOG, store))
    evidence = (f"{rows} decision(s) made before {_iso(cutoff)}",)
    if matters:
        return PlanItem(
            DECISION_LOG,
            "decision_log",
            "refused",
            _iso(cutoff),
            rule.name,
            f"legal hold ({', '.join(matters)})",
            evidence,
            holds=matters,
            rows=int(rows),
            cutoff=cutoff,
        )
    action = "delete" if rows else "keep"
    return PlanItem(
        DECISION_LOG,
        "decision_log",
        action,
        _iso(cutoff),
        rule.name,
        f"decisions older than {rule.keep.text} under rule {rule.name}",
        evidence,
        rows=int(rows),
        cutoff=cutoff,
    )


def _delete_file(name: str) -> bool:
    from dataward.sources.opening import is_url

    if is_url(name):
        from dataward.sources.locations import import_fsspec

        fs, path = import_fsspec(name).core.url_to_fs(name)
        fs.rm(path)
        return not fs.exists(path)
    Path(name).unlink()
    return not Path(name).exists()


def _set_floor(item: PlanItem, store: Store) -> None:
    if item.keep_until is None or item.artifact_type == "decision_log":
        return
    floor = _floor(item.artifact, store)
    until = datetime.fromisoformat(item.keep_until)
    if floor is not None and floor >= until:
        return
    now = _iso(datetime.now(UTC)) or ""
    with store.begin() as conn:
        conn.execute(t.floors.delete().where(t.floors.c.artifact == item.artifact))
        conn.execute(
            t.floors.insert().values(
                artifact=item.artifact, keep_until=item.keep_until, rule=item.rule or "", set_at=now
            )
        )


def apply(retention: RetentionPlan, *, store: Store | None = None) -> ApplyResult:
    """Carry out ``retention``: delete what it says (checking holds again first), record each
    deletion and refusal, sign a certificate per deletion, keep each keep-until as a floor."""
    from dataward.audit import record
    from dataward.audit.events import RetentionEvent
    from dataward.detect.api import masked_path
    from dataward.subjects.certificates import sign_certificate

    store = store or shared_store()
    out: list[Applied] = []
    for item in retention.items:
        _set_floor(item, store)
        shown = masked_path(item.artifact)
        if item.action in ("keep", "archive"):
            out.append(Applied(item, True))
            continue
        matters = tuple(holds_on(item.artifact, store))
        if item.action == "refused" or matters:
            reason = (
                item.reason if item.action == "refused" else f"legal hold ({', '.join(matters)})"
            )
            record(
                RetentionEvent(
                    artifact=shown,
                    artifact_type=item.artifact_type,
                    action="refused",
                    rule=item.rule,
                    reason=reason,
                    holds=list(matters or item.holds) or None,
                )
            )
            out.append(
                Applied(
                    item,
                    item.action == "refused",
                    problem=None if item.action == "refused" else reason,
                )
            )
            continue
        try:
            if item.artifact_type == "decision_log":
                from dataward.policy.records import decisions

                assert item.cutoff is not None
                with store.begin() as conn:
                    gone = conn.execute(
                        decisions.delete().where(decisions.c.created_at < item.cutoff)
                    ).rowcount
                    left = conn.execute(
                        sa.select(sa.func.count())
                        .select_from(decisions)
                        .where(decisions.c.created_at < item.cutoff)
                    ).scalar_one()
                done = left == 0
                detail: dict[str, Any] = {
                    "rows_deleted": int(gone or 0),
                    "cutoff": _iso(item.cutoff),
                }
            else:
                done = _delete_file(item.artifact)
                detail = {}
        except OSError as exc:
            out.append(Applied(item, False, problem=f"{type(exc).__name__}"))
            continue
        cert = sign_certificate(
            {
                "type": "dataward.retention_deletion.v1",
                "artifact": shown,
                "artifact_type": item.artifact_type,
                "rule": item.rule,
                "keep_until": item.keep_until,
                "deleted_at": _iso(datetime.now(UTC)),
                "verified": done,
                "evidence": list(item.evidence),
                "invalidates": list(item.invalidates),
                **detail,
            },
            store=store,
        )
        record(
            RetentionEvent(
                artifact=shown,
                artifact_type=item.artifact_type,
                action="delete",
                rule=item.rule,
                reason=item.reason,
                certificate_sha256=cert.sha256,
            )
        )
        out.append(Applied(item, done, cert.sha256, None if done else "still present after delete"))
    return ApplyResult(out)
