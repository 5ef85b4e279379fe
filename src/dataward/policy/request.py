"""Requests: validation at the boundary, validity windows resolved, Cedar request and entities.

A request is ``{"principal": {"type", "id", "groups"}, "action", "resource": {"type", "id",
"tags", "version", "parent"}, "context": {...}}``. Context keys (all optional): ``purpose``,
``environment`` (default ``prod``), ``transforms``, ``lawful_basis`` (names, or
``{"basis", "valid_from", "valid_until"}``), ``consent`` (purposes, or ``{"purpose", "granted_at",
"expires_at", "withdrawn_at"}``), ``attestations``, ``risk_level``, ``job_id``, ``time`` (ISO 8601;
default now). Windows are resolved here: only what is valid at ``time`` reaches the policies, and
the earliest end of a window in use becomes the decision's ``expires_at``.

Every tag and category a request names must be known (an entity type, a taxonomy category, a
dataset tag or a string the active policies use): a typo (``PHII``) is an error with the closest
names, never a tag that matches no policy. A ``Dataset`` or ``Column`` resource (a column through
its parent dataset) must be classified: the resolver (the catalog) knows it exactly, or the
request declares a sensitive tag for it; otherwise :attr:`Prepared.classification` says why not
and the engine answers ``deny`` (see ``policy.unclassified``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from dataward.errors import PolicyError

PRINCIPAL_TYPES = ("User", "ServiceAccount")
RESOURCE_TYPES = ("Dataset", "Column", "Model", "Job")
ACTIONS = (
    "train",
    "fine_tune",
    "evaluate",
    "infer",
    "retrieve",
    "embed",
    "export",
    "read_features",
    "share",
)
CONTEXT_KEYS = (
    "purpose",
    "environment",
    "transforms",
    "lawful_basis",
    "consent",
    "attestations",
    "risk_level",
    "job_id",
    "time",
)

ClassificationStatus = Literal["classified", "not_classified", "needs_scan"]
NOT_CLASSIFIED: ClassificationStatus = "not_classified"
NEEDS_SCAN: ClassificationStatus = "needs_scan"


class UnknownTagError(PolicyError):
    """A request names a tag or category that no taxonomy entry, category or dataset tag has
    (a usage error: exit code 2 in the CLI, 400 in the service)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Classification:
    """What is known about a resource's sensitivity, and from where."""

    status: ClassificationStatus
    tags: tuple[str, ...] = ()
    source: str = "catalog"
    """``catalog`` (a scan), ``request`` (tags the caller declared) or ``resolver``."""
    detail: str = ""
    """One sentence for people; never a data value."""
    dataset_id: int | None = None
    path: str | None = None
    sampled: bool | None = None
    rows: int | None = None
    scanned_rows: int | None = None

    @property
    def classified(self) -> bool:
        return self.status == "classified"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "source": self.source,
            "tags": list(self.tags),
        }
        for key in ("detail", "dataset_id", "path", "sampled", "rows", "scanned_rows"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        return out


TagResolver = Callable[[str], "list[str] | Classification"]
"""Resource id -> its classification; a plain list of tags means classified with those tags
(an empty list: not classified)."""


@dataclass(frozen=True, slots=True)
class Approval:
    """An approval in force: who approved in which role, until when."""

    id: str
    approver: str
    granted_by: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request ready for Cedar, with what the decision needs to know about it."""

    request: dict[str, Any]
    """The caller's request, validated, with resolver tags merged (logged and replayed)."""
    cedar: dict[str, Any]
    entities: list[dict[str, Any]]
    now: datetime
    expires_at: datetime | None
    consent: frozenset[str]
    approvals: tuple[Approval, ...]
    classification: Classification | None = None
    """For a dataset (or a column's dataset); ``None`` for models and jobs."""

    def with_lifts(self, transforms: Iterable[str], approvals: Iterable[str]) -> dict[str, Any]:
        """The Cedar request with extra transforms and approver roles in the context."""
        ctx = dict(self.cedar["context"])
        ctx["transforms"] = sorted(set(ctx["transforms"]) | set(transforms))
        ctx["approvals"] = sorted(set(ctx["approvals"]) | set(approvals))
        return {**self.cedar, "context": ctx}


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8: the form that is hashed and logged."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode()).hexdigest()


def parse_time(value: object, where: str) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            raise PolicyError(f"{where}: {value!r} is not an ISO 8601 time", field=where) from None
    else:
        raise PolicyError(f"{where}: expected an ISO 8601 time", field=where)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


@lru_cache(maxsize=1)
def _entity_categories() -> dict[str, tuple[str, ...]]:
    from dataward.taxonomy import taxonomy
    from dataward.taxonomy.vocabulary import CATEGORIES

    out = {t.name: t.categories for t in taxonomy()}
    out.update({c: (c,) for c in CATEGORIES})
    return out


def check_tags(tags: Iterable[str], where: str, extra: Iterable[str] = ()) -> None:
    """Raise :class:`UnknownTagError` for the first tag that is no taxonomy name, category,
    dataset tag or ``extra`` name (the string literals of the active policies: your own
    policies may use tags of your own), with the closest known names."""
    from dataward.taxonomy import did_you_mean, known_tags

    known = known_tags() | frozenset(extra)
    for tag in tags:
        if tag not in known:
            raise UnknownTagError(
                f"{where}: unknown tag {tag!r}.{did_you_mean(tag, known)} Tags are entity types, "
                "categories or dataset tags (`dataward entities` lists them)",
                field=where,
            )


def _resolve(resolver: TagResolver | None, rid: str) -> Classification:
    if resolver is None:
        return Classification(
            NOT_CLASSIFIED, source="resolver", detail="no catalog was consulted for this dataset"
        )
    got = resolver(rid)
    if isinstance(got, Classification):
        return got
    if got:
        return Classification("classified", tuple(got), source="resolver")
    return Classification(
        NOT_CLASSIFIED, source="resolver", detail="the tag resolver knows no tags for it"
    )


_SENSITIVE = frozenset(
    {"PII", "PHI", "PCI", "SECRET", "CREDENTIAL", "GOVERNMENT_ID", "FINANCIAL", "SPECIAL_CATEGORY"}
)


def _is_sensitive_tag(tag: str) -> bool:
    """A dataset tag other than ``PUBLIC``, or a tag of a sensitive category (``US_SSN``)."""
    if tag in ("PII_HIGH", "CONFIDENTIAL"):
        return True
    return bool(categories_of([tag]) & _SENSITIVE)


def classify_resource(
    resolver: TagResolver | None, rid: str, declared: Iterable[str]
) -> Classification:
    """The classification of dataset ``rid``: the resolver's when it knows the dataset; else the
    request's declared tags when one of them is sensitive (a dataset tag other than ``PUBLIC``,
    or a type or category of personal, health, card, secret or financial data: only a scan may
    call a dataset public, and a label of your own says nothing about sensitivity); else not
    classified."""
    found = _resolve(resolver, rid)
    if found.classified:
        return found
    sensitive = sorted(t for t in set(declared) if _is_sensitive_tag(t))
    if sensitive:
        return Classification(
            "classified",
            tuple(sensitive),
            source="request",
            detail="tags declared in the request (the catalog does not know the dataset)",
        )
    return found


def categories_of(tags: Iterable[str]) -> set[str]:
    """Taxonomy categories of tags that are entity types or categories (``PII_HIGH`` → PII)."""
    known = _entity_categories()
    out: set[str] = set()
    for tag in tags:
        if tag in known:
            out.update(known[tag])
        else:
            head = tag.split("_", 1)[0]
            if head in known and known[head] == (head,):
                out.add(head)
    return out


def _strings(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise PolicyError(f"{where}: expected a list of strings", field=where)


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where}: expected an object", field=where)
    return value


def _name(value: object, where: str, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise PolicyError(f"{where}: {value!r} is not one of {', '.join(allowed)}", field=where)
    return value


def _id(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{where}: expected a non-empty string id", field=where)
    return value


class _Windows:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.ends: list[datetime] = []

    def active(self, item: Mapping[str, Any], start_key: str, end_key: str, where: str) -> bool:
        start = item.get(start_key)
        end = item.get(end_key)
        withdrawn = item.get("withdrawn_at")
        if start is not None and parse_time(start, f"{where}.{start_key}") > self.now:
            return False
        if withdrawn is not None and parse_time(withdrawn, f"{where}.withdrawn_at") <= self.now:
            return False
        if end is not None:
            until = parse_time(end, f"{where}.{end_key}")
            if until <= self.now:
                return False
            self.ends.append(until)
        return True


def prepare(
    raw: Mapping[str, Any],
    *,
    approvals: Sequence[Approval] = (),
    tag_resolver: TagResolver | None = None,
    now: datetime | None = None,
    policy_tags: Iterable[str] = (),
) -> Prepared:
    """Validate ``raw`` and build the Cedar request and entities; errors name the field."""
    raw = _obj(raw, "request")
    unknown = set(raw) - {"principal", "action", "resource", "context"}
    if unknown:
        raise PolicyError(f"request: unknown keys {sorted(unknown)}", field="request")
    principal = _obj(raw.get("principal"), "principal")
    ptype = _name(principal.get("type", "User"), "principal.type", PRINCIPAL_TYPES)
    pid = _id(principal.get("id"), "principal.id")
    groups = sorted(set(_strings(principal.get("groups"), "principal.groups")))
    roles = sorted(set(_strings(principal.get("roles"), "principal.roles")))
    action = _name(raw.get("action"), "action", ACTIONS)
    resource = _obj(raw.get("resource"), "resource")
    rtype = _name(resource.get("type", "Dataset"), "resource.type", RESOURCE_TYPES)
    rid = _id(resource.get("id"), "resource.id")
    declared = set(_strings(resource.get("tags"), "resource.tags"))
    declared_categories = set(_strings(resource.get("categories"), "resource.categories"))
    policy_tags = frozenset(policy_tags)
    check_tags(sorted(declared), "resource.tags", policy_tags)
    check_tags(sorted(declared_categories), "resource.categories", policy_tags)
    tags = set(declared)
    classification: Classification | None = None
    parent = resource.get("parent")
    if rtype in ("Dataset", "Column"):
        # a column is classified with its dataset (its parent); one without a parent by its id
        subject = _id(parent, "resource.parent") if rtype == "Column" and parent else rid
        classification = classify_resource(tag_resolver, subject, declared | declared_categories)
        tags.update(classification.tags)
    elif tag_resolver is not None:
        got = tag_resolver(rid)
        tags.update(got.tags if isinstance(got, Classification) else got)
    categories = categories_of(tags) | declared_categories
    version = resource.get("version", "")
    if not isinstance(version, str):
        raise PolicyError("resource.version: expected a string", field="resource.version")
    ctx_in = _obj(raw.get("context", {}), "context")
    unknown = set(ctx_in) - set(CONTEXT_KEYS)
    if "approvals" in unknown:
        raise PolicyError(
            "context.approvals: approvals come from the store (`dataward policy approve`), "
            "not from the request",
            field="context.approvals",
        )
    if unknown:
        raise PolicyError(
            f"context: unknown keys {sorted(unknown)} (known: {', '.join(CONTEXT_KEYS)})",
            field="context",
        )
    when = (
        parse_time(ctx_in["time"], "context.time")
        if ctx_in.get("time") is not None
        else (now or datetime.now(UTC))
    )
    windows = _Windows(when)
    purpose = ctx_in.get("purpose", "")
    environment = ctx_in.get("environment", "prod")
    risk = ctx_in.get("risk_level", "unspecified")
    job_id = ctx_in.get("job_id", "")
    for key, val in (("purpose", purpose), ("environment", environment), ("risk_level", risk)):
        if not isinstance(val, str):
            raise PolicyError(f"context.{key}: expected a string", field=f"context.{key}")
    if not isinstance(job_id, str):
        raise PolicyError("context.job_id: expected a string", field="context.job_id")

    bases: set[str] = set()
    for i, item in enumerate(_list(ctx_in.get("lawful_basis"), "context.lawful_basis")):
        where = f"context.lawful_basis[{i}]"
        if isinstance(item, str):
            bases.add(item)
        else:
            item = _obj(item, where)
            if windows.active(item, "valid_from", "valid_until", where):
                bases.add(_id(item.get("basis"), f"{where}.basis"))
    consent: set[str] = set()
    for i, item in enumerate(_list(ctx_in.get("consent"), "context.consent")):
        where = f"context.consent[{i}]"
        if isinstance(item, str):
            consent.add(item)
        else:
            item = _obj(item, where)
            if windows.active(item, "granted_at", "expires_at", where):
                consent.add(_id(item.get("purpose"), f"{where}.purpose"))
    active = [a for a in approvals if a.expires_at is None or a.expires_at > when]
    windows.ends.extend(a.expires_at for a in active if a.expires_at is not None)

    context = {
        "purpose": purpose,
        "environment": environment,
        "transforms": sorted(set(_strings(ctx_in.get("transforms"), "context.transforms"))),
        "approvals": sorted({a.approver for a in active}),
        "lawful_basis": sorted(bases),
        "consent": sorted(consent),
        "attestations": sorted(set(_strings(ctx_in.get("attestations"), "context.attestations"))),
        "risk_level": risk,
        "now": int(when.timestamp()),
        "job_id": job_id,
    }
    p_uid = {"type": ptype, "id": pid}
    r_uid = {"type": rtype, "id": rid}
    entities: list[dict[str, Any]] = [
        {
            "uid": p_uid,
            "attrs": {"roles": roles},
            "parents": [{"type": "Group", "id": g} for g in groups],
        },
        *({"uid": {"type": "Group", "id": g}, "attrs": {}, "parents": []} for g in groups),
    ]
    r_attrs = {"tags": sorted(tags), "categories": sorted(categories), "version": version}
    r_parents: list[dict[str, str]] = []
    if rtype == "Column" and parent is not None:
        parent_id = _id(parent, "resource.parent")
        r_parents.append({"type": "Dataset", "id": parent_id})
        entities.append(
            {
                "uid": {"type": "Dataset", "id": parent_id},
                "attrs": {"tags": [], "categories": [], "version": version},
                "parents": [],
            }
        )
    entities.append({"uid": r_uid, "attrs": r_attrs, "parents": r_parents})
    cedar = {
        "principal": p_uid,
        "action": {"type": "Action", "id": action},
        "resource": r_uid,
        "context": context,
    }
    logged = dict(raw)
    if tag_resolver is not None:
        logged["resource"] = {**resource, "tags": sorted(tags)}
    if "time" not in ctx_in:
        logged["context"] = {**ctx_in, "time": iso(when)}
    return Prepared(
        request=logged,
        cedar=cedar,
        entities=entities,
        now=when,
        expires_at=min(windows.ends) if windows.ends else None,
        consent=frozenset(consent),
        approvals=tuple(active),
        classification=classification,
    )


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | Mapping):
        return [value]
    if isinstance(value, list):
        return value
    raise PolicyError(f"{where}: expected a list", field=where)
