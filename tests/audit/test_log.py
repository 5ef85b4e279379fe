from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from dataward.audit import (
    AuditEvent,
    AuditLog,
    Signer,
    make_receipt,
    merkle,
    open_audit_log,
    record,
    verify_receipt,
)
from dataward.audit import tables as t
from dataward.audit.checkpoint import open_checkpoint
from dataward.audit.events import AccessEvent, PolicyChangeEvent
from dataward.errors import AuditError
from dataward.store import Store


def _event(i: int) -> AuditEvent:
    return AuditEvent("decision", "svc:test", {"i": i, "effect": "allow"})


def _leaves(log: AuditLog) -> list[bytes]:
    return [e.leaf_hash for e in log.events()]


def test_append_returns_gap_free_indexes_and_leaf_hashes(log: AuditLog) -> None:
    first = log.append(_event(0))
    more = log.append_many(_event(i) for i in range(1, 6))
    assert [r.index for r in [first, *more]] == list(range(6))
    assert log.size() == 6
    assert log.append_many([]) == []
    for r in [first, *more]:
        assert r.leaf_hash == merkle.leaf_hash(log.canonical(r.index))


def test_canonical_document_is_the_leaf_input(log: AuditLog) -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    r = log.append(AuditEvent("scan", "svc:scanner", {"dataset": "s3://b/k", "rows": 3}, time=when))
    assert log.canonical(r.index) == (
        b'{"actor":"svc:scanner","index":0,"kind":"scan","payload":{"dataset":"s3://b/k",'
        b'"rows":3},"time":"2026-01-02T03:04:05.000006Z","v":1}'
    )
    (read,) = log.events()
    assert read.payload == {"dataset": "s3://b/k", "rows": 3} and read.personal == "none"
    assert read.time == "2026-01-02T03:04:05.000006Z"


def test_heads_and_proofs_at_every_size_match_the_reference(log: AuditLog) -> None:
    # grow in uneven batches so cached subtrees come from singles and batches alike
    n, step = 0, 1
    while n < 70:
        log.append_many(_event(i) for i in range(n, min(70, n + step)))
        n = min(70, n + step)
        step = step % 7 + 1
    leaves = _leaves(log)
    assert len(leaves) == 70
    for size in range(1, 71):
        head = log.head(size)
        assert head.root == merkle.root(leaves[:size])
        for index in {0, size // 2, size - 1}:
            proof = log.inclusion_proof(index, size)
            assert proof == merkle.inclusion_proof(index, leaves[:size])
            assert merkle.verify_inclusion(leaves[index], index, size, proof, head.root)
        for old in {1, size // 3 or 1, size - 1 or 1, size}:
            proof = log.consistency_proof(old, size)
            assert proof == merkle.consistency_proof(old, leaves[:size])
            assert merkle.verify_consistency(old, size, log.head(old).root, head.root, proof)
    assert log.head().root == merkle.root(leaves)
    assert log.head(0).root == merkle.EMPTY_ROOT


def test_out_of_range_requests_are_refused(log: AuditLog) -> None:
    log.append_many(_event(i) for i in range(3))
    with pytest.raises(AuditError, match="no event 3"):
        log.inclusion_proof(3)
    with pytest.raises(AuditError, match="no tree of size 4"):
        log.head(4)
    with pytest.raises(AuditError):
        log.consistency_proof(0, 3)
    with pytest.raises(AuditError, match="no event 7"):
        log.event(7)


def test_checkpoints_are_signed_notes_of_the_head(log: AuditLog) -> None:
    log.append_many(_event(i) for i in range(5))
    cp = log.checkpoint()
    head = open_checkpoint(cp.note, log.verifier)
    assert (head.size, head.root) == (5, log.head().root)
    lines = cp.note.split("\n")
    assert lines[0] == log.origin and lines[1] == "5" and lines[3] == ""
    assert lines[4].startswith(f"\u2014 {log.origin} ")
    assert log.latest_checkpoint() == cp


def test_checkpoint_signed_automatically_every_n(store: Store, signer: Signer) -> None:
    log = AuditLog(store, signer, checkpoint_every=10)
    log.append_many(_event(i) for i in range(9))
    assert [c.size for c in log.checkpoints()] == [0]  # the genesis, with the first event
    log.append(_event(9))
    log.append_many(_event(i) for i in range(25))
    assert [c.size for c in log.checkpoints()] == [0, 10, 35]
    assert log.verify().checkpoints == 3


def test_a_bad_payload_writes_nothing(log: AuditLog) -> None:
    log.append(_event(0))
    with pytest.raises(AuditError, match=r"\$\.payload\.x"):
        log.append_many([_event(1), AuditEvent("scan", "svc", {"x": math.nan})])
    assert log.size() == 1
    assert log.append(_event(1)).index == 1
    log.verify()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "Not A Kind", "actor": "a"}, "kind"),
        ({"kind": "scan", "actor": ""}, "actor"),
        ({"kind": "scan", "actor": "a", "time": datetime(2026, 1, 1)}, "timezone"),
        ({"kind": "scan", "actor": "a", "subject_id": ""}, "subject_id"),
    ],
)
def test_event_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AuditError, match=message):
        AuditEvent(**kwargs)  # type: ignore[arg-type]


