"""Signed checkpoints: C2SP signed notes over the tree head.

A checkpoint is the note text (origin, tree size, base64 root hash, each on its own line)
followed by a blank line and one signature line per signer::

    dataward.local/audit/3f2a…
    12
    nN3y…=

    — dataward.local/audit/3f2a… q1yB…

The signature line, the key id and the verifier key string are those of
:mod:`dataward.keys.signing`, which holds the signing key (the :data:`~dataward.keys.signing.AUDIT`
purpose); :meth:`~dataward.keys.signing.Verifier.encode` is what you publish.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from dataward.errors import AuditError
from dataward.keys.signing import SIGNATURE_LINE, Verifier


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: the log's origin, its size and its root hash."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


@dataclass(frozen=True, slots=True)
class SignedNote:
    text: str
    signatures: tuple[tuple[str, bytes, bytes], ...]
    """(key name, key id, signature) per signature line."""


def parse_note(note: str) -> SignedNote:
    text, sep, sigs = note.partition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise AuditError("malformed signed note: no blank line before the signatures")
    signatures = []
    for line in sigs[:-1].split("\n"):
        if not line.startswith(SIGNATURE_LINE):
            raise AuditError("malformed signed note: a signature line must start with '— '")
        name, _, b64 = line[len(SIGNATURE_LINE) :].rpartition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise AuditError("malformed signed note: signature is not base64") from None
        if len(raw) < 5 or not name:
            raise AuditError("malformed signed note: signature line too short")
        signatures.append((name, raw[:4], raw[4:]))
    return SignedNote(text + "\n", tuple(signatures))


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise AuditError("malformed checkpoint: expected origin, size and root hash lines")
    origin, size_text, root_b64 = lines[0], lines[1], lines[2]
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
        raise AuditError("malformed checkpoint: bad origin or tree size line")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except binascii.Error:
        raise AuditError("malformed checkpoint: root hash is not base64") from None
    if len(root) != 32:
        raise AuditError("malformed checkpoint: root hash is not 32 bytes")
    return Checkpoint(origin, int(size_text), root)


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """Check ``note`` carries a valid signature by ``verifier`` and return its tree head.

    Raises :class:`AuditError` saying what is wrong: malformed, no signature by this key, or a
    signature that does not verify."""
    parsed = parse_note(note)
    ours = [s for s in parsed.signatures if s[0] == verifier.name and s[1] == verifier.key_id]
    if not ours:
        names = ", ".join(f"{n} ({k.hex()})" for n, k, _ in parsed.signatures)
        raise AuditError(
            f"checkpoint is not signed by {verifier.name} ({verifier.key_id.hex()}); "
            f"signed by: {names or 'nobody'}"
        )
    if not any(verifier.verify(parsed.text, sig) for _, _, sig in ours):
        raise AuditError(f"checkpoint signature by {verifier.key_id.hex()} does not verify")
    checkpoint = parse_checkpoint(parsed.text)
    if checkpoint.origin != verifier.name:
        raise AuditError(
            f"checkpoint origin {checkpoint.origin!r} is not the key's log {verifier.name!r}"
        )
    return checkpoint
