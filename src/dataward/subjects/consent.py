"""Consent withdrawn by a subject or for a purpose, and what depends on it.

A withdrawal is stored by the subject's keyed hash (never the identifier) or by purpose. It
takes effect where requests are decided: :func:`screen` removes a withdrawn purpose from a
request's ``context.consent`` (so a go token that relied on it no longer revalidates, see
:func:`dataward.policy.revalidation.revalidate`) and says, as warnings, which datasets behind
the request hold a subject who withdrew, and for an ``infer`` request which of the model's
training datasets do. :func:`withdraw` also revokes the approvals granted for a withdrawn
purpose and counts the go tokens still unexpired that relied on it, and records a ``consent``
audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from dataward.store import Store, shared_store
from dataward.subjects import tables as t
from dataward.subjects.hashing import SubjectConfig, SubjectError, prefix_of_hex

CONSENT_WITHDRAWN = "consent_withdrawn"
"""The warning prefix :func:`screen` adds to a decision."""


@dataclass(frozen=True, slots=True)
class ConsentResult:
    action: str
    subject_hash: str | None
    purpose: str | None
    invalidated_tokens: int
    invalidated_approvals: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "subject_hash": self.subject_hash,
            "purpose": self.purpose,
            "invalidated_tokens": self.invalidated_tokens,
            "invalidated_approvals": self.invalidated_approvals,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def withdrawn(store: Store | None = None) -> tuple[set[str], set[str]]:
    """``(subject hashes, purposes)`` whose consent is withdrawn now."""
    store = store or shared_store()
    subjects: set[str] = set()
    purposes: set[str] = set()
    with store.begin() as conn:
        for h, p in conn.execute(
            sa.select(t.consent.c.subject_hash, t.consent.c.purpose).where(
                t.consent.c.given_at.is_(None)
            )
        ):
            if h:
                subjects.add(h)
            if p:
                purposes.add(p)
    return subjects, purposes


def _datasets_of(subject_hashes: set[str], store: Store, *, derived_too: bool = True) -> set[str]:
    """Datasets whose index holds any of the subjects (and, with ``derived_too``, what lineage
    derives from them)."""
    from dataward.subjects.lineage import derived

    if not subject_hashes:
        return set()
    prefixes = [prefix_of_hex(h) for h in subject_hashes]
    with store.begin() as conn:
        names = set(
            conn.execute(
                sa.select(t.versions.c.dataset)
                .join(t.postings, t.postings.c.version_id == t.versions.c.id)
                .where(t.postings.c.prefix.in_(prefixes))
                .distinct()
            ).scalars()
        )
    out = set(names)
    for name in names if derived_too else ():
        out.update(n.name for n in derived(name, store))
    return out


def _request_consent(request: Mapping[str, Any]) -> list[Any]:
    ctx = request.get("context")
    consent = ctx.get("consent") if isinstance(ctx, Mapping) else None
    return list(consent) if isinstance(consent, list) else []


def _purpose_of(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping) and isinstance(item.get("purpose"), str):
        return str(item["purpose"])
    return None


def screen(
    request: Mapping[str, Any], store: Store | None = None
) -> tuple[Mapping[str, Any], list[str]]:
    """``request`` without the withdrawn purposes in its consent, and warnings naming the
    datasets and models behind it that hold subjects who withdrew consent."""
    store = store or shared_store()
    subjects, purposes = withdrawn(store)
    if not subjects and not purposes:
        return request, []
    notes: list[str] = []
    consent = _request_consent(request)
    kept = [c for c in consent if _purpose_of(c) not in purposes]
    if len(kept) != len(consent):
        gone = sorted({p for c in consent if (p := _purpose_of(c)) in purposes})
        notes.append(f"{CONSENT_WITHDRAWN}: purpose {', '.join(gone)} withdrawn")
        ctx = dict(request.get("context") or {})
        ctx["consent"] = kept
        request = {**request, "context": ctx}
    resource = request.get("resource")
    name = str(resource.get("id", "")) if isinstance(resource, Mapping) else ""
    if subjects and name:
        from dataward.lineage.graph import upstream
        from dataward.retention.holds import artifact_name

        held = _datasets_of(subjects, store, derived_too=False)
        name = artifact_name(name)
        behind = {name} | {n.name for n in upstream(store, name)}
        hit = sorted(behind & held)
        if hit:
            what = "model trained on" if request.get("action") == "infer" else "data from"
            notes.append(
                f"{CONSENT_WITHDRAWN}: {what} {len(hit)} dataset(s) holding subjects who "
                f"withdrew consent ({', '.join(hit)})"
            )
    return request, notes


def withdraw(
    identifier: str | None = None,
    *,
    entity: str | None = None,
    purpose: str | None = None,
    config: SubjectConfig | None = None,
    store: Store | None = None,
) -> ConsentResult:
    """Record that a subject (``identifier``, hashed) or a ``purpose`` withdrew consent."""
    from dataward.audit import record
    from dataward.audit.events import ConsentEvent
    from dataward.subjects.index import subject_of

    if identifier is None and not purpose:
        raise SubjectError("withdraw consent of a subject (an identifier) or for a purpose")
    store = store or shared_store()
    subject_hash = subject_of(identifier, entity, config).hash if identifier else None
    with store.begin() as conn:
        conn.execute(
            t.consent.insert().values(
                subject_hash=subject_hash, purpose=purpose or None, withdrawn_at=_now()
            )
        )
    tokens, approvals = _invalidated(subject_hash, purpose, store)
    record(
        ConsentEvent(
            action="withdrawn",
            subject_hash=subject_hash,
            purpose=purpose or None,
            invalidated_tokens=tokens,
            invalidated_approvals=approvals,
        )
    )
    return ConsentResult("withdrawn", subject_hash, purpose or None, tokens, approvals)


def give(
    identifier: str | None = None,
    *,
    entity: str | None = None,
    purpose: str | None = None,
    config: SubjectConfig | None = None,
    store: Store | None = None,
) -> ConsentResult:
    """Consent given again: the withdrawal stops applying (tokens are not revived)."""
    from dataward.audit import record
    from dataward.audit.events import ConsentEvent
    from dataward.subjects.index import subject_of

    store = store or shared_store()
    subject_hash = subject_of(identifier, entity, config).hash if identifier else None
    q = t.consent.update().where(t.consent.c.given_at.is_(None))
    q = q.where(
        t.consent.c.subject_hash == subject_hash
        if subject_hash
        else t.consent.c.purpose == (purpose or "")
    )
    with store.begin() as conn:
        conn.execute(q.values(given_at=_now()))
    record(ConsentEvent(action="given", subject_hash=subject_hash, purpose=purpose or None))
    return ConsentResult("given", subject_hash, purpose or None, 0, 0)


def _invalidated(subject_hash: str | None, purpose: str | None, store: Store) -> tuple[int, int]:
    """Go tokens (unexpired, from logged allowed training decisions) that relied on the purpose
    or on a dataset holding the subject; approvals for the purpose, which are revoked."""
    from dataward.policy.records import list_approvals, logged_decisions, revoke_approval

    now = datetime.now(UTC)
    datasets = _datasets_of({subject_hash}, store) if subject_hash else set()
    tokens = 0
    for logged in logged_decisions(store):
        ctx = logged.request.get("context") or {}
        if not ctx.get("job_id") or not str(logged.effect).startswith("allow"):
            continue
        expires = logged.result.get("expires_at")
        if isinstance(expires, str) and expires and expires < now.isoformat():
            continue
        resource = logged.request.get("resource") or {}
        relied = purpose is not None and (
            ctx.get("purpose") == purpose
            or purpose in {_purpose_of(c) for c in ctx.get("consent") or []}
        )
        if relied or (datasets and str(resource.get("id", "")) in datasets):
            tokens += 1
    approvals = 0
    if purpose:
        for approval in list_approvals(store):
            if approval.scope.get("purpose") == purpose and approval.active(now):
                approvals += int(revoke_approval(store, approval.id))
    return tokens, approvals