def test_receipt_verifies_offline_and_detects_changes(log: AuditLog) -> None:
    log.append_many(_event(i) for i in range(11))
    receipt = make_receipt(log, 7)
    check = verify_receipt(receipt, trusted_key=log.verifier.encode())
    assert (check.index, check.tree_size, check.root) == (7, 11, log.head().root)
    assert receipt["tlog_proof"].startswith("c2sp.org/tlog-proof@v1\nindex 7\n")
    assert receipt["tlog_proof"].endswith(receipt["checkpoint"])

    altered = dict(receipt, event=receipt["event"].replace('"i":7', '"i":8'))
    with pytest.raises(AuditError, match="leaf hash"):
        verify_receipt(altered)
    del altered["leaf_hash"]
    with pytest.raises(AuditError, match="inclusion proof does not lead"):
        verify_receipt(altered)
    other = Signer.generate().verifier(log.origin).encode()
    with pytest.raises(AuditError, match=r"not the trusted key|not signed by"):
        verify_receipt(receipt, trusted_key=other)
    forged_key = dict(receipt, public_key=other)
    with pytest.raises(AuditError, match="not signed by"):
        verify_receipt(forged_key)
    moved = dict(receipt, index=6)
    with pytest.raises(AuditError, match="says it is event 7"):
        verify_receipt(moved)


def test_receipt_signs_a_checkpoint_when_none_covers_the_event(log: AuditLog) -> None:
    log.append_many(_event(i) for i in range(3))
    log.checkpoint()
    log.append(_event(3))
    receipt = make_receipt(log, 3)
    assert receipt["tree_size"] == 4
    assert len(log.checkpoints()) == 2


def test_record_appends_to_the_default_log(monkeypatch: pytest.MonkeyPatch, store_url: str) -> None:
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    change = PolicyChangeEvent(revision="r1", sources=["pack:baseline"])
    assert record(change, actor="svc:gateway").index == 0
    assert record(AccessEvent(what="email"), actor="user:ann", subject_id="cust-1").index == 1
    log = open_audit_log()
    assert [e.kind for e in log.events()] == ["policy_change", "access"]
    assert log.event(0).event() == change
    assert log.event(1).personal == "sealed"
    assert log.event(1, decrypt=True).payload == {"what": "email"}
    assert log.verify().events == 2
    log.store.close()


def test_state_row_exists_after_migration(store: Store) -> None:
    with store.begin() as conn:
        row = conn.execute(sa.select(t.state)).one()
    assert row.size == 0 and row.origin.startswith("dataward.local/audit/")
