"""The vault: one placeholder per value per conversation under concurrency, expiry, and the
Redis vault (real Redis on 127.0.0.1:6379) holding no value in clear."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from dataward.gateway import CONVERSATION_HEADER, MemoryVault, RedisVault
from dataward.gateway.vault import Vault
from dataward.runtime import Runtime
from tests.gateway.conftest import Gateway


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _hammer(vault: Vault, conversations: list[str]) -> dict[str, dict[str, str]]:
    """20 threads ask placeholders for the same 30 values in each conversation."""
    values = [f"person{i}.canary@example.org" for i in range(30)]
    barrier = threading.Barrier(20)
    results: list[dict[tuple[str, str], str]] = []

    def work(seed: int) -> dict[tuple[str, str], str]:
        barrier.wait()
        got = {}
        for i in range(len(values)):
            value = values[(i * 7 + seed) % len(values)]
            for conv in conversations:
                got[(conv, value)] = vault.placeholder(conv, "EMAIL_ADDRESS", value)
        return got

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(work, range(20)))
    first = results[0]
    assert all(r == first for r in results)  # every thread saw one numbering
    out: dict[str, dict[str, str]] = {}
    for conv in conversations:
        mine = {p: v for (c, v), p in first.items() if c == conv}
        assert len(mine) == len(values)  # distinct values, distinct placeholders
        assert sorted(mine) == sorted(f"<EMAIL_ADDRESS_{n}>" for n in range(1, 31))
        assert dict(vault.values(conv)) == mine
        out[conv] = mine
    return out


def test_memory_vault_concurrent_and_expiring() -> None:
    clock = Clock()
    vault = MemoryVault(60, clock=clock)
    _hammer(vault, ["a", "b"])
    assert len(vault) == 2
    clock.now += 30
    vault.values("a")  # a use keeps "a" alive
    clock.now += 40
    assert vault.values("b") == {}  # expired with its conversation
    assert len(vault.values("a")) == 30
    assert vault.placeholder("b", "PERSON", "Ada") == "<PERSON_1>"  # a fresh numbering
    vault.link("k:resp_1", "a")
    assert vault.conversation_of("k:resp_1") == "a"
    clock.now += 61
    assert vault.conversation_of("k:resp_1") is None
    assert len(vault) == 0


def test_memory_vault_lives_in_the_runtime_scope(runtime: Runtime) -> None:
    from dataward.gateway import GatewayConfig, open_vault

    config = GatewayConfig(upstream="http://127.0.0.1:9/v1")
    vault = open_vault(runtime, config)
    assert open_vault(runtime, config) is vault
    vault.placeholder("c", "PERSON", "Ada")
    with Runtime() as other:
        assert open_vault(other, config).values("c") == {}  # another runtime, another vault


@needs_redis
def test_redis_vault_concurrent_encrypted_expiring(runtime: Runtime) -> None:
    import redis

    prefix = f"dataward-test:{uuid.uuid4().hex}:"
    vault = RedisVault("redis://127.0.0.1:6379/0", runtime.keyring, 2.0, prefix=prefix)
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        mapping = _hammer(vault, ["a", "b"])
        stored = b"".join(
            k + b"".join(f + v for f, v in client.hgetall(k).items())
            for k in client.scan_iter(f"{prefix}*")
        )
        for value in mapping["a"].values():
            assert value.encode() not in stored  # sealed, and indexed by an HMAC
        assert 0 < client.pttl(f"{prefix}a:values") <= 2000
        # another key ring cannot read the values back
        from dataward.keys.ring import KeyRing

        stranger = RedisVault("redis://127.0.0.1:6379/0", KeyRing.generate(), 2.0, prefix=prefix)
        assert stranger.values("a") == {}
        stranger.close()
        vault.link("k:resp_1", "a")
        assert vault.conversation_of("k:resp_1") == "a"
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        vault.close()


def test_redis_vault_down_fails_closed(runtime: Runtime) -> None:
    from dataward.gateway import GatewayError

    vault = RedisVault("redis://127.0.0.1:1/0", runtime.keyring, 60)
    with pytest.raises(GatewayError) as caught:
        vault.placeholder("c", "EMAIL_ADDRESS", "canary.7731@example.org")
    assert caught.value.code == "dataward_vault_failed"
    assert "canary" not in str(caught.value)
    vault.close()


def _concurrent_conversations(gw: Gateway, count: int) -> None:
    """``count`` conversations at once, each with its own values, each through its own
    header; every caller gets exactly its own prompt back and the upstream no value."""
    prompts = {
        f"conv-{i}": f"Write to user{i}.canary@example.org and user{i + 1000}.canary@example.org"
        for i in range(count)
    }

    def run(conv: str) -> str:
        client = gw.client(**{CONVERSATION_HEADER: conv})
        stream = client.chat.completions.create(
            model="stub-1",
            messages=[{"role": "user", "content": prompts[conv]}],
            stream=True,
        )
        return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

    with ThreadPoolExecutor(8) as pool:
        got = dict(zip(prompts, pool.map(run, prompts), strict=True))
    assert got == prompts
    sent = [json.loads(r)["messages"][0]["content"] for r in gw.stub.received]
    assert sorted(sent) == ["Write to <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>"] * count
    assert all("canary" not in s for s in gw.stub.received)


def test_concurrent_conversations_never_mix(gateway: Gateway) -> None:
    _concurrent_conversations(gateway, 24)


@needs_redis
def test_concurrent_conversations_never_mix_in_redis(start_gateway: Any) -> None:
    gw = start_gateway(redis_url="redis://127.0.0.1:6379/0", conversation_ttl=30)
    _concurrent_conversations(gw, 12)
