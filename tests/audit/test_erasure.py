"""Erasing a subject destroys their key: details unreadable, every proof still valid."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dataward.audit import AuditEvent, AuditLog, make_receipt, merkle, verify_receipt
from dataward.audit import tables as t
from dataward.errors import AuditError

EMAIL = "ada.lovelace@example.org"
SUBJECT = "customer-4711"


def _fill(log: AuditLog) -> None:
    log.append(AuditEvent("scan", "svc:scanner", {"dataset": "crm"}))
    log.append_many(
        [
            AuditEvent("reveal", "user:bob", {"email": EMAIL, "field": "email"}, SUBJECT),
            AuditEvent("reveal", "user:bob", {"phone": "+44 20 7946 0958"}, "customer-9"),
            AuditEvent("access", "user:eve", {"email": EMAIL}, SUBJECT),
        ]
    )
    log.checkpoint()


def _everything_stored(log: AuditLog) -> str:
    with log.store.begin() as conn:
        dumps = [
            repr(conn.execute(sa.select(table)).all())
            for table in (t.state, t.events, t.nodes, t.checkpoints, t.subject_keys)
        ]
    return "\n".join(dumps)


def test_personal_details_are_sealed_at_rest(log: AuditLog) -> None:
    _fill(log)
    stored = _everything_stored(log)
    assert EMAIL not in stored and SUBJECT not in stored and "7946" not in stored
    assert EMAIL.encode() not in b"".join(log.canonical(i) for i in range(4))
    (e1,) = log.events(1, 1)
    assert e1.personal == "sealed" and e1.payload is None and e1.subject_id is None
    e1 = log.event(1, decrypt=True)
    assert e1.personal == "readable"
    assert (e1.subject_id, e1.payload) == (SUBJECT, {"email": EMAIL, "field": "email"})
    assert log.event(1).subject_ref == log.event(3).subject_ref != log.event(2).subject_ref


def test_erase_keeps_proofs_and_hides_details(log: AuditLog) -> None:
    _fill(log)
    root_before = log.head().root
    before = make_receipt(log, 1)
    erasure = log.erase(SUBJECT, actor="user:dpo")
    assert erasure.events == 2 and erasure.receipt.index == 4

    for index in (1, 3):
        event = log.event(index, decrypt=True)
        assert event.personal == "erased" and event.payload is None and event.subject_id is None
    assert log.event(2, decrypt=True).payload == {"phone": "+44 20 7946 0958"}
    record = log.event(4)
    assert record.kind == "erasure" and record.payload == {
        "subject_ref": erasure.subject_ref,
        "events": 2,
    }

    # the leaves did not change: old heads, old receipts, new receipts all verify
    assert log.head(4).root == root_before
    assert verify_receipt(before, trusted_key=log.verifier.encode()).index == 1
    log.checkpoint()
    after = make_receipt(log, 1)
    assert verify_receipt(after).tree_size == 5
    leaves = [e.leaf_hash for e in log.events()]
    for m in range(1, 5):
        proof = log.consistency_proof(m)
        assert merkle.verify_consistency(m, 5, log.head(m).root, log.head().root, proof)
    assert log.verify().events == 5
    assert leaves[1] == merkle.leaf_hash(log.canonical(1))

    # the key is gone from the store, and the ref no longer leads to the subject
    with log.store.begin() as conn:
        row = conn.execute(
            sa.select(t.subject_keys).where(t.subject_keys.c.ref == erasure.subject_ref)
        ).one()
    assert row.wrapped_key is None and row.lookup is None and row.erased_at


def test_erase_twice_or_unknown_subject(log: AuditLog) -> None:
    _fill(log)
    log.erase(SUBJECT)
    with pytest.raises(AuditError, match="no audit event concerns this subject") as info:
        log.erase(SUBJECT)
    assert SUBJECT not in str(info.value)
    with pytest.raises(AuditError):
        log.erase("never-seen")


def test_new_events_after_erasure_use_a_new_key(log: AuditLog) -> None:
    _fill(log)
    old_ref = log.erase(SUBJECT).subject_ref
    r = log.append(AuditEvent("decision", "svc", {"note": "returned customer"}, SUBJECT))
    event = log.event(r.index, decrypt=True)
    assert event.subject_ref != old_ref and event.payload == {"note": "returned customer"}
    assert log.event(1, decrypt=True).personal == "erased"


def test_sealed_details_cannot_be_moved_between_events(log: AuditLog) -> None:
    _fill(log)
    # copy event 1's sealed blob into event 3 (same subject, same key): decryption refuses
    doc1, doc3 = log.canonical(1), log.canonical(3)
    sealed1 = doc1.split(b'"sealed":"')[1].split(b'"')[0]
    sealed3 = doc3.split(b'"sealed":"')[1].split(b'"')[0]
    with log.store.begin() as conn:
        conn.execute(
            t.events.update()
            .where(t.events.c.idx == 3)
            .values(canonical=doc3.replace(sealed3, sealed1))
        )
    with pytest.raises(AuditError, match="event 3: sealed details do not decrypt"):
        log.event(3, decrypt=True)
