"""Signed checkpoints: C2SP signed notes over the tree head, and the Ed25519 key that signs them.

A checkpoint is the note text (origin, tree size, base64 root hash, each on its own line)
followed by a blank line and one signature line per signer::

    dataward.local/audit/3f2a…
    12
    nN3y…=

    — dataward.local/audit/3f2a… q1yB…

The signature line is ``U+2014 U+0020 <key name> U+0020 base64(key id || signature)`` where the
key id is the first four bytes of ``SHA-256(key name || "\\n" || 0x01 || public key)``. A
verifier key is written ``<name>+<hex key id>+base64(0x01 || public key)``.

The private key lives in ``DATAWARD_HOME/audit_signing.key`` (PKCS#8 PEM, mode 0600), created
on first use; it never appears in output. :meth:`Signer.verifier_key` is what you publish.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dataward.errors import AuditError

KEY_FILE = "audit_signing.key"
ED25519 = b"\x01"
_DASH = "\u2014 "


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True, slots=True)
class Verifier:
    """A public key that checks signed notes (no secret material)."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        """The C2SP verifier key string ``name+keyid+base64(0x01 || key)``."""
        b64 = base64.b64encode(ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{b64}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        try:
            name, hex_id, b64 = text.strip().split("+", 2)  # names hold no "+"; base64 may
            raw = base64.b64decode(b64, validate=True)
        except (ValueError, binascii.Error):
            raise AuditError("malformed verifier key: expected name+keyid+base64") from None
        if len(raw) != 33 or raw[:1] != ED25519:
            raise AuditError("verifier key is not an Ed25519 key")
        verifier = cls(name, raw[1:])
        if verifier.key_id.hex() != hex_id.lower():
            raise AuditError("verifier key id does not match its name and key")
        return verifier

    def verify(self, text: str, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text.encode())
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """An Ed25519 key that signs checkpoints. ``repr`` never shows the key."""

    __slots__ = ("_key", "public_key")

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def __repr__(self) -> str:
        return f"Signer(public_key={self.public_key.hex()[:16]}…)"

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> Signer:
        """Load the key at ``path``, creating it (mode 0600, atomically) if it is absent."""
        if not path.exists():
            _create_key_file(path)
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError, OSError) as exc:
            raise AuditError(
                f"cannot read the audit signing key {path}: {type(exc).__name__}", path=str(path)
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise AuditError(f"{path} is not an Ed25519 private key", path=str(path))
        return cls(key)

    def verifier(self, name: str) -> Verifier:
        return Verifier(name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def derive(self, purpose: str) -> bytes:
        """A 32-byte secret for ``purpose``, derived from this key with HKDF-SHA256."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        seed = self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
        return hkdf.derive(seed)

    def sign_note(self, name: str, text: str) -> str:
        """A signed note: ``text`` (ending in a newline), a blank line, one signature line."""
        if not text.endswith("\n"):
            raise ValueError("note text must end with a newline")
        sig = base64.b64encode(key_id(name, self.public_key) + self.sign(text.encode())).decode()
        return f"{text}\n{_DASH}{name} {sig}\n"


def _create_key_file(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    from dataward.store.home import ensure_home

    ensure_home(path.parent)  # the home: 0700
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        # link, not rename: never replace a key another process created meanwhile
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --- checkpoints ----------------------------------------------------------------------------


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
        if not line.startswith(_DASH):
            raise AuditError("malformed signed note: a signature line must start with '— '")
        name, _, b64 = line[len(_DASH) :].rpartition(" ")
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
