"""Audit events: one vocabulary of kinds, one typed event per kind, and the document each
becomes in the log.

Emitters build a typed event (:class:`ScanEvent`, :class:`DecisionEvent`, …) and hand it to
``dataward.audit.record`` (or the runtime's ``emit``); :func:`envelope` turns it into the
:class:`AuditEvent` the log appends, with the actor from
:func:`~dataward.audit.actors.current_actor`.
Readers turn a logged payload back with :func:`parse` (or :meth:`LoggedEvent.event`). Kinds come
from :class:`EventKind` only; kind names older logs hold (``policy.decision``…) map to their
new names when read (:func:`canonical_kind`), while the stored bytes, and so every proof, stay
as they were written.

>>> event = ScanEvent(scan_id=3, datasets=[], changes={"new": 1}, removed=0, errors=0)
>>> event.payload()
{'scan_id': 3, 'datasets': [], 'changes': {'new': 1}, 'removed': 0, 'errors': 0}
>>> parse("scan", event.payload()) == event
True
>>> canonical_kind("policy.decision")
'decision'

An event that concerns a data subject (``subject_id`` set) keeps its payload and the subject's
id sealed (AES-256-GCM under that subject's key, see :mod:`dataward.audit.subjects`); only a
random reference to the subject's key stays in clear. The Merkle leaf is over the document with
the ciphertext, so destroying the key erases the details and leaves every proof valid.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import (
    Any,
    ClassVar,
    Literal,
    Self,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from dataward.audit.actors import acting_caller, current_actor
from dataward.errors import AuditError

FORMAT_VERSION = 1
_KIND = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")


class EventKind(StrEnum):
    """The kinds Dataward records: the only place their names are spelt. Other kinds are
    allowed in :class:`AuditEvent` (lowercase, ``[a-z0-9_.-]``) for third parties."""

    SCAN = "scan"
    """A dataset or file was scanned and classified."""
    PROTECT = "protect"
    """Data was transformed by protection operators."""
    REVEAL = "reveal"
    """Protected values were revealed (detokenized, decrypted)."""
    DECISION = "decision"
    """A policy decision (effect, obligations, reasons)."""
    APPROVAL = "approval"
    """An approval was granted or revoked."""
    POLICY_CHANGE = "policy_change"
    """A policy revision was seen for the first time."""
    ACCESS = "access"
    """Someone read data or the log."""
    ERASURE = "erasure"
    """A data subject's details were erased from the log (their key destroyed)."""
    RETENTION = "retention"
    """A retention rule deleted or archived an artifact, or a deletion was refused."""
    KEYRING_RETIRE = "keyring_retire"
    """A key ring was given up: what it protected can no longer be revealed."""
    LINEAGE = "lineage"
    """A run (scan, protect, decision, training job, an OpenLineage producer) read and wrote
    datasets."""
    SUBJECT_ERASURE = "subject_erasure"
    """A person's records were erased from datasets, features and models (a deletion
    certificate)."""
    CONSENT = "consent"
    """A subject's consent or a purpose was withdrawn or given."""
    ALERT = "alert"
    """Access monitoring raised, acknowledged, suppressed or contained an alert."""
    RETRIEVAL = "retrieval"
    """Governed retrieval returned chunks to a caller."""
    GATEWAY = "gateway"
    """The LLM gateway checked a prompt or a completion."""


LEGACY_KINDS: Mapping[str, EventKind] = types.MappingProxyType(
    {
        "policy.decision": EventKind.DECISION,
        "policy.approval": EventKind.APPROVAL,
        "policy.revision": EventKind.POLICY_CHANGE,
        "keyring.retire": EventKind.KEYRING_RETIRE,
    }
)
"""Kind names older logs hold, and the kind each is now; their payloads are unchanged."""


def canonical_kind(kind: str) -> str:
    """The current name of a stored kind (old names map to the vocabulary; others unchanged)."""
    return LEGACY_KINDS.get(kind, kind)


