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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dataward.errors import PolicyError
from dataward.policy.classification import (
    Classification,
    TagResolver,
    categories_of,
    check_tags,
    classify_resource,
)

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
    content = set(_strings(resource.get("content_classes"), "resource.content_classes"))
    classification: Classification | None = None
    parent = resource.get("parent")
    if rtype in ("Dataset", "Column"):
        # a column is classified with its dataset (its parent); one without a parent by its id
        subject = _id(parent, "resource.parent") if rtype == "Column" and parent else rid
        classification = classify_resource(tag_resolver, subject, declared | declared_categories)
        tags.update(classification.tags)
        content.update(classification.content_classes)
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
    r_attrs = {
        "tags": sorted(tags),
        "categories": sorted(categories),
        "version": version,
        "content_classes": sorted(content),
    }
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
