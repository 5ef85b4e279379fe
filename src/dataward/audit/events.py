"""Audit events: what is recorded, and the canonical document each becomes in the log.

An event that concerns a data subject (``subject_id`` set) keeps its payload and the subject's
id sealed (AES-256-GCM under that subject's key, see :mod:`dataward.audit.subjects`); only a
random reference to the subject's key stays in clear. The Merkle leaf is over the document with
the ciphertext, so destroying the key erases the details and leaves every proof valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from dataward.errors import AuditError

FORMAT_VERSION = 1
_KIND = re.compile(r"[a-z][a-z0-9_.-]{0,63}")


class EventKind(StrEnum):
    """Kinds Dataward itself records; other kinds are allowed (lowercase, ``[a-z0-9_.-]``)."""

    DECISION = "decision"
    """A policy decision (effect, obligations, reasons)."""
    SCAN = "scan"
    """A dataset or file was scanned and classified."""
    PROTECT = "protect"
    """Data was transformed by protection operators."""
    REVEAL = "reveal"
    """Protected values were revealed (detokenized, decrypted)."""
    APPROVAL = "approval"
    """An approval was granted, refused or expired."""
    POLICY_CHANGE = "policy_change"
    """Policies were added, changed or promoted (shadow → enforce)."""
    ACCESS = "access"
    """Someone read data or the log."""
    ERASURE = "erasure"
    """A data subject's details were erased from the log (their key destroyed)."""
    RETENTION = "retention"
    """Data was deleted by a retention rule."""


def utc_text(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: ``2026-01-02T03:04:05.000006Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something that happened, by whom, when; ``payload`` is JSON-like data.

    >>> AuditEvent("decision", "svc:trainer", {"effect": "deny"}).kind
    'decision'
    """

    kind: str
    actor: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    subject_id: str | None = None
    """The data subject the event concerns; its payload is then sealed under their key."""
    time: datetime = field(default_factory=_now)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not _KIND.fullmatch(self.kind):
            raise AuditError(
                "audit event kind must be lowercase letters, digits, '_', '.', '-' "
                "(at most 64), e.g. 'decision'"
            )
        if not isinstance(self.actor, str) or not 0 < len(self.actor) <= 256:
            raise AuditError("audit event actor must be a non-empty string of at most 256")
        if not isinstance(self.payload, Mapping):
            raise AuditError("audit event payload must be a mapping")
        if self.subject_id is not None and (
            not isinstance(self.subject_id, str) or not self.subject_id
        ):
            raise AuditError("audit event subject_id must be a non-empty string")
        if self.time.tzinfo is None:
            raise AuditError("audit event time must be timezone-aware (use datetime.now(UTC))")


Personal = Literal["none", "sealed", "readable", "erased"]


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as read back from the log.

    ``personal`` says what became of the subject's details: ``none`` (the event concerns no
    subject), ``sealed`` (encrypted, not asked to decrypt), ``readable`` (decrypted), or
    ``erased`` (the subject's key was destroyed).
    """

    index: int
    leaf_hash: bytes
    kind: str
    actor: str
    time: str
    payload: Mapping[str, Any] | None
    subject_ref: str | None = None
    subject_id: str | None = None
    personal: Personal = "none"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "leaf_hash": self.leaf_hash.hex(),
            "kind": self.kind,
            "actor": self.actor,
            "time": self.time,
            "payload": dict(self.payload) if self.payload is not None else None,
        }
        if self.subject_ref is not None:
            out["subject_ref"] = self.subject_ref
            out["personal"] = self.personal
            if self.subject_id is not None:
                out["subject_id"] = self.subject_id
        return out


def header(index: int, event: AuditEvent) -> dict[str, Any]:
    """The clear part of an event's canonical document."""
    return {
        "v": FORMAT_VERSION,
        "index": index,
        "kind": event.kind,
        "actor": event.actor,
        "time": utc_text(event.time),
    }


def check_document(doc: Any) -> dict[str, Any]:
    """Raise :class:`AuditError` unless ``doc`` has the shape of a stored event document."""
    if not isinstance(doc, dict) or doc.get("v") != FORMAT_VERSION:
        raise AuditError("not an audit event document (format v1)")
    for key, kind in (("index", int), ("kind", str), ("actor", str), ("time", str)):
        if not isinstance(doc.get(key), kind):
            raise AuditError(f"audit event document lacks {key!r}")
    subject = doc.get("subject")
    if subject is not None and not (
        isinstance(subject, dict)
        and isinstance(subject.get("ref"), str)
        and isinstance(subject.get("sealed"), str)
    ):
        raise AuditError("audit event document has a malformed 'subject'")
    return doc
