"""What was approved: the policy decisions in the store, read as grants the monitor checks.

A training decision names a principal, a resource (a ``Dataset``, or a ``Column`` with its
``parent`` dataset), a purpose, when it was made and when it expires (``expires_at``: the
earliest end of the lawful bases, consents and approvals it relied on). An ``allow`` or
``allow_with_obligations`` decision grants its principal that dataset (or only those columns)
from its time to its expiry; a ``deny`` is kept too, so a read it refused is called so.

The checks are deterministic and explained: a governed principal (one with a decision, or any
service account) reading a governed dataset (one a decision names) outside what its decisions
grant is an alert with the decision ids as evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dataward.monitor.event import AccessEvent
from dataward.store import Store

ALLOWING = frozenset({"allow", "allow_with_obligations"})


@dataclass(frozen=True, slots=True)
class Grant:
    """One decision about one principal and one dataset."""

    decision_id: str
    principal: str
    dataset: str
    columns: frozenset[str] | None
    """Approved columns (upper-case names), ``None``: the whole dataset."""
    purpose: str | None
    start: float
    expires: float | None
    allowed: bool
    withdrawn: float | None = None
    """When consent for the decision's purpose was withdrawn (and not given again)."""


@dataclass(frozen=True, slots=True)
class Violation:
    """A read outside the decisions: the signal name, a sentence, the decision ids."""

    name: str
    text: str
    decisions: tuple[str, ...]
    objects: tuple[str, ...]
    columns: tuple[str, ...] = ()


