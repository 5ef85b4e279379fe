"""The vault of pseudonyms: per conversation, value -> placeholder and back.

The same value gets the same placeholder for the whole conversation (every turn, every
request of it running at the same time); each conversation numbers its own placeholders, so
``<PERSON_1>`` of one conversation never restores a value of another. A conversation expires
``ttl`` seconds after its last use, and its values with it.

Two kinds, one interface (:class:`Vault`):

- :class:`MemoryVault`, in the runtime's scope: one lock guards every change, so concurrent
  requests see one numbering.
- :class:`RedisVault`: several gateway processes share conversations. Each value is sealed
  with AES-256-GCM under a key of the key ring (``gateway-vault``) bound to its conversation;
  the lookup field is an HMAC of the value, so Redis holds no value in clear. One Lua script
  allocates a placeholder atomically.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from dataward.gateway.config import GatewayError
from dataward.gateway.placeholders import make_placeholder

if TYPE_CHECKING:
    from dataward.keys.ring import KeyRing


class Vault(Protocol):
    """Where a gateway keeps its pseudonyms (see the module docstring)."""

    def placeholder(self, conversation: str, entity: str, value: str) -> str:
        """The placeholder of ``value`` in ``conversation``, allocated on first sight."""
        ...

    def values(self, conversation: str) -> Mapping[str, str]:
        """Every placeholder of ``conversation`` and its value (a snapshot)."""
        ...

    def link(self, response_id: str, conversation: str) -> None:
        """Remember that an upstream response belongs to ``conversation`` (the Responses
        API's ``previous_response_id`` continues it)."""
        ...

    def conversation_of(self, response_id: str) -> str | None: ...

    def close(self) -> None: ...


@dataclass
class _Conversation:
    by_value: dict[str, str] = field(default_factory=dict)
    by_placeholder: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    expires: float = 0.0


class MemoryVault:
    """The vault in this process (held by the runtime's scope; see the module docstring)."""

    def __init__(self, ttl: float, *, clock: Any = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._conversations: dict[str, _Conversation] = {}
        self._links: dict[str, tuple[str, float]] = {}
        self._next_sweep = 0.0

    def _sweep(self, now: float) -> None:
        """Drop expired conversations; at most once a second (called under the lock)."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + min(1.0, self.ttl / 10)
        for key in [k for k, c in self._conversations.items() if c.expires <= now]:
            del self._conversations[key]
        for key in [k for k, (_, exp) in self._links.items() if exp <= now]:
            del self._links[key]

    def _get(self, conversation: str, now: float) -> _Conversation:
        self._sweep(now)
        conv = self._conversations.get(conversation)
        if conv is None or conv.expires <= now:
            conv = self._conversations[conversation] = _Conversation()
        conv.expires = now + self.ttl
        return conv

    def placeholder(self, conversation: str, entity: str, value: str) -> str:
        with self._lock:
            conv = self._get(conversation, self._clock())
            found = conv.by_value.get(value)
            if found is not None:
                return found
            number = conv.numbers.get(entity, 0) + 1
            conv.numbers[entity] = number
            made = make_placeholder(entity, number)
            while made in conv.by_placeholder:  # two entity names reduced to one
                number += 1
                conv.numbers[entity] = number
                made = make_placeholder(entity, number)
            conv.by_value[value] = made
            conv.by_placeholder[made] = value
            return made

    def values(self, conversation: str) -> Mapping[str, str]:
        with self._lock:
            now = self._clock()
            conv = self._conversations.get(conversation)
            if conv is None or conv.expires <= now:
                return {}
            conv.expires = now + self.ttl
            return dict(conv.by_placeholder)

    def link(self, response_id: str, conversation: str) -> None:
        with self._lock:
            self._links[response_id] = (conversation, self._clock() + self.ttl)

    def conversation_of(self, response_id: str) -> str | None:
        with self._lock:
            found = self._links.get(response_id)
            if found is None or found[1] <= self._clock():
                return None
            return found[0]

    def __len__(self) -> int:
        """Conversations alive now."""
        with self._lock:
            now = self._clock()
            return sum(1 for c in self._conversations.values() if c.expires > now)

    def close(self) -> None:
        with self._lock:
            self._conversations.clear()
            self._links.clear()


_ALLOCATE = """
local found = redis.call('HGET', KEYS[1], ARGV[1])
if found then
  redis.call('PEXPIRE', KEYS[1], ARGV[4]); redis.call('PEXPIRE', KEYS[2], ARGV[4])
  return found
end
local n = redis.call('HINCRBY', KEYS[1], '#' .. ARGV[2], 1)
local made = '<' .. ARGV[2] .. '_' .. n .. '>'
while redis.call('HEXISTS', KEYS[2], made) == 1 do
  n = redis.call('HINCRBY', KEYS[1], '#' .. ARGV[2], 1)
  made = '<' .. ARGV[2] .. '_' .. n .. '>'
end
redis.call('HSET', KEYS[1], ARGV[1], made)
redis.call('HSET', KEYS[2], made, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4]); redis.call('PEXPIRE', KEYS[2], ARGV[4])
return made
"""
"""Allocate (or find) a placeholder in one step: KEYS = value index, sealed values; ARGV =
value HMAC, entity name, sealed value, TTL in ms."""


class RedisVault:
    """The vault in Redis (see the module docstring); errors fail closed as
    :class:`GatewayError` (``dataward_vault_failed``)."""

    def __init__(
        self, url: str, keyring: KeyRing, ttl: float, *, prefix: str = "dataward:gateway:"
    ) -> None:
        import redis
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.ttl = ttl
        self.prefix = prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._aead = AESGCM(keyring.subkey("gateway-vault"))
        self._mac = keyring.subkey("gateway-vault-index")
        self._allocate = self._redis.register_script(_ALLOCATE)
        self._version = keyring.primary

    def _keys(self, conversation: str) -> tuple[str, str]:
        base = f"{self.prefix}{conversation}"
        return f"{base}:index", f"{base}:values"

    def _fail(self, exc: Exception) -> GatewayError:
        return GatewayError(
            f"the gateway's Redis vault failed ({type(exc).__name__}); nothing was sent",
            code="dataward_vault_failed",
            status=503,
        )

    def placeholder(self, conversation: str, entity: str, value: str) -> str:
        name = make_placeholder(entity, 1)[1:-3]
        digest = hmac.new(self._mac, f"{conversation}\0{value}".encode(), hashlib.sha256)
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, value.encode(), conversation.encode())
        try:
            made = self._allocate(
                keys=list(self._keys(conversation)),
                args=[digest.hexdigest(), name, sealed, int(self.ttl * 1000)],
            )
        except Exception as exc:  # redis.RedisError and connection errors alike
            raise self._fail(exc) from None
        return made.decode() if isinstance(made, bytes) else str(made)

    def values(self, conversation: str) -> Mapping[str, str]:
        try:
            raw: dict[bytes, bytes] = self._redis.hgetall(self._keys(conversation)[1])  # type: ignore[assignment]
        except Exception as exc:
            raise self._fail(exc) from None
        out: dict[str, str] = {}
        for placeholder, sealed in raw.items():
            try:
                plain = self._aead.decrypt(sealed[:12], sealed[12:], conversation.encode())
            except Exception:  # tampered or sealed under another key ring: never restored
                continue
            out[placeholder.decode()] = plain.decode()
        return out

    def link(self, response_id: str, conversation: str) -> None:
        try:
            self._redis.set(
                f"{self.prefix}response:{response_id}", conversation, px=int(self.ttl * 1000)
            )
        except Exception as exc:
            raise self._fail(exc) from None

    def conversation_of(self, response_id: str) -> str | None:
        try:
            found = self._redis.get(f"{self.prefix}response:{response_id}")
        except Exception as exc:
            raise self._fail(exc) from None
        return found.decode() if isinstance(found, bytes) else None

    def forget(self, conversation: str) -> None:
        """Drop a conversation now (its values are gone before the TTL)."""
        self._redis.delete(*self._keys(conversation))

    def close(self) -> None:
        self._redis.close()
