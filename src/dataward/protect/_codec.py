"""Text encodings of binary outputs (hashes, tokens, ciphertexts), without padding."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Literal

Encoding = Literal["base64url", "base32", "hex"]
ENCODINGS: tuple[str, ...] = ("base64url", "base32", "hex")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b32(data: bytes) -> str:
    return base64.b32encode(data).rstrip(b"=").decode("ascii").lower()


def _hex(data: bytes) -> str:
    return data.hex()


ENCODERS: dict[str, Callable[[bytes], str]] = {"base64url": _b64, "base32": _b32, "hex": _hex}


def decode(text: str, encoding: str) -> bytes:
    """Inverse of the encoders; raises ValueError on malformed input."""
    try:
        if encoding == "base64url":
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if encoding == "base32":
            return base64.b32decode(text.upper() + "=" * (-len(text) % 8))
        return bytes.fromhex(text)
    except (binascii.Error, ValueError):
        raise ValueError("malformed encoded text") from None