def utc_text(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: ``2026-01-02T03:04:05.000006Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> datetime:
    return datetime.now(UTC)


# --- typed events ----------------------------------------------------------------------------


def _key(f: Any) -> str:
    """A field's key in the payload (``metadata={"key": ...}`` where the name is a keyword)."""
    return str(f.metadata.get("key", f.name))


def _type_name(tp: Any) -> str:
    return tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")


def _conforms(value: Any, tp: Any) -> bool:
    """Whether ``value`` (JSON-like) is of the annotation ``tp``."""
    if tp is Any:
        return True
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return any(_conforms(value, arg) for arg in get_args(tp))
    if origin is Literal:
        return any(type(value) is type(arg) and value == arg for arg in get_args(tp))
    if origin is list:
        (item,) = get_args(tp)
        return isinstance(value, list) and all(_conforms(v, item) for v in value)
    if origin is dict:
        _, item = get_args(tp)
        return isinstance(value, dict) and all(
            isinstance(k, str) and _conforms(v, item) for k, v in value.items()
        )
    if tp is type(None):
        return value is None
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, tp)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """What happened, typed; one subclass per :class:`EventKind`.

    ``principal`` is whom the actor acted for (the service files a decision under the calling
    API key and names the request's principal here); it is set by :func:`envelope`."""

    kind: ClassVar[EventKind]
    _hints: ClassVar[Mapping[str, Any]]

    principal: str | None = None

    def __init_subclass__(cls) -> None:
        cls._hints = types.MappingProxyType(get_type_hints(cls))

    def __post_init__(self) -> None:
        for f in fields(self):
            hint = self._hints[f.name]
            if not _conforms(getattr(self, f.name), hint):
                raise AuditError(
                    f"{self.kind} event: field {_key(f)!r} must be {_type_name(hint)}",
                    field=_key(f),
                )

    def payload(self) -> dict[str, Any]:
        """The canonical payload: every field by its key, optional fields only when set."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.default is None:
                continue
            out[_key(f)] = value
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The event a logged payload describes; an unknown or missing field is an error."""
        by_key = {_key(f): f.name for f in fields(cls)}
        unknown = [k for k in payload if k not in by_key]
        if unknown:
            name = unknown[0]
            shown = repr(name) if isinstance(name, str) and _NAME.fullmatch(name) else "a field"
            raise AuditError(
                f"{cls.kind} event: unknown field {shown}; its fields are {sorted(by_key)}",
                kind=str(cls.kind),
            )
        missing = [
            k
            for k, name in by_key.items()
            if k not in payload and _required(cls, name)  # a default covers the rest
        ]
        if missing:
            raise AuditError(f"{cls.kind} event: missing field {missing[0]!r}", kind=str(cls.kind))
        return cls(**{by_key[k]: v for k, v in payload.items()})


def _required(cls: type[Event], name: str) -> bool:
    f = next(f for f in fields(cls) if f.name == name)
    return f.default is MISSING and f.default_factory is MISSING


