"""Every kind of tampering with the stored log makes verify fail, saying where and what."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dataward.audit import AuditEvent, AuditLog, Signer, merkle
from dataward.audit import tables as t
from dataward.errors import AuditError

SIZE = 20


@pytest.fixture
def full(log: AuditLog) -> AuditLog:
    log.append_many(AuditEvent("decision", "svc", {"i": i}) for i in range(10))
    log.checkpoint()
    for i in range(10, SIZE):
        log.append(AuditEvent("decision", "svc", {"i": i}))
    log.checkpoint()
    report = log.verify()
    assert (report.events, report.checkpoints, report.signed_size) == (SIZE, 2, SIZE)
    return log


def _fails(log: AuditLog, check: str, match: str) -> AuditError:
    with pytest.raises(AuditError, match=match) as info:
        log.verify()
    assert info.value.check == check  # type: ignore[attr-defined]
    assert info.value.exit_code == 4
    return info.value


def _execute(log: AuditLog, stmt: sa.Executable) -> None:
    with log.store.begin() as conn:
        conn.execute(stmt)


def _canonical(log: AuditLog, index: int) -> bytes:
    return log.canonical(index)


def test_altered_event(full: AuditLog) -> None:
    data = _canonical(full, 7).replace(b'"i":7', b'"i":70')
    _execute(full, t.events.update().where(t.events.c.idx == 7).values(canonical=data))
    err = _fails(full, "leaf", "event 7: its leaf hash does not match")
    assert err.index == 7  # type: ignore[attr-defined]


def test_altered_event_with_recomputed_leaf_hash(full: AuditLog) -> None:
    data = _canonical(full, 5).replace(b'"i":5', b'"i":50')
    _execute(
        full,
        t.events.update()
        .where(t.events.c.idx == 5)
        .values(canonical=data, leaf_hash=merkle.leaf_hash(data)),
    )
    _fails(full, "nodes", r"subtree hash over events 4\.\.5 \(level 1, index 2\)")


def test_altered_event_with_the_whole_cache_rebuilt(full: AuditLog) -> None:
    """An attacker who rewrites the event, its leaf, the subtree cache and the head is still
    caught by the signed checkpoints."""
    data = _canonical(full, 13).replace(b'"i":13', b'"i":130')
    _execute(
        full,
        t.events.update()
        .where(t.events.c.idx == 13)
        .values(canonical=data, leaf_hash=merkle.leaf_hash(data)),
    )
    leaves = [e.leaf_hash for e in full.events()]
    frontier: list[bytes] = []
    nodes = []
    for i, leaf in enumerate(leaves):
        nodes += merkle.frontier_append(frontier, i, leaf)
    with full.store.begin() as conn:
        conn.execute(t.nodes.delete())
        conn.execute(t.nodes.insert(), [{"level": lv, "idx": i, "hash": h} for lv, i, h in nodes])
        conn.execute(t.state.update().values(frontier=merkle.pack(frontier)))
    _fails(full, "checkpoint-root", r"checkpoint 2 \(tree size 20\).*indexes 10\.\.19")


def test_altered_payload_that_is_no_longer_canonical(full: AuditLog) -> None:
    data = _canonical(full, 2).replace(b'"i":2', b'"i": 2')
    _execute(full, t.events.update().where(t.events.c.idx == 2).values(canonical=data))
    _fails(full, "canonical", "event 2 is not in canonical form")


def test_deleted_row(full: AuditLog) -> None:
    _execute(full, t.events.delete().where(t.events.c.idx == 4))
    _fails(full, "continuity", "event 4 is missing: stored indexes jump from 3 to 5")


def test_swapped_rows(full: AuditLog) -> None:
    with full.store.begin() as conn:
        conn.execute(t.events.update().where(t.events.c.idx == 3).values(idx=-1))
        conn.execute(t.events.update().where(t.events.c.idx == 8).values(idx=3))
        conn.execute(t.events.update().where(t.events.c.idx == -1).values(idx=8))
    _fails(full, "order", "event stored at index 3 says it is event 8")


def test_truncated_tail(full: AuditLog) -> None:
    _execute(full, t.events.delete().where(t.events.c.idx >= 15))
    _fails(full, "truncation", r"signs a tree of 20 events but the log holds only 15.*15\.\.19")


def test_truncated_tail_with_head_and_cache_rewound(full: AuditLog) -> None:
    leaves = [e.leaf_hash for e in full.events()][:15]
    frontier: list[bytes] = []
    for i, leaf in enumerate(leaves):
        merkle.frontier_append(frontier, i, leaf)
    with full.store.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.idx >= 15))
        conn.execute(t.nodes.delete().where(((t.nodes.c.idx + 1) * (2**t.nodes.c.level)) > 15))
        conn.execute(t.state.update().values(size=15, frontier=merkle.pack(frontier)))
    _fails(full, "truncation", "tail truncated")


def test_unsigned_tail_removed_is_caught_by_the_head(full: AuditLog) -> None:
    full.append(AuditEvent("decision", "svc", {"i": SIZE}))
    _execute(full, t.events.delete().where(t.events.c.idx == SIZE))
    _fails(full, "size", f"head says {SIZE + 1} events but {SIZE} are stored")


def test_altered_checkpoint_signature(full: AuditLog) -> None:
    (first, _) = full.checkpoints()
    text, _, sig_line = first.note.rpartition("\u2014 ")
    name, _, b64 = sig_line.strip().rpartition(" ")
    flipped = b64[:10] + ("A" if b64[10] != "A" else "B") + b64[11:]
    note = f"{text}\u2014 {name} {flipped}\n"
    _execute(full, t.checkpoints.update().where(t.checkpoints.c.id == first.id).values(note=note))
    _fails(full, "signature", f"checkpoint {first.id}: checkpoint signature .* does not verify")


def test_checkpoint_signed_by_another_key(full: AuditLog) -> None:
    forger = Signer.generate()
    (first, _) = full.checkpoints()
    text = first.note.partition("\n\n")[0] + "\n"
    note = forger.sign_note(full.origin, text)
    _execute(full, t.checkpoints.update().where(t.checkpoints.c.id == first.id).values(note=note))
    _fails(full, "signature", "is not signed by")


def test_rolled_back_checkpoints(full: AuditLog) -> None:
    old = full.checkpoints()[0]
    with full.store.begin() as conn:
        conn.execute(
            t.checkpoints.insert().values(
                tree_size=old.size, root_hash=old.root, note=old.note, created_at=old.created_at
            )
        )
    _fails(full, "rollback", "fewer than the checkpoint before it")


def test_extra_cache_rows(full: AuditLog) -> None:
    _execute(full, t.nodes.insert().values(level=9, idx=0, hash=b"\x00" * 32))
    _fails(full, "nodes", "rows were added")


def test_verify_with_a_different_trusted_key(full: AuditLog) -> None:
    other = Signer.generate().verifier(full.origin)
    with pytest.raises(AuditError, match="not signed by"):
        full.verify(verifiers=[other])
    assert full.verify(verifiers=[other, full.verifier]).events == SIZE


def test_rewrite_with_stored_checkpoints_is_caught_by_an_external_one(full: AuditLog) -> None:
    kept_elsewhere = full.checkpoints()[-1].note
    leaves = [e.leaf_hash for e in full.events()][:15]
    frontier: list[bytes] = []
    for i, leaf in enumerate(leaves):
        merkle.frontier_append(frontier, i, leaf)
    with full.store.begin() as conn:  # a thorough attacker: events, cache, head and checkpoint
        conn.execute(t.events.delete().where(t.events.c.idx >= 15))
        conn.execute(t.nodes.delete().where(((t.nodes.c.idx + 1) * (2**t.nodes.c.level)) > 15))
        conn.execute(t.state.update().values(size=15, frontier=merkle.pack(frontier)))
        conn.execute(t.checkpoints.delete().where(t.checkpoints.c.tree_size == SIZE))
    assert full.verify().events == 15  # the store alone cannot tell
    with pytest.raises(AuditError, match="external checkpoint 1 signs a tree of 20 events") as info:
        full.verify(external=[kept_elsewhere])
    assert info.value.check == "truncation"  # type: ignore[attr-defined]


def test_external_checkpoint_must_be_signed_by_the_log(full: AuditLog) -> None:
    text = full.checkpoints()[0].note.partition("\n\n")[0] + "\n"
    forged = Signer.generate().sign_note(full.origin, text)
    with pytest.raises(AuditError, match=r"external checkpoint 1: .*not signed by"):
        full.verify(external=[forged])
    assert full.verify(external=[full.checkpoints()[0].note]).checkpoints == 2