def _ts(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def withdrawn_purposes(store: Store) -> dict[str, float]:
    """Purposes whose consent is withdrawn now (``dataward subject`` consent), and since when."""
    import sqlalchemy as sa

    from dataward.subjects.tables import consent

    out: dict[str, float] = {}
    query = sa.select(consent.c.purpose, consent.c.withdrawn_at).where(
        consent.c.given_at.is_(None), consent.c.purpose.is_not(None)
    )
    with store.begin() as conn:
        for purpose, when in conn.execute(query):
            ts = _ts(when)
            if purpose and ts is not None:
                out[purpose] = min(ts, out.get(purpose, ts))
    return out


def load_grants(store: Store) -> list[Grant]:
    """Every training-time decision of the store as grants (oldest first), with the time its
    purpose's consent was withdrawn, if it was."""
    from dataward.policy.records import logged_decisions

    withdrawn = withdrawn_purposes(store)
    grants: list[Grant] = []
    for logged in logged_decisions(store):
        request = logged.request
        principal = request.get("principal") or {}
        resource = request.get("resource") or {}
        context = request.get("context") or {}
        pid = principal.get("id") if isinstance(principal, dict) else None
        rid = resource.get("id") if isinstance(resource, dict) else None
        if not pid or not rid:
            continue
        if resource.get("type") == "Column":
            dataset = str(resource.get("parent") or "")
            columns: frozenset[str] | None = frozenset({str(rid).upper()})
        elif resource.get("type") == "Dataset":
            dataset, columns = str(rid), None
        else:
            continue
        if not dataset:
            continue
        start = _ts(context.get("time")) or logged.created_at.timestamp()
        grants.append(
            Grant(
                decision_id=logged.decision_id,
                principal=str(pid).upper(),
                dataset=dataset.upper(),
                columns=columns,
                purpose=context.get("purpose"),
                start=start,
                expires=_ts(logged.result.get("expires_at")),
                allowed=logged.effect in ALLOWING,
                withdrawn=withdrawn.get(str(context.get("purpose") or "")),
            )
        )
    return grants


def covers(obj: str, dataset: str) -> bool:
    """Whether the object a source names is the decision's dataset: the same name, the same
    table in a longer qualified name (``DB.SCH.PATIENTS`` for ``PATIENTS``), or a key under an
    S3 prefix (``S3://B/TRAIN/X`` for ``S3://B/TRAIN``)."""
    if obj == dataset or obj.endswith("." + dataset) or dataset.endswith("." + obj):
        return True
    if dataset.startswith("S3://"):
        return obj.startswith(dataset.rstrip("/") + "/")
    # A path or file name: its stem is the table (``data/patients.parquet`` → ``PATIENTS``).
    stem = dataset.rsplit("/", 1)[-1].split(".", 1)[0]
    return bool(stem) and stem != dataset and (obj == stem or obj.endswith("." + stem))


class Approvals:
    """Grants by principal and the datasets they govern, for fast checks per event."""

    def __init__(self, grants: Iterable[Grant]) -> None:
        self.by_principal: dict[str, list[Grant]] = {}
        self.datasets: set[str] = set()
        for grant in grants:
            self.by_principal.setdefault(grant.principal, []).append(grant)
            self.datasets.add(grant.dataset)
        self._governed: dict[str, bool] = {}

    def governed(self, obj: str) -> bool:
        found = self._governed.get(obj)
        if found is None:
            found = self._governed[obj] = any(covers(obj, d) for d in self.datasets)
        return found

    def check(self, event: AccessEvent) -> list[Violation]:
        """What ``event`` did outside the decisions (nothing for ungoverned reads)."""
        if event.action not in ("read", "write") or not self.datasets:
            return []
        principal = event.principal.upper()
        grants = self.by_principal.get(principal)
        governed = [o for o in event.objects if self.governed(o)]
        if grants is None:
            if governed and event.principal_kind == "service":
                return [
                    Violation(
                        "unapproved_principal",
                        f"no decision names {event.principal} for {', '.join(governed[:3])}",
                        (),
                        tuple(governed),
                    )
                ]
            return []
        now = event.time.timestamp()
        out: list[Violation] = []
        for obj in event.objects:
            mine = [g for g in grants if covers(obj, g.dataset)]
            if not mine:
                out.append(
                    Violation(
                        "outside_approval",
                        f"{obj} is not in any decision for {event.principal}",
                        tuple(g.decision_id for g in grants[-3:]),
                        (obj,),
                    )
                )
                continue
            allowed = [g for g in mine if g.allowed]
            ids = tuple(g.decision_id for g in mine[-3:])
            if not allowed:
                out.append(
                    Violation("denied", f"{obj} was denied to {event.principal}", ids, (obj,))
                )
                continue
            if all(now < g.start for g in allowed):
                out.append(
                    Violation("before_window", f"{obj} read before its approval", ids, (obj,))
                )
                continue
            live = [g for g in allowed if g.start <= now and (g.expires is None or now < g.expires)]
            if not live:
                out.append(
                    Violation(
                        "approval_expired", f"{obj} read after its approval expired", ids, (obj,)
                    )
                )
                continue
            consented = [g for g in live if g.withdrawn is None or now < g.withdrawn]
            if not consented:
                purposes = ", ".join(sorted({str(g.purpose) for g in live}))
                out.append(
                    Violation(
                        "consent_withdrawn",
                        f"{obj} read after consent for {purposes} was withdrawn",
                        tuple(g.decision_id for g in live[-3:]),
                        (obj,),
                    )
                )
                continue
            live = consented
            if any(g.columns is None for g in live):
                continue
            approved = frozenset().union(*(g.columns or frozenset() for g in live))
            prefix = obj + "."
            extra = tuple(
                c
                for c in event.columns
                if (c.startswith(prefix) or c.startswith("?."))
                and c.rpartition(".")[2] not in approved
            )
            if extra:
                names = ", ".join(c.rpartition(".")[2] for c in extra[:5])
                out.append(
                    Violation(
                        "columns_outside_approval",
                        f"columns {names} of {obj} are outside the approved list",
                        tuple(g.decision_id for g in live[-3:]),
                        (obj,),
                        extra,
                    )
                )
        return out