Id = str
Counts = dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanEvent(Event):
    """A recorded scan: what was scanned and how it was tagged (never a value)."""

    kind = EventKind.SCAN

    scan_id: int
    datasets: list[dict[str, Any]]
    """One per scanned file: ``{"path", "rows", "tags"}`` (tags are names like ``PII``)."""
    changes: Counts
    """Files by change (``new``, ``changed``, ``unchanged``…)."""
    removed: int
    errors: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtectEvent(Event):
    """A protect run: a file (``input``…``verified_rows``), texts over the service (``texts``,
    ``rules``), and under a decision its evidence (``decision_id``…``output_sha256``)."""

    kind = EventKind.PROTECT

    input: str | None = None
    """The input file's name (not its path)."""
    output: str | None = None
    rows_in: int | None = None
    rows_out: int | None = None
    columns: dict[str, str | None] | None = None
    """Column (a name holding a value is protected) to operator."""
    findings: Counts | None = None
    """Entity type to count, in text fields."""
    verify: str | None = None
    verified_rows: int | None = None
    texts: int | None = None
    rules: Literal["request", "default"] | None = None
    decision_id: Id | None = None
    obligations: list[dict[str, Any]] | None = None
    """Per obligation of the decision: what met it, with counts (see ``policy.evidence.met``)."""
    input_sha256: str | None = None
    output_sha256: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RevealEvent(Event):
    """Protected values were revealed: keyed hashes of the protected values, never originals."""

    kind = EventKind.REVEAL

    operator: str
    mode: Literal["value", "file"]
    values: int
    hashes: list[str]
    input: str | None = None
    columns: list[str] | None = None
    failed: int | None = None
    rows: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionEvent(Event):
    """A decision, as an OPA decision-log entry."""

    kind = EventKind.DECISION

    decision_id: Id
    path: str
    input: dict[str, Any]
    result: dict[str, Any]
    bundles: dict[str, Any]
    labels: dict[str, str]
    timestamp: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalEvent(Event):
    """An approval as it stands after a grant (``revoked_at`` unset) or a revocation."""

    kind = EventKind.APPROVAL

    id: Id
    approver: str
    granted_by: str
    scope: dict[str, str]
    note: str
    created_at: str | None
    expires_at: str | None
    revoked_at: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyChangeEvent(Event):
    """A policy revision seen for the first time, and the packs and files it came from."""

    kind = EventKind.POLICY_CHANGE

    revision: str
    sources: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessEvent(Event):
    """Someone read data or the log (``decrypted``: people's ids were shown)."""

    kind = EventKind.ACCESS

    what: str
    decrypted: bool | None = None
    start: int | None = field(default=None, metadata={"key": "from"})
    count: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureEvent(Event):
    """A subject's key was destroyed: ``events`` of the log became unreadable."""

    kind = EventKind.ERASURE

    subject_ref: str
    events: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionEvent(Event):
    """A retention rule's action on one artifact; a refusal names its reason (a legal hold,
    a serving model that still depends on it)."""

    kind = EventKind.RETENTION

    artifact: str
    artifact_type: str
    """``dataset``, ``features``, ``model``, ``prompt_log``, ``decision_log``, ``audit``…"""
    action: Literal["delete", "archive", "refused"]
    rule: str | None = None
    reason: str | None = None
    holds: list[str] | None = None
    """The legal matters holding the artifact."""
    certificate_sha256: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyringRetireEvent(Event):
    """A key ring was forgotten in ``locations`` places."""

    kind = EventKind.KEYRING_RETIRE

    fingerprint: str
    locations: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LineageEvent(Event):
    """An OpenLineage run event, by dataset and column names only."""

    kind = EventKind.LINEAGE

    run_id: Id
    job: str
    event_type: Literal["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]
    inputs: list[str]
    outputs: list[str]
    masked_columns: list[str] | None = None
    """Output columns a protect operator masked, tokenized, encrypted or generalized."""
    producer: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubjectErasureEvent(Event):
    """A person's records erased: a keyed hash of their identifier, never the identifier."""

    kind = EventKind.SUBJECT_ERASURE

    subject_hash: str
    steps: int
    rows: int
    verified: bool
    blocked: list[dict[str, str]] = field(default_factory=list)
    """``{"dataset", "reason"}`` for each part the plan could not erase (a legal hold…)."""
    certificate_sha256: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentEvent(Event):
    """Consent withdrawn or given, by a subject (keyed hash) or for a purpose."""

    kind = EventKind.CONSENT

    action: Literal["withdrawn", "given"]
    subject_hash: str | None = None
    purpose: str | None = None
    invalidated_tokens: int = 0
    invalidated_approvals: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertEvent(Event):
    """An access alert and what was done with it (never a column value or query literal)."""

    kind = EventKind.ALERT

    alert_id: Id
    action: Literal["raised", "acknowledged", "suppressed", "contained"]
    severity: Literal["low", "medium", "high"] | None = None
    score: float | None = None
    alert_kind: str | None = None
    accessor: str | None = None
    """The principal whose access deviated."""
    event_ids: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    reason: str | None = None
    """Why it was acknowledged or suppressed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetrievalEvent(Event):
    """A governed retrieval: which chunks were returned, under which decision."""

    kind = EventKind.RETRIEVAL

    query_sha256: str
    store: str
    chunk_ids: list[str]
    decision: str
    purpose: str | None = None
    refused: int = 0
    """Chunks the store returned that the check after retrieval removed."""
    redacted: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayEvent(Event):
    """A prompt or completion through the LLM gateway: hashes and findings, never text."""

    kind = EventKind.GATEWAY

    stage: Literal["prompt", "completion"]
    conversation: Id
    sha256: str
    action: Literal["pass", "pseudonymize", "block"]
    findings: Counts = field(default_factory=dict)
    model: str | None = None
    retention: str | None = None
    """The ISO 8601 duration the retention rules keep the exchange for."""


EVENT_TYPES: Mapping[str, type[Event]] = types.MappingProxyType(
    {
        cls.kind.value: cls
        for cls in (
            ScanEvent,
            ProtectEvent,
            RevealEvent,
            DecisionEvent,
            ApprovalEvent,
            PolicyChangeEvent,
            AccessEvent,
            ErasureEvent,
            RetentionEvent,
            KeyringRetireEvent,
            LineageEvent,
            SubjectErasureEvent,
            ConsentEvent,
            AlertEvent,
            RetrievalEvent,
            GatewayEvent,
        )
    }
)
"""The typed event of each kind."""


def parse(kind: str, payload: Mapping[str, Any]) -> Event:
    """The typed event of a logged ``kind`` (old names too) and ``payload``."""
    cls = EVENT_TYPES.get(canonical_kind(kind))
    if cls is None:
        raise AuditError(f"no typed event for kind {kind!r}", kind=kind)
    return cls.from_payload(payload)


def envelope(
    event: Event,
    *,
    actor: str | None = None,
    subject_id: str | None = None,
    time: datetime | None = None,
) -> AuditEvent:
    """The :class:`AuditEvent` the log appends for ``event``.

    The actor is :func:`~dataward.audit.actors.current_actor` unless ``actor`` names one;
    inside an :func:`~dataward.audit.actors.acting` block the block's caller is the actor and
    an ``actor`` named here becomes the event's ``principal``."""
    who = actor or current_actor()
    caller = acting_caller()
    if caller is not None and caller != who:
        event, who = replace(event, principal=who), caller
    return AuditEvent(event.kind.value, who, event.payload(), subject_id, time or _now())


# --- the log's envelope ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something that happened, by whom, when, as the log appends it; ``payload`` is JSON-like
    data. Dataward's own emitters build it with :func:`envelope`.

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

    ``kind`` is the current name of the stored kind (:func:`canonical_kind`); ``stored_kind``
    is set when the log holds an older name, which is what the event's leaf hash is over.
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
    stored_kind: str | None = None

    def __post_init__(self) -> None:
        current = canonical_kind(self.kind)
        if current != self.kind:
            object.__setattr__(self, "stored_kind", self.kind)
            object.__setattr__(self, "kind", current)

    def event(self) -> Event:
        """The typed event (its payload must be readable: not sealed, not erased)."""
        if self.payload is None:
            raise AuditError(f"event {self.index}: its payload is {self.personal}")
        return parse(self.kind, self.payload)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "leaf_hash": self.leaf_hash.hex(),
            "kind": self.kind,
            "actor": self.actor,
            "time": self.time,
            "payload": dict(self.payload) if self.payload is not None else None,
        }
        if self.stored_kind is not None:
            out["stored_kind"] = self.stored_kind
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
