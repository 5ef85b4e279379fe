"""Erasing a subject: a plan over every place the index and lineage say they are, carried out,
verified by re-reading, and certified.

The plan names each step's dataset, kind, action and rows:

- ``delete_rows``: a dataset or feature table file that holds the subject's rows is rewritten
  without them (atomically, through its format's writer; local paths and fsspec URLs);
- ``recompute``: a feature table lineage derives from such a dataset but the index does not
  hold (it is not a file Dataward reads): marked to be recomputed;
- ``mark_model`` (or ``retrain`` with ``retrain=True``): a model trained on it is marked.

A step on a held artifact (a legal hold, :mod:`dataward.retention.holds`) or one exempted with
a legal basis is not planned but ``blocked`` with its reason; carrying out the plan records
each refusal as a ``retention`` audit event. :func:`execute` verifies each step (a rewritten
file is read again and must not hold the subject; a mark must be stored), erases the subject's
sealed details from the audit log (:meth:`dataward.audit.AuditLog.erase`), and appends a signed
deletion certificate (a ``subject_erasure`` event naming its SHA-256).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from dataward.errors import AuditError
from dataward.store import Store, shared_store
from dataward.subjects import tables as t
from dataward.subjects.certificates import Certificate, sign_certificate
from dataward.subjects.hashing import Hasher, SubjectConfig, SubjectError
from dataward.subjects.index import Location, Subject, index_file, locate, subject_of
from dataward.subjects.rows import engine_for, open_dataset, rewrite_without, rows_holding, writable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Step:
    dataset: str
    kind: str
    action: str
    rows: int
    version: str | None = None
    via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "kind": self.kind,
            "action": self.action,
            "rows": self.rows,
        }


@dataclass(frozen=True, slots=True)
class Blocked:
    dataset: str
    reason: str
    kind: str = "dataset"
    holds: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, str]:
        return {"dataset": self.dataset, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    """What erasing one subject takes (no identifier inside: the subject's keyed hash)."""

    subject: Subject
    steps: list[Step]
    blocked: list[Blocked]

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_hash": self.subject.hash,
            "steps": [s.to_dict() for s in self.steps],
            "blocked": [b.to_dict() for b in self.blocked],
        }


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    verified: bool
    rows_removed: int = 0
    version_after: str | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ErasureResult:
    plan: ErasurePlan
    results: list[StepResult]
    certificate: Certificate
    audit_events_erased: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """Every step that was not blocked verified."""
        return all(r.verified for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "steps": [
                {
                    **r.step.to_dict(),
                    "verified": r.verified,
                    "rows_removed": r.rows_removed,
                    **({"problem": r.problem} if r.problem else {}),
                }
                for r in self.results
            ],
            "blocked": [b.to_dict() for b in self.plan.blocked],
            "certificate_sha256": self.certificate.sha256,
        }


def _action(location: Location, retrain: bool) -> str:
    if location.kind == "model":
        return "retrain" if retrain else "mark_model"
    if location.via is not None:
        return "recompute"
    return "delete_rows"


def plan_for(
    subject: Subject,
    *,
    config: SubjectConfig | None = None,
    store: Store | None = None,
    exempt: Mapping[str, str] | None = None,
    retrain: bool = False,
) -> ErasurePlan:
    """The erasure plan for a subject already hashed (see :func:`plan`)."""
    from dataward.retention.holds import artifact_name, holds_on

    config = config or SubjectConfig()
    store = store or shared_store()
    exempt = {artifact_name(k): v for k, v in (exempt or {}).items()}
    steps: list[Step] = []
    blocked: list[Blocked] = []
    for loc in locate(subject, config=config, store=store):
        matters = holds_on(loc.dataset, store)
        if matters:
            blocked.append(
                Blocked(loc.dataset, f"legal hold ({', '.join(matters)})", loc.kind, tuple(matters))
            )
            continue
        if loc.dataset in exempt:
            blocked.append(Blocked(loc.dataset, f"exempt: {exempt[loc.dataset]}", loc.kind))
            continue
        action = _action(loc, retrain)
        if action == "delete_rows":
            problem = writable(open_dataset(loc.dataset))
            if problem is not None:
                blocked.append(Blocked(loc.dataset, f"cannot be rewritten: {problem}", loc.kind))
                continue
        steps.append(Step(loc.dataset, loc.kind, action, loc.rows, loc.version, loc.via))
    return ErasurePlan(subject, steps, blocked)


