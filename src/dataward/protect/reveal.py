"""Reveal: reverse a reversible operator's output with the key that made it."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from dataward.errors import RevealError
from dataward.keys.ring import KeyRing
from dataward.protect.base import Operator
from dataward.protect.operators import get_operator


@runtime_checkable
class Reversible(Protocol):
    def reverse(self, value: str) -> str: ...


def reverse(
    operator: str | Operator, value: str, keyring: KeyRing | None = None, **params: Any
) -> str:
    """The original of ``value`` protected by ``operator`` (``token``, ``fpe`` or ``encrypt``).

    ``operator`` is a name (built with ``params`` and ``keyring``) or the operator itself.
    Tokens and ciphertexts name their key version; without the right key (or context) they
    raise :class:`RevealError`. FF3-1 output carries neither: with the deployment's key ring
    the store records each FPE value's key version (:mod:`dataward.protect.fpe_versions`), so
    a wrong version or context raises too; with an in-memory ring a wrong key yields a wrong
    value of the same shape.

    >>> ring = KeyRing.from_secret(b"k" * 32)
    >>> token = get_operator("token", keyring=ring).apply("ada@example.org")
    >>> reverse("token", token, ring)
    'ada@example.org'
    """
    op = (
        get_operator(operator, keyring=keyring, **params) if isinstance(operator, str) else operator
    )
    if not op.reversible or not isinstance(op, Reversible):
        raise RevealError(
            f"operator {op.name!r} is one-way; only token, fpe and encrypt can be reversed",
            operator=op.name,
        )
    return op.reverse(value)
