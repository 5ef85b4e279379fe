"""``encrypt``: randomized authenticated encryption (AES-256-GCM), reversible with the key."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dataward.errors import ConfigError, RevealError
from dataward.protect._codec import ENCODERS, ENCODINGS, Encoding, decode
from dataward.protect.base import KeyedOperator, operators

NONCE_BYTES = 12


@operators.register("encrypt")
@dataclass(frozen=True, slots=True, kw_only=True)
class EncryptOperator(KeyedOperator):
    """``enc_<version>_<nonce+ciphertext>``: a fresh nonce each time, so equal values give
    different outputs (nothing to join or count on); reversible with the key.

    >>> from dataward.keys import KeyRing
    >>> op = EncryptOperator(keyring=KeyRing.from_secret(b"k" * 32))
    >>> a, b = op.apply("ada@example.org"), op.apply("ada@example.org")
    >>> a != b, op.reverse(a)
    (True, 'ada@example.org')
    """

    name = "encrypt"
    purpose = "encrypt"
    reversible = True
    deterministic = False

    prefix: str = "enc"
    encoding: Encoding = "base64url"
    _aeads: dict[int, AESGCM] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.prefix or not self.prefix.isalnum():
            raise ConfigError("encrypt: prefix must be letters and digits")
        if self.encoding not in ENCODINGS:
            raise ConfigError(f"encrypt: encoding must be one of {', '.join(ENCODINGS)}")

    def _aead(self, version: int) -> AESGCM:
        aead = self._aeads.get(version)
        if aead is None:
            aead = self._aeads[version] = AESGCM(self.key(32, version))
        return aead

    def apply(self, value: str, entity: str | None = None) -> str:
        return self.apply_many([value])[0]  # type: ignore[return-value]

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        version = self.version()
        encrypt = self._aead(version).encrypt
        encode = ENCODERS[self.encoding]
        head = f"{self.prefix}_{version}_"
        urandom = os.urandom
        out: list[str | None] = []
        for v in values:
            nonce = urandom(NONCE_BYTES)
            out.append(head + encode(nonce + encrypt(nonce, v.encode(), None)))
        return out

    def reverse(self, text: str) -> str:
        """The original value; a wrong key or context, or damaged text, raises RevealError."""
        head = self.prefix + "_"
        version_text, _, body = text[len(head) :].partition("_")
        if not text.startswith(head) or not version_text.isdigit() or not body:
            raise RevealError(f"not an {self.prefix!r} ciphertext", operator=self.name)
        version = int(version_text)
        if version not in self.ring():
            raise RevealError(
                f"ciphertext key version {version} is not in the key ring", version=version
            )
        try:
            raw = decode(body, self.encoding)
            nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
            return self._aead(version).decrypt(nonce, sealed, None).decode()
        except (InvalidTag, ValueError):
            raise RevealError(
                "ciphertext could not be decrypted: wrong key or context, or damaged text",
                operator=self.name,
                version=version,
            ) from None
