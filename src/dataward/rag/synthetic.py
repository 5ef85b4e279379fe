"""A generated corpus with access attributes and callers with entitlements, for tests, the docs
and ``bench/rag.py``: deterministic for a seed, fake values only (SSNs in valid ranges, e-mail
addresses at ``example.org``, Stripe-style test keys)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dataward.rag.model import Chunk, Principal

TOPICS = [
    "refund",
    "billing",
    "invoice",
    "payment",
    "order",
    "shipping",
    "delivery",
    "return",
    "warranty",
    "account",
    "password",
    "login",
    "subscription",
    "upgrade",
    "cancel",
    "discount",
    "coupon",
    "price",
    "tax",
    "receipt",
    "support",
    "ticket",
    "escalation",
    "outage",
    "incident",
    "latency",
    "network",
    "storage",
    "backup",
    "restore",
    "contract",
    "renewal",
    "compliance",
    "audit",
    "privacy",
    "consent",
    "retention",
    "deletion",
    "export",
    "report",
]
PURPOSES = ("support", "analytics", "legal")


@dataclass(frozen=True, slots=True)
class Corpus:
    chunks: list[Chunk]
    principals: list[Principal]
    purposes: tuple[str, ...]


def fake_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(101, 666) if a != 666])
    return f"{area:03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"


def corpus(
    n: int = 200, *, tenants: int = 2, groups: int = 5, users: int = 10, seed: int = 7
) -> Corpus:
    """``n`` chunks over ``tenants`` tenants with ``groups`` ACL groups each; about a third
    hold an SSN, an e-mail address or a secret key. ``users`` callers, each in one tenant and
    one or two of its groups, with a clearance from ``low`` to ``critical``."""
    rng = random.Random(seed)
    chunks: list[Chunk] = []
    for i in range(n):
        t = rng.randrange(tenants)
        words = rng.sample(TOPICS, 6)
        kind = rng.random()
        if kind < 0.12:
            words.append(f"customer SSN {fake_ssn(rng)}")
        elif kind < 0.24:
            words.append(f"mail user.{i}@example.org")
        elif kind < 0.30:
            words.append("key sk_live_" + "".join(rng.choices("abcdefghijkLMNOPQ0123456789", k=24)))
        chunks.append(
            Chunk(
                id=f"c{i:06d}",
                text=" ".join(words),
                tenant=f"t{t}",
                acl=(f"t{t}-g{rng.randrange(groups)}",),
                purposes=tuple(sorted(rng.sample(PURPOSES, rng.randint(1, 2)))),
                source=f"kb/{t}/{i % 17}",
            )
        )
    principals = []
    for u in range(users):
        t = rng.randrange(tenants)
        mine = {f"t{t}-g{rng.randrange(groups)}" for _ in range(rng.randint(1, 2))}
        principals.append(
            Principal(
                id=f"svc:user{u}",
                tenant=f"t{t}",
                groups=tuple(sorted(mine)),
                clearance=rng.randint(1, 4),
                roles=("security",) if rng.random() < 0.1 else (),
                reveal=("EMAIL_ADDRESS",) if rng.random() < 0.3 else (),
            )
        )
    return Corpus(chunks, principals, PURPOSES)