def plan(
    identifier: str,
    *,
    entity: str | None = None,
    config: SubjectConfig | None = None,
    store: Store | None = None,
    exempt: Mapping[str, str] | None = None,
    retrain: bool = False,
) -> ErasurePlan:
    """The plan to erase the subject ``identifier`` names (its type detected unless ``entity``
    is given) from every dataset, feature table and model the index and lineage know.
    ``exempt``: ``{dataset: legal basis}`` for parts kept on purpose."""
    config = config or SubjectConfig()
    subject = subject_of(identifier, entity, config)
    return plan_for(subject, config=config, store=store, exempt=exempt, retrain=retrain)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _delete_rows(step: Step, subject: Subject, config: SubjectConfig) -> StepResult:
    hasher = Hasher.current()
    engine = engine_for(config)
    source = open_dataset(step.dataset)
    rows, _total = rows_holding(source, subject.digest, config, hasher, engine)
    if rows:
        rewrite_without(source, rows)
    after = open_dataset(step.dataset)
    left, _ = rows_holding(after, subject.digest, config, hasher, engine)
    if left:
        return StepResult(
            step, False, len(rows), None, f"{len(left)} row(s) still hold the subject"
        )
    version = index_file(step.dataset, kind=step.kind, config=config).version
    return StepResult(step, True, len(rows), version)


def _mark(step: Step, subject: Subject, store: Store) -> StepResult:
    with store.begin() as conn:
        conn.execute(
            t.marks.insert().values(
                artifact=step.dataset,
                kind=step.kind,
                subject_hash=subject.hash,
                action=step.action,
                marked_at=_now(),
            )
        )
    with store.begin() as conn:
        stored = conn.execute(
            sa.select(sa.func.count())
            .select_from(t.marks)
            .where(t.marks.c.artifact == step.dataset, t.marks.c.subject_hash == subject.hash)
        ).scalar_one()
    return StepResult(step, stored > 0)


def marks(artifact: str | None = None, store: Store | None = None) -> list[dict[str, str]]:
    """Artifacts marked for recomputation or retraining by an erasure."""
    store = store or shared_store()
    q = sa.select(t.marks.c.artifact, t.marks.c.kind, t.marks.c.action, t.marks.c.subject_hash)
    if artifact is not None:
        q = q.where(t.marks.c.artifact == artifact)
    with store.begin() as conn:
        return [dict(r._mapping) for r in conn.execute(q.order_by(t.marks.c.id))]


def execute(
    erasure: ErasurePlan,
    identifier: str,
    *,
    config: SubjectConfig | None = None,
    store: Store | None = None,
) -> ErasureResult:
    """Carry ``erasure`` out, verify each step, erase the subject's details from the audit log,
    record each blocked part's refusal and append the signed certificate. ``identifier`` is
    needed for the audit log's per-subject erasure (it is never stored)."""
    from dataward.audit import default_log, record
    from dataward.audit.events import RetentionEvent, SubjectErasureEvent
    from dataward.detect.api import masked_path

    config = config or SubjectConfig()
    store = store or shared_store()
    subject = erasure.subject
    if Hasher.current().digest(subject.entity, identifier) != subject.digest:
        raise SubjectError("the identifier is not the one the plan was made for")
    results: list[StepResult] = []
    for step in erasure.steps:
        try:
            if step.action == "delete_rows":
                results.append(_delete_rows(step, subject, config))
            else:
                results.append(_mark(step, subject, store))
        except SubjectError as exc:
            results.append(StepResult(step, False, problem=str(exc)))
        except OSError as exc:  # a file that cannot be written: this step fails, others go on
            results.append(StepResult(step, False, problem=f"{type(exc).__name__}"))
    for b in erasure.blocked:
        record(
            RetentionEvent(
                artifact=masked_path(b.dataset),
                artifact_type=b.kind,
                action="refused",
                reason=b.reason if b.holds else "exempt from erasure",
                holds=list(b.holds) or None,
            )
        )
    erased = 0
    try:
        erased = default_log().erase(identifier).events
    except AuditError:
        erased = 0  # no audit event concerns the subject: nothing sealed to erase
    document = {
        "type": "dataward.subject_erasure.v1",
        "subject_hash": subject.hash,
        "subject_type": subject.entity,
        "executed_at": _now(),
        "steps": [
            {
                "dataset": masked_path(r.step.dataset),
                "kind": r.step.kind,
                "action": r.step.action,
                "rows": r.step.rows,
                "rows_removed": r.rows_removed,
                "version_before": r.step.version,
                "version_after": r.version_after,
                "verified": r.verified,
            }
            for r in results
        ],
        "blocked": [
            {"dataset": masked_path(b.dataset), "reason": b.reason} for b in erasure.blocked
        ],
        "audit_events_erased": erased,
    }
    certificate = sign_certificate(document, subject_hash=subject.hash, store=store)
    verified = all(r.verified for r in results)
    record(
        SubjectErasureEvent(
            subject_hash=subject.hash,
            steps=len(results),
            rows=sum(r.rows_removed for r in results),
            verified=verified,
            blocked=[
                {"dataset": masked_path(b.dataset), "reason": b.reason} for b in erasure.blocked
            ],
            certificate_sha256=certificate.sha256,
        )
    )
    problems = [f"{masked_path(r.step.dataset)}: {r.problem}" for r in results if r.problem]
    return ErasureResult(erasure, results, certificate, erased, problems)
