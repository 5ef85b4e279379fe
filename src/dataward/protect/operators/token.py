"""``token``: deterministic, reversible tokens (AES-SIV, RFC 5297) carrying their key version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from dataward.errors import ConfigError, RevealError
from dataward.protect._codec import ENCODERS, ENCODINGS, Encoding, decode
from dataward.protect.base import KeyedOperator, operators

SIV_KEY_BYTES = 64  # AES-256-SIV


@operators.register("token")
@dataclass(frozen=True, slots=True, kw_only=True)
class TokenOperator(KeyedOperator):
    """``tok_<version>_<ciphertext>``: same key and value → same token; reversible with the key.

    AES-SIV is deterministic authenticated encryption: equal inputs give equal tokens (joins
    work) and a token cannot be altered or reversed without the key. The key version in the
    token lets tokens made before a rotation still be reversed.

    >>> from dataward.keys import KeyRing
    >>> op = TokenOperator(keyring=KeyRing.from_secret(b"k" * 32))
    >>> token = op.apply("ada@example.org")
    >>> token.startswith("tok_1_"), op.reverse(token)
    (True, 'ada@example.org')
    """

    name = "token"
    purpose = "token"
    reversible = True

    prefix: str = "tok"
    encoding: Encoding = "base64url"
    _sivs: dict[int, AESSIV] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.prefix or not self.prefix.isalnum():
            raise ConfigError("token: prefix must be letters and digits")
        if self.encoding not in ENCODINGS:
            raise ConfigError(f"token: encoding must be one of {', '.join(ENCODINGS)}")

    def _siv(self, version: int) -> AESSIV:
        siv = self._sivs.get(version)
        if siv is None:
            siv = self._sivs[version] = AESSIV(self.key(SIV_KEY_BYTES, version))
        return siv

    def apply(self, value: str, entity: str | None = None) -> str:
        return self.apply_many([value])[0]  # type: ignore[return-value]

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        version = self.version()
        encrypt = self._siv(version).encrypt
        encode = ENCODERS[self.encoding]
        head = f"{self.prefix}_{version}_"
        return [head + encode(encrypt(v.encode(), None)) for v in values]

    def reverse(self, token: str) -> str:
        """The original value; a wrong key, context or a non-token raises RevealError."""
        head = self.prefix + "_"
        version_text, _, body = token[len(head) :].partition("_")
        if not token.startswith(head) or not version_text.isdigit() or not body:
            raise RevealError(f"not a {self.prefix!r} token", operator=self.name)
        version = int(version_text)
        if version not in self.ring():
            raise RevealError(
                f"token key version {version} is not in the key ring", version=version
            )
        try:
            return self._siv(version).decrypt(decode(body, self.encoding), None).decode()
        except (InvalidTag, ValueError):
            raise RevealError(
                "token could not be reversed: wrong key or context, or a damaged token",
                operator=self.name,
                version=version,
            ) from None
