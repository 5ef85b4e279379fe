"""Signed certificates of what was deleted (a subject's rows, an expired artifact).

A certificate is a JSON document in canonical form (sorted keys, no spaces), signed with the
deployment's audit key (Ed25519, :func:`dataward.audit.default_signer`), kept in the store and
named in the audit log by its SHA-256 (the ``certificate_sha256`` of a ``subject_erasure`` or
``retention`` event). :func:`verify_certificate` checks all three: the signature, the stored
copy, and an audit event naming it in a log that verifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from dataward.audit.canonical import canonical
from dataward.errors import AuditError
from dataward.store import Store, shared_store
from dataward.subjects import tables as t
from dataward.subjects.hashing import SubjectError


@dataclass(frozen=True, slots=True)
class Certificate:
    """A signed document and its digest."""

    document: dict[str, Any]
    signature: str
    """Base64 Ed25519 signature over the canonical document."""
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "signature": self.signature, "sha256": self.sha256}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


def sign_certificate(
    document: dict[str, Any], *, subject_hash: str = "", store: Store | None = None
) -> Certificate:
    """Sign ``document`` with the audit key and keep it in the store."""
    from dataward.audit import default_signer

    body = canonical(document)
    signature = base64.b64encode(default_signer().sign(body)).decode()
    digest = hashlib.sha256(body).hexdigest()
    store = store or shared_store()
    with store.begin() as conn:
        conn.execute(
            t.certificates.insert().values(
                sha256=digest,
                subject_hash=subject_hash,
                document=body.decode(),
                signature=signature,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
    return Certificate(document, signature, digest)


def load_certificate(sha256: str, store: Store | None = None) -> Certificate:
    store = store or shared_store()
    with store.begin() as conn:
        row = conn.execute(
            sa.select(t.certificates).where(t.certificates.c.sha256 == sha256)
        ).first()
    if row is None:
        raise SubjectError(f"no certificate {sha256[:16]}… in the store", sha256=sha256)
    return Certificate(json.loads(row.document), row.signature, row.sha256)


def verify_certificate(cert: Certificate, *, store: Store | None = None) -> list[str]:
    """Problems with ``cert`` (empty: it verifies): its signature under the audit key, its
    digest, and a ``subject_erasure`` or ``retention`` event naming it in an audit log whose
    chain and checkpoints verify."""
    from dataward.audit import default_log, default_signer
    from dataward.keys.signing import verify

    problems: list[str] = []
    body = canonical(cert.document)
    if hashlib.sha256(body).hexdigest() != cert.sha256:
        problems.append("the document does not hash to the certificate's sha256")
    try:
        signature = base64.b64decode(cert.signature, validate=True)
    except ValueError:
        signature = b""
    if not verify(default_signer().public_key, body, signature):
        problems.append("the signature does not verify under the audit key")
    log = default_log()
    try:
        log.verify()
    except AuditError as exc:
        problems.append(f"the audit log does not verify: {exc}")
    named = False
    for logged in log.events():
        payload = logged.payload
        if logged.kind in ("subject_erasure", "retention") and payload is not None:
            named = payload.get("certificate_sha256") == cert.sha256
            if named:
                break
    if not named:
        problems.append("no audit event names this certificate")
    return problems
