"""Per-subject keys: sealing personal details so erasure is key destruction.

Each data subject gets a random 256-bit key and a random reference (``ref``). The key is
stored wrapped (AES-256-GCM under a key-encryption key derived from the log's signing key);
the subject's id is stored only as an HMAC (``lookup``), so the table never holds it in clear.
Events carry the ``ref`` and ``base64(nonce || AES-GCM(key, {"subject_id", "payload"}))`` with
the event's index and ``ref`` as associated data (a sealed blob cannot be moved to another
event). :meth:`SubjectKeys.erase` deletes the wrapped key and the lookup: the ciphertexts stay
(the leaves are over them) but nobody can read them, and the ``ref`` no longer leads to the id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Connection

from dataward.audit import tables as t
from dataward.audit.canonical import canonical
from dataward.audit.events import utc_text
from dataward.errors import AuditError
from dataward.keys.signing import Signer


def _aad(ref: str, index: int) -> bytes:
    return f"dataward.audit.v1:{ref}:{index}".encode()


class SubjectKeys:
    """Creates, finds, uses and destroys subject keys (inside the caller's transaction)."""

    def __init__(self, signer: Signer) -> None:
        self._kek = AESGCM(signer.derive("dataward audit subject key wrapping v1"))
        self._lookup_key = signer.derive("dataward audit subject lookup v1")

    def lookup(self, subject_id: str) -> bytes:
        return hmac.new(self._lookup_key, subject_id.encode(), hashlib.sha256).digest()

    def key_for(self, conn: Connection, subject_id: str) -> tuple[str, bytes]:
        """The subject's ``(ref, key)``, created if they have none (or theirs was erased)."""
        lookup = self.lookup(subject_id)
        row = conn.execute(
            sa.select(t.subject_keys.c.ref, t.subject_keys.c.wrapped_key).where(
                t.subject_keys.c.lookup == lookup
            )
        ).first()
        if row is not None and row.wrapped_key is not None:
            return row.ref, self.unwrap(row.ref, row.wrapped_key)
        ref, key = uuid.uuid4().hex, AESGCM.generate_key(bit_length=256)
        conn.execute(
            t.subject_keys.insert().values(
                ref=ref,
                lookup=lookup,
                wrapped_key=self._wrap(ref, key),
                created_at=utc_text(datetime.now(UTC)),
            )
        )
        return ref, key

    def key_by_ref(self, conn: Connection, ref: str) -> bytes | None:
        wrapped = conn.execute(
            sa.select(t.subject_keys.c.wrapped_key).where(t.subject_keys.c.ref == ref)
        ).scalar()
        return self.unwrap(ref, wrapped) if wrapped is not None else None

    def erase(self, conn: Connection, subject_id: str) -> str | None:
        """Destroy the subject's key; returns its ref, or ``None`` if they have no key."""
        lookup = self.lookup(subject_id)
        ref = conn.execute(
            sa.select(t.subject_keys.c.ref).where(t.subject_keys.c.lookup == lookup)
        ).scalar()
        if ref is None:
            return None
        conn.execute(
            t.subject_keys.update()
            .where(t.subject_keys.c.ref == ref)
            .values(lookup=None, wrapped_key=None, erased_at=utc_text(datetime.now(UTC)))
        )
        return str(ref)

    def _wrap(self, ref: str, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._kek.encrypt(nonce, key, ref.encode())

    def unwrap(self, ref: str, wrapped: bytes) -> bytes:
        try:
            return self._kek.decrypt(wrapped[:12], wrapped[12:], ref.encode())
        except (InvalidTag, ValueError):
            raise AuditError(
                f"subject key {ref} cannot be unwrapped: the signing key is not the one that "
                "wrapped it, or the key row was altered",
                ref=ref,
            ) from None


def seal(key: bytes, ref: str, index: int, subject_id: str, payload: Any) -> str:
    nonce = os.urandom(12)
    plain = canonical({"subject_id": subject_id, "payload": payload})
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plain, _aad(ref, index))).decode()


def unseal(key: bytes, ref: str, index: int, sealed: str) -> tuple[str, dict[str, Any]]:
    """The ``(subject_id, payload)`` sealed in an event."""
    import json

    try:
        blob = base64.b64decode(sealed, validate=True)
        plain = AESGCM(key).decrypt(blob[:12], blob[12:], _aad(ref, index))
    except (binascii.Error, InvalidTag, ValueError):
        raise AuditError(
            f"event {index}: sealed details do not decrypt (altered or moved)", index=index
        ) from None
    doc = json.loads(plain)
    return doc["subject_id"], doc["payload"]
