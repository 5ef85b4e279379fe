"""The tamper-evident audit log: an RFC 6962 Merkle tree of canonical JSON events in the store,
signed C2SP checkpoints, inclusion and consistency proofs that verify offline, and per-subject
encryption so erasing a person's details keeps every proof valid.

>>> from dataward.audit import AuditEvent, open_audit_log
>>> log = open_audit_log()
>>> receipt = log.append(AuditEvent("decision", "svc:trainer", {"effect": "allow"}))
>>> log.verify().events >= 1
True

Other subsystems call :func:`record` with a typed event (:mod:`dataward.audit.events`)::

    record(DecisionEvent(...), actor="svc:gateway")
"""

from __future__ import annotations

from pathlib import Path

from dataward import scope
from dataward.audit.actors import acting, acting_caller, current_actor
from dataward.audit.checkpoint import Checkpoint
from dataward.audit.events import AuditEvent, Event, EventKind, LoggedEvent, envelope
from dataward.audit.log import AuditLog, Erasure, Receipt, StoredCheckpoint
from dataward.audit.receipt import ReceiptCheck, make_receipt, verify_receipt
from dataward.audit.verify import VerifyReport, verify
from dataward.audit.witness import (
    WITNESS_FILE,
    FileWitness,
    HttpWitness,
    StoreWitness,
    Witness,
    external_witness,
)
from dataward.keys.signing import AUDIT, Signer, Verifier, load_signer
from dataward.settings import get_settings
from dataward.store import Store, open_store, shared_store

__all__ = [
    "AuditEvent",
    "AuditLog",
    "Checkpoint",
    "Erasure",
    "Event",
    "EventKind",
    "FileWitness",
    "HttpWitness",
    "LoggedEvent",
    "Receipt",
    "ReceiptCheck",
    "Signer",
    "StoreWitness",
    "StoredCheckpoint",
    "Verifier",
    "VerifyReport",
    "Witness",
    "acting",
    "acting_caller",
    "close_default_logs",
    "current_actor",
    "default_log",
    "default_signer",
    "default_witnesses",
    "make_receipt",
    "open_audit_log",
    "record",
    "verify",
    "verify_receipt",
]


def default_signer() -> Signer:
    """The deployment's signing key: the ``audit.signing_key`` setting, else
    ``DATAWARD_HOME/audit_signing.key``, created on first use."""
    settings = get_settings()
    return load_signer(settings.audit.signing_key or Path(settings.home) / AUDIT.file, AUDIT)


def default_witnesses() -> list[Witness]:
    """The witness file in ``DATAWARD_HOME``, and the ``audit.witness_url`` one if set."""
    settings = get_settings()
    witnesses: list[Witness] = [FileWitness(Path(settings.home) / WITNESS_FILE)]
    if settings.audit.witness_url:
        witnesses.append(external_witness(settings.audit.witness_url))
    return witnesses


def open_audit_log(store: Store | None = None, *, signer: Signer | None = None) -> AuditLog:
    """The audit log in ``store`` (default: :func:`dataward.store.open_store`), signed with
    ``signer`` (default: :func:`default_signer`), checkpointed every ``audit.checkpoint_every``
    events and witnessed by :func:`default_witnesses`."""
    return AuditLog(
        store or open_store(),
        signer or default_signer(),
        checkpoint_every=get_settings().audit.checkpoint_every,
        witnesses=default_witnesses(),
    )


def record(event: Event, *, actor: str | None = None, subject_id: str | None = None) -> Receipt:
    """Append one typed event to the audit log of the runtime in use: its store (shared with
    the decisions and the catalog) and the key of its settings. The actor is
    :func:`current_actor` unless ``actor`` names one (see :func:`~dataward.audit.events.envelope`).

    Pass ``subject_id`` when the event concerns a data subject: the payload is then sealed
    under that subject's key and can be erased with :meth:`AuditLog.erase`."""
    return default_log().append(envelope(event, actor=actor, subject_id=subject_id))


def default_log() -> AuditLog:
    """The audit log of the runtime in use (:mod:`dataward.scope`): in its shared store, signed
    with the key its settings name; made once per store and key."""
    settings = get_settings()
    store = shared_store()
    key = f"audit.log:{id(store)}|{Path(settings.home).resolve()}|{settings.audit.signing_key}"
    return scope.current().get(key, lambda: open_audit_log(store))


def close_default_logs() -> None:
    """Forget the audit logs of the runtime in use (their store stays open, shared)."""
    scope.current().discard("audit.log:")
