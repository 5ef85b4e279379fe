"""Ed25519 signing keys: one loader for every key that signs, each with its purpose.

A deployment holds one signing key per :class:`SigningPurpose`:

- :data:`AUDIT` (``DATAWARD_HOME/audit_signing.key``, or the ``audit.signing_key`` setting)
  signs audit checkpoints and protect receipts, and derives the audit log's subject keys;
- :data:`GO_TOKEN` (``DATAWARD_HOME/policy_signing.key``) signs go tokens.

A key file is PKCS#8 PEM, created on first use with mode 0600 in a 0700 folder (a temp file
linked into place, so two processes racing to create it end up with one key). A key file that
cannot be read is an error of the purpose's kind (:class:`~dataward.errors.AuditError`,
:class:`~dataward.errors.TokenError`), never a new key. The private key never appears in
``repr`` or output.

Public keys are published as C2SP verifier keys (:class:`Verifier`): the key id is the first
four bytes of ``SHA-256(key name || "\\n" || 0x01 || public key)`` and a verifier key is written
``<name>+<hex key id>+base64(0x01 || public key)``. A signature line of a C2SP signed note is
``U+2014 U+0020 <key name> U+0020 base64(key id || signature)``.

>>> signer = Signer.generate()
>>> signer.verifier("example.org/log").verify("hi\\n", signer.sign(b"hi\\n"))
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dataward.errors import AuditError, DatawardError, TokenError
from dataward.keys.files import create_exclusively

ED25519 = b"\x01"
"""The C2SP signature type byte of Ed25519."""
SIGNATURE_LINE = "\u2014 "
"""How a signature line of a C2SP signed note starts."""


@dataclass(frozen=True, slots=True)
class SigningPurpose:
    """What a signing key is for: its file in the home, its name in messages, its error."""

    name: str
    file: str
    label: str
    error: type[DatawardError]


AUDIT = SigningPurpose("audit", "audit_signing.key", "audit signing key", AuditError)
GO_TOKEN = SigningPurpose("go-token", "policy_signing.key", "go-token signing key", TokenError)


def key_id(name: str, public_key: bytes) -> bytes:
    """The C2SP key id of ``public_key`` under the key name ``name``."""
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
        return verify(self.public_key, text.encode(), signature)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is a valid Ed25519 signature of ``message`` by ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


class Signer:
    """An Ed25519 private key. ``repr`` never shows the key."""

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
    def load_or_create(cls, path: Path, purpose: SigningPurpose = AUDIT) -> Signer:
        """The key at ``path``, created (mode 0600, atomically) if it is absent; a file that is
        not an Ed25519 key raises the purpose's error."""
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            create_exclusively(path, pem)  # another process won the race: its key is loaded
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError, OSError) as exc:
            raise purpose.error(
                f"cannot read the {purpose.label} {path}: {type(exc).__name__}", path=str(path)
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise purpose.error(f"{path} is not an Ed25519 private key", path=str(path))
        return cls(key)

    def verifier(self, name: str) -> Verifier:
        return Verifier(name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def derive(self, purpose: str) -> bytes:
        """A 32-byte secret for ``purpose``, derived from this key with HKDF-SHA256."""
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
        return f"{text}\n{SIGNATURE_LINE}{name} {sig}\n"


_cache: dict[Path, tuple[tuple[int, int, int], Signer]] = {}
_cache_lock = threading.Lock()


def load_signer(path: Path, purpose: SigningPurpose) -> Signer:
    """The signing key at ``path`` (created on first use), parsed once per key file: read again
    when the file is replaced (another inode, size or modification time)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return Signer.load_or_create(path, purpose)
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    signer = Signer.load_or_create(path, purpose)
    with _cache_lock:
        _cache[path] = (stamp, signer)
    return signer
