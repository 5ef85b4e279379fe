"""One access event for every source, shaped as OCSF class 6005 (Datastore Activity).

Each parser (:mod:`dataward.monitor.parsers`) turns what a system writes (a Snowflake
``ACCOUNT_USAGE`` export, a CloudTrail file, a pgaudit csvlog…) into :class:`AccessEvent`, so the
detector learns and judges one shape. An event never keeps the query text: the parsers read the
objects and columns out of it (``sqlglot``) and keep only a digest of it, so a literal such as
``WHERE ssn = '...'`` can reach neither the state, nor an alert, nor a log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Action = Literal["read", "write", "login", "other"]
PrincipalKind = Literal["human", "service", "unknown"]

OCSF_CLASS_UID = 6005
"""OCSF Datastore Activity."""
OCSF_CATEGORY_UID = 6
"""OCSF Application Activity."""
_ACTIVITY = {"read": 2, "write": 3, "login": 99, "other": 99}
_ACTIVITY_NAME = {2: "read", 3: "write"}


def query_digest(query: str) -> str:
    """A short digest of a query text: it tells repeated queries apart without keeping them."""
    return hashlib.sha256(query.encode("utf-8", "replace")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class AccessEvent:
    """Who touched what, when, from where: never a value, never the query text."""

    time: datetime
    """When the access started (UTC)."""
    source: str
    """The parser it came from (``snowflake``, ``cloudtrail``…)."""
    event_id: str
    """The source's own id (Snowflake ``QUERY_ID``, CloudTrail ``eventID``…)."""
    principal: str
    role: str | None = None
    """The role or group it acted in: the peer group of the baselines."""
    principal_kind: PrincipalKind = "unknown"
    client: str | None = None
    """The client application (driver, console, user agent)."""
    ip: str | None = None
    action: Action = "read"
    objects: tuple[str, ...] = ()
    """Tables, buckets or prefixes, upper-cased fully qualified names where the source has them."""
    columns: tuple[str, ...] = ()
    """``OBJECT.COLUMN`` names."""
    rows: int | None = None
    bytes: int | None = None
    query_sha: str | None = None
    session: str | None = None
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Sensitivity tags the source itself attached (object or ``OBJECT.COLUMN`` → tags)."""

    def to_ocsf(self) -> dict[str, Any]:
        """The event as OCSF 6005 JSON (columns, rows and tags under ``unmapped.dataward``)."""
        activity = _ACTIVITY[self.action]
        user: dict[str, Any] = {"name": self.principal}
        if self.principal_kind != "unknown":
            user["type"] = "System" if self.principal_kind == "service" else "User"
        actor: dict[str, Any] = {"user": user}
        if self.session:
            actor["session"] = {"uid": self.session}
        if self.role:
            user["groups"] = [{"name": self.role}]
        out: dict[str, Any] = {
            "class_uid": OCSF_CLASS_UID,
            "category_uid": OCSF_CATEGORY_UID,
            "activity_id": activity,
            "type_uid": OCSF_CLASS_UID * 100 + activity,
            "time": int(self.time.timestamp() * 1000),
            "severity_id": 1,
            "metadata": {
                "uid": self.event_id,
                "product": {"name": self.source, "vendor_name": "dataward"},
                "version": "1.1.0",
            },
            "actor": actor,
            "unmapped": {
                "dataward": {
                    "objects": list(self.objects),
                    "columns": list(self.columns),
                    "rows": self.rows,
                    "bytes": self.bytes,
                    "action": self.action,
                    "tags": {k: list(v) for k, v in self.tags.items()},
                }
            },
        }
        if activity in _ACTIVITY_NAME:
            out["activity_name"] = _ACTIVITY_NAME[activity].capitalize()
        endpoint: dict[str, Any] = {}
        if self.ip:
            endpoint["ip"] = self.ip
        if self.client:
            endpoint["name"] = self.client
        if endpoint:
            out["src_endpoint"] = endpoint
        if self.objects:
            out["table"] = {"name": self.objects[0]}
        if self.query_sha:
            out["query_info"] = {"uid": self.query_sha}
        return out


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive time is taken as UTC, as the sources write them)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
