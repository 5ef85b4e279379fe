"""The policy engine with the store: approvals in, decisions logged, replays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dataward import scope
from dataward.errors import PolicyError
from dataward.policy import evidence as evidence_
from dataward.policy import pending, records, writer
from dataward.policy.classification import NEEDS_SCAN, NOT_CLASSIFIED, Classification, TagResolver
from dataward.policy.decision import Decision, Mode
from dataward.policy.engine import PolicyEngine
from dataward.policy.request import canonical_json
from dataward.settings import get_settings
from dataward.store import Store, close_shared, shared_store

# What the runtime in use (:mod:`dataward.scope`) keeps for the policy: its engines (one per
# policy settings), the tag resolver set_tag_resolver chose, the revisions already noted.
_ENGINES = "policy.engine:"
_RESOLVER = "policy.tag-resolver"
_NOTED = "policy.noted"


def set_tag_resolver(resolver: TagResolver | None) -> None:
    """Where dataset tags come from when a request names a cataloged dataset (default: the
    catalog), in the runtime in use."""
    current = scope.current()
    current.put(_RESOLVER, (resolver,) if resolver is not None else None)
    current.discard(_ENGINES)


def catalog_classification(resource_id: str) -> Classification:
    """The default resolver: the dataset the catalog of the default store names exactly by
    ``resource_id`` (its catalog id, or a path that resolves to its canonical path), with its
    tags and how it was scanned. A file name alone, a suffix or a pattern matches nothing."""
    from dataward.catalog import Catalog

    found = Catalog(default_store()).standing(resource_id)
    if found is None:
        return Classification(
            NOT_CLASSIFIED,
            source="catalog",
            detail="the catalog has no dataset with this id or path",
        )
    problem = None
    if found.status != "present":
        problem = "its file was gone at the last scan"
    elif not found.scanned or not found.tags:
        problem = "no scan has classified it"
    else:
        problem = found.drift()
    if problem is not None:
        return Classification(
            NEEDS_SCAN, source="catalog", detail=problem, dataset_id=found.id, path=found.path
        )
    return Classification(
        "classified",
        found.tags,
        source="catalog",
        detail=f"scan {found.last_scan_id}",
        sampled=found.sampled,
        rows=found.rows,
        scanned_rows=found.scanned_rows,
        dataset_id=found.id,
        path=found.path,
        content_classes=found.content_classes,
    )


catalog_tags = catalog_classification
"""The older name of :func:`catalog_classification`."""


def default_engine(extra_paths: Sequence[Path] = ()) -> PolicyEngine:
    """The engine the settings describe (packs, paths, modes), kept by the runtime in use until
    they change."""
    settings = get_settings().policy
    key = canonical_json(settings.model_dump(mode="json")) + canonical_json(
        [str(p) for p in extra_paths]
    )
    current = scope.current()
    chosen = current.peek(_RESOLVER)
    resolver: TagResolver = chosen[0] if chosen is not None else catalog_classification
    return current.get(
        _ENGINES + key,
        lambda: PolicyEngine.load(
            settings.packs,
            [*settings.paths, *extra_paths],
            tag_resolver=resolver,
            modes=settings.modes,
            default_mode=settings.mode,
            token_ttl_seconds=settings.token_ttl_seconds,
            unclassified=settings.unclassified,
            unclassified_points=settings.unclassified_points,
        ),
    )


def reload() -> None:
    """Write queued decisions, then forget the engines and close the stores of the runtime in
    use (after policy files changed)."""
    pending.close_all()
    scope.current().discard(_ENGINES)
    close_shared()


def default_store() -> Store:
    """The store of the current settings (shared with the other subsystems)."""
    return shared_store()


def decide(
    request: Mapping[str, Any],
    *,
    engine: PolicyEngine | None = None,
    store: Store | None = None,
    point: str = "default",
    mode: Mode | None = None,
    log: bool | None = None,
    now: datetime | None = None,
    evidence: Sequence[Any] = (),
) -> Decision:
    """Decide ``request``: approvals in force come from the store, and the decision is logged
    there (and sent to the audit log) unless ``log=False``.

    Only transforms proven by ``evidence`` (protect receipts, see
    :mod:`dataward.policy.evidence`) count as applied: ``context.transforms`` that no receipt
    proves are dropped before the policies see the request, and the decision warns
    ``claimed_without_evidence``; a refused receipt warns ``evidence_refused`` with the reason.

    >>> d = decide({"principal": {"type": "User", "id": "ann"}, "action": "train",
    ...             "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI"]},
    ...             "context": {"purpose": "marketing"}}, log=False)
    >>> d.effect, [o.transform for o in d.obligations]
    ('allow_with_obligations', ['tokenize:PHI'])
    """
    engine = engine or default_engine()
    settings = get_settings().policy if log is None else None
    if settings is not None:
        log = settings.log_decisions
    if store is None and log:
        store = default_store()
    checked = evidence_.check_all(evidence, request, policy_revision=engine.revision)
    request, notes = evidence_.counted_request(request, checked)
    from dataward.subjects.consent import screen  # consent withdrawn since the request was made

    request, withdrawn = screen(request, store or default_store())
    notes = [*notes, *withdrawn]
    approvals = (
        records.approvals_for(store, request, now or datetime.now().astimezone()) if store else []
    )
    prepared = engine.prepare(request, approvals, now)
    accepted = [c for c in checked if c.refused is None]
    decision = engine.decide_prepared(
        prepared,
        point=point,
        mode=mode,
        evidence=[c.digest for c in accepted],
        proven={t for c in accepted for t in c.transforms},
        notes=notes,
    )
    if log and store is not None:
        url = str(store.engine.url)
        noted: set[tuple[str, str]] = scope.current().get(_NOTED, set)
        if (engine.revision, url) not in noted:
            records.note_revision(store, engine.revision, [s.name for s in engine.sources])
            noted.add((engine.revision, url))
        principal = prepared.cedar["principal"]
        actor = f"{principal['type']}::{principal['id']}"
        if settings is None:
            settings = get_settings().policy
        if settings.log_writer == "background":
            writer.writer_for(store).submit(decision, actor)
        else:
            records.log_decision(store, decision, actor)  # the row and its event: one transaction
    return decision


def flush() -> None:
    """Wait until every decision :func:`decide` queued is in the decision log and the audit
    sink (see :mod:`dataward.policy.writer`)."""
    pending.flush()


@dataclass(frozen=True, slots=True)
class Change:
    """A logged decision the candidate policies would answer differently."""

    decision_id: str
    timestamp: str
    point: str
    before: dict[str, Any]
    after: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "timestamp": self.timestamp,
            "point": self.point,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class ReplayReport:
    candidate_revision: str
    replayed: int
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate_revision": self.candidate_revision,
            "replayed": self.replayed,
            "changed": len(self.changes),
            "changes": [c.to_dict() for c in self.changes],
        }


def replay(
    store: Store,
    candidate: PolicyEngine,
    *,
    since: datetime | None = None,
    point: str | None = None,
) -> ReplayReport:
    """Re-evaluate logged requests (at their logged time, with the approvals then in force)
    against ``candidate`` and list the decisions that would change."""
    by_id = {a.id: a for a in records.list_approvals(store)}
    changes: list[Change] = []
    count = 0
    for logged in records.logged_decisions(store, since=since, point=point):
        count += 1
        approvals = [
            by_id[i].as_approval()
            for i in logged.result.get("approvals_in_force", [])
            if i in by_id
        ]
        before_effect = logged.evaluated_effect
        try:
            prepared = candidate.prepare(logged.request, approvals)
        except PolicyError as exc:  # e.g. a tag the candidate policies no longer know
            changes.append(
                Change(
                    logged.decision_id,
                    logged.result.get("timestamp", ""),
                    logged.point,
                    {"effect": before_effect},
                    {"effect": "error", "error": str(exc)},
                )
            )
            continue
        ev = candidate.evaluate(prepared, logged.point)
        before = {
            "effect": logged.evaluated_effect,
            "obligations": sorted(o["transform"] for o in logged.result.get("obligations", [])),
            "approvals": sorted(a["approver"] for a in logged.result.get("approvals", [])),
            "reasons": logged.result.get("reasons", []),
        }
        after = {
            "effect": ev.effect,
            "obligations": sorted(o.transform for o in ev.obligations),
            "approvals": sorted(a.approver for a in ev.approvals),
            "reasons": list(ev.reasons),
        }
        if {k: before[k] for k in ("effect", "obligations", "approvals")} != {
            k: after[k] for k in ("effect", "obligations", "approvals")
        }:
            changes.append(
                Change(
                    logged.decision_id,
                    logged.result.get("timestamp", ""),
                    logged.point,
                    before,
                    after,
                )
            )
    return ReplayReport(candidate.revision, count, tuple(changes))
