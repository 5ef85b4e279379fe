"""People acting are erasable subjects in the log; service identities stay in clear."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dataward.audit import AuditEvent, AuditLog
from dataward.audit import tables as t
from dataward.audit.actors import is_service

EMAIL = "zq7x41.canary@probemail-dw.net"


def _stored(log: AuditLog) -> str:
    with log.store.begin() as conn:
        dumps = [
            repr(conn.execute(sa.select(table)).all())
            for table in (t.state, t.events, t.nodes, t.checkpoints, t.subject_keys)
        ]
    return "\n".join(dumps)


@pytest.mark.parametrize(
    ("actor", "service"),
    [
        ("svc:gateway", True),
        ("apikey:3f2a9c", True),
        ("service:etl", True),
        ("system:retention", True),
        ("dataward", True),
        (EMAIL, False),
        ("user:alice", False),
        ("alice", False),
        ("oidc:0a1b2c", False),
        ("svc", False),
        ("SVC:gateway", False),
    ],
)
def test_who_is_a_service(actor: str, service: bool) -> None:
    assert is_service(actor) is service


def test_a_person_acting_is_sealed_and_erasable(log: AuditLog) -> None:
    log.append(AuditEvent("decision", EMAIL, {"effect": "allow"}))
    log.append(AuditEvent("decision", "svc:gateway", {"effect": "deny", "principal": EMAIL}))
    log.append(AuditEvent("decision", "svc:gateway", {"effect": "deny", "principal": "svc:etl"}))
    log.checkpoint()
    assert EMAIL not in _stored(log)
    assert EMAIL.encode() not in b"".join(log.canonical(i) for i in range(3))

    first, second, third = log.events()
    assert first.actor.startswith("subject:") and second.actor == "svc:gateway"
    assert second.payload is not None and second.payload["principal"] == first.actor
    assert third.payload is not None and third.payload["principal"] == "svc:etl"
    readable = list(log.events(decrypt=True))
    assert readable[0].actor == EMAIL
    assert readable[1].payload is not None and readable[1].payload["principal"] == EMAIL

    erasure = log.erase(EMAIL, actor="svc:dpo")
    assert erasure.events == 1  # counted: events about them or by them (not as a principal)
    after = list(log.events(decrypt=True))
    assert after[0].actor == first.actor and EMAIL not in repr(after)
    assert log.verify().events == 4
