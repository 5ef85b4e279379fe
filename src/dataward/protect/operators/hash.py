"""``hash``: a keyed hash (HMAC-SHA256 or keyed BLAKE2b); never an unkeyed digest."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dataward.errors import ConfigError
from dataward.protect._codec import ENCODERS, ENCODINGS, Encoding
from dataward.protect.base import KeyedOperator, operators


@operators.register("hash")
@dataclass(frozen=True, slots=True, kw_only=True)
class HashOperator(KeyedOperator):
    """A one-way keyed digest: same key and value, same output; joins and counts survive.

    Without the key nobody can test a guess (an unkeyed SHA-256 of a phone number is reversed
    by trying every number). ``length`` truncates the encoded digest (at least 16 characters).

    >>> from dataward.keys import KeyRing
    >>> op = HashOperator(keyring=KeyRing.from_secret(b"k" * 32), length=16)
    >>> op.apply("ada@example.org") == op.apply("ada@example.org"), len(op.apply("x"))
    (True, 16)
    """

    name = "hash"
    purpose = "hash"

    algorithm: Literal["hmac-sha256", "blake2b"] = "hmac-sha256"
    encoding: Encoding = "hex"
    length: int | None = None
    prefix: str = ""

    def __post_init__(self) -> None:
        if self.algorithm not in ("hmac-sha256", "blake2b"):
            raise ConfigError("hash: algorithm must be 'hmac-sha256' or 'blake2b'")
        if self.encoding not in ENCODINGS:
            raise ConfigError(f"hash: encoding must be one of {', '.join(ENCODINGS)}")
        if self.length is not None and self.length < 16:
            raise ConfigError("hash: length must be at least 16 characters (64+ bits)")

    def apply(self, value: str, entity: str | None = None) -> str:
        return self.apply_many([value])[0]  # type: ignore[return-value]

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        key = self.key()
        encode = ENCODERS[self.encoding]
        prefix, length = self.prefix, self.length
        if self.algorithm == "hmac-sha256":
            # HMAC (RFC 2104) from the two padded-key states, hashed once instead of per value.
            padded = key.ljust(64, b"\0")
            inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded)).copy
            outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded)).copy
            hexed = self.encoding == "hex"
            out = []
            for v in values:
                h = inner()
                h.update(v.encode())
                o = outer()
                o.update(h.digest())
                out.append(o.hexdigest() if hexed else encode(o.digest()))
            if hexed and not prefix and length is None:
                return list(out)
        else:
            blake = hashlib.blake2b
            if self.encoding == "hex" and not prefix and length is None:
                return [blake(v.encode(), key=key, digest_size=32).hexdigest() for v in values]
            out = [encode(blake(v.encode(), key=key, digest_size=32).digest()) for v in values]
        if length is not None:
            out = [h[:length] for h in out]
        return [prefix + h for h in out] if prefix else list(out)
