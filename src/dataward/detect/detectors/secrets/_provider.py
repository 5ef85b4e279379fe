"""Shared pieces of the provider token detectors: a base class, checksums and an assignment regex.

Provider formats fall in two kinds. Prefixed tokens (``ghp_``, ``xoxb-``, ``AKIA``) are distinctive
on their own and score 0.9 or more. Prefix-free ones (an AWS secret access key is 40 base64
characters) are only matched as the value of a key that names the provider (:func:`kv`), or score
below the threshold and need a context word.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import ClassVar

from dataward.detect.base import PatternDetector
from dataward.detect.detectors.secrets.filters import looks_fake
from dataward.detect.model import Pattern

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

_SEP = (
    r"""[\\"'\]]{0,3}\s{0,4}(?:=>|:=|->|[:=>,]|\s)\s{0,4}(?:[\\"'`]{1,3}|\[[\\"']{0,2})?\s{0,2}"""
)
_SEQUENCES = ("123456789", "abcdefghij", "qwertyuiop")
# Reasons of ``looks_fake`` that describe a shape (a UUID, a dotted name) rather than a placeholder:
# a provider format already proves what the value is, so only placeholder reasons reject it.
_SHAPE_REASONS = frozenset(
    {"UUID", "hex digest", "URL without credentials", "file path", "code identifier"}
)


def placeholder_reason(value: str) -> str | None:
    """Why ``value`` is a placeholder, template or example (``looks_fake`` less shape reasons)."""
    reason = looks_fake(value)
    return None if reason in _SHAPE_REASONS else reason


def kv(keys: str, value: str) -> str:
    """A regex for ``<key> = <value>`` (and ``key: value``, ``"key": "value"``, ``key => value``).

    ``keys`` is an alternation of key names (matched case-insensitively when the pattern says so),
    ``value`` the value's regex; group 1 is the value. The key may sit at the end of a longer name
    (``MY_AWS_SECRET_ACCESS_KEY``) and be followed by a short suffix (``_ID``, ``_PROD``).
    """
    return rf"[A-Za-z0-9_.-]{{0,32}}(?:{keys})[A-Za-z0-9_.-]{{0,12}}{_SEP}({value})"


def base62(number: int, width: int = 6) -> str:
    """``number`` in base 62 (digits, upper, lower case), left-padded with zeros to ``width``."""
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = BASE62[rest] + out
    return out.rjust(width, "0")


def crc32_base62_ok(body: str) -> bool:
    """Whether the last 6 characters of ``body`` are the base-62 CRC32 of the rest.

    GitHub and npm tokens end with such a checksum of their random part (the part after the prefix).
    """
    if len(body) <= 6:
        return False
    return base62(zlib.crc32(body[:-6].encode("ascii"))) == body[-6:]


def b64decode_loose(text: str) -> bytes | None:
    """Decode standard or URL-safe base64 with missing padding; ``None`` when it is not base64."""
    data = text.replace("-", "+").replace("_", "/")
    data += "=" * (-len(data) % 4)
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def diversity_ok(body: str, minimum: int) -> bool:
    """Whether ``body`` has at least ``minimum`` distinct characters and no keyboard sequence."""
    if len(set(body)) < minimum:
        return False
    lowered = body.lower()
    return not any(seq in lowered for seq in _SEQUENCES)


class ProviderDetector(PatternDetector):
    """A provider token detector: rejects placeholders, then runs :meth:`check`.

    ``min_distinct`` is the fewest distinct characters a real token of the format has (random
    tokens of 20+ characters have many more; ``xxxxxxxx`` and ``00000000`` have one).
    """

    provider: ClassVar[str] = ""
    min_distinct: ClassVar[int] = 8
    validator = "provider-format"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if placeholder_reason(value) is not None:
            return None
        if not diversity_ok(value, self.min_distinct):
            return None
        return self.check(value, pattern)

    def check(self, value: str, pattern: Pattern) -> float | None:
        """Format-specific validation (checksums, structure); the pattern's score by default."""
        return pattern.score


class ChecksumDetector(ProviderDetector):
    """A provider whose tokens end with the base-62 CRC32 of their random part (GitHub, npm).

    A valid checksum scores ``pattern.score``; a bad one ``bad_checksum_score`` (below the threshold,
    so only a context word such as the provider's name gets it reported).
    """

    prefix_length: ClassVar[int] = 4
    bad_checksum_score: ClassVar[float] = 0.4
    checksum_patterns: ClassVar[frozenset[str]] = frozenset()
    """Names of the patterns whose matches carry the checksum (others validate as usual)."""
    validator = "crc32-base62"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name not in self.checksum_patterns:
            return super().validate(value, pattern)
        if placeholder_reason(value) is not None:
            return None
        if crc32_base62_ok(value[self.prefix_length :]):
            return pattern.score
        if not diversity_ok(value, self.min_distinct):
            return None
        return self.bad_checksum_score
