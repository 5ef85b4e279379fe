"""``verify``: recompute the whole log and check it against every signed checkpoint and witness.

Checks, in one pass over the events in index order:

* the audit tables have the columns and column types the log writes, and every stored value
  has its type (a TEXT event, a NULL hash, garbage: a failure naming the row, never a crash);
* indexes run 0, 1, 2, … with no gap, and each stored document names its own index;
* each stored document is canonical, its recomputed leaf hash equals the stored one, and its
  clear columns (kind, actor, subject ref) equal the document's;
* the cached subtree hashes equal the ones recomputed from the leaves;
* every checkpoint carries a valid signature by a trusted key, for the log's origin, and its
  root equals the recomputed tree head at its size (no checkpoint is beyond the log's end);
* a checkpoint exists for every ``checkpoint_every`` events (none was deleted);
* every witness (outside the store) holds a checkpoint of this log that the log still
  contains: the same root at its size, and not more events than the log has;
* every subject key an event uses is in the store unless an ``erasure`` event destroyed it,
  and every destroyed key has one;
* the store's registered signing key is a trusted key;
* the log's state row (size and right edge) matches what was recomputed.

The first failure raises :class:`AuditError` whose message names the index (or checkpoint) and
the mismatch; its ``index`` / ``checkpoint`` / ``check`` attributes carry the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dataward.audit import merkle
from dataward.audit import tables as t
from dataward.audit.canonical import canonical
from dataward.audit.checkpoint import Checkpoint
from dataward.audit.checks import (
    Subjects,
    blob,
    check_schema,
    fail,
    integer,
    open_one,
    open_stored,
    parse_event,
)
from dataward.audit.witness import note_head
from dataward.errors import AuditError
from dataward.keys.signing import Verifier

if TYPE_CHECKING:
    from dataward.audit.log import AuditLog  # the log calls verify(): a type, not an import

PAGE = 5000


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """A log that passed: how much was checked and its current head."""

    events: int
    checkpoints: int
    nodes: int
    root: bytes
    origin: str
    signed_size: int
    """Events covered by the newest signed checkpoint; later ones are not yet signed."""
    witnessed_size: int = 0
    """Events covered by the oldest witness's checkpoint (0: no witness holds one yet)."""
    subject_keys: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "origin": self.origin,
            "events": self.events,
            "checkpoints": self.checkpoints,
            "nodes": self.nodes,
            "root": self.root.hex(),
            "signed_size": self.signed_size,
            "witnessed_size": self.witnessed_size,
            "subject_keys": self.subject_keys,
        }


@dataclass(frozen=True, slots=True)
class _Head:
    label: str
    number: int
    head: Checkpoint
    stored: bool


def verify(
    log: AuditLog,
    *,
    verifiers: list[Verifier] | None = None,
    external: list[str] | None = None,
    adopt_witness: bool = False,
) -> VerifyReport:
    """Verify ``log`` end to end; raise :class:`AuditError` at the first problem.

    ``verifiers``: the keys trusted to sign checkpoints (default: the log's own key).
    ``external``: signed checkpoint notes kept outside the store (a witness, a git repository);
    each must verify and match the log at its size, which catches a log rewritten together with
    its stored checkpoints. The log's witnesses (:attr:`AuditLog.witnesses`) are read too; a
    witness without a checkpoint of a log that has some fails verification unless
    ``adopt_witness`` (first use of a new home: it then takes the store's latest checkpoint).
    After a pass, every witness is given the newest verified checkpoint."""
    trusted = verifiers or [log.verifier]
    heads: list[_Head] = []
    for number, note in enumerate(external or (), start=1):
        label = f"external checkpoint {number}"
        heads.append(_Head(label, -number, _witnessed(note, label, -number, log, trusted), False))
    unwitnessed: list[str] = []
    for witness in log.witnesses:
        kept = witness.read(log.origin)
        if kept is None:
            unwitnessed.append(witness.name)
            continue
        label = f"the witness {witness.name}"
        heads.append(_Head(label, 0, _witnessed(kept, label, 0, log, trusted), False))
    try:
        with _snapshot(log) as conn:
            report = _verify_store(conn, log, trusted, heads)
    except sa.exc.SQLAlchemyError as exc:
        cause = type(getattr(exc, "orig", None) or exc).__name__
        raise fail(
            f"the audit tables cannot be read as the log writes them ({cause}): their schema "
            "or rows were altered",
            "schema",
        ) from None
    if unwitnessed and report.checkpoints and not adopt_witness:
        raise fail(
            f"no witness holds a checkpoint of this log ({', '.join(unwitnessed)}) though the "
            f"store has {report.checkpoints}: the log is not anchored outside the database. "
            "Copy audit_witness.note from a host that wrote this log into DATAWARD_HOME, or "
            "trust the store as it is now with `dataward audit verify --adopt-witness`",
            "witness-missing",
        )
    witnessed = min((h.head.size for h in heads if h.number == 0), default=0)
    if unwitnessed and adopt_witness:
        latest = log.latest_checkpoint()
        try:  # adopting must reach every witness: a swallowed failure would claim an anchor
            for witness in log.witnesses if latest is not None else ():
                witness.record(log.origin, latest.size, latest.note)  # type: ignore[union-attr]
        except (AuditError, OSError, sa.exc.SQLAlchemyError) as exc:
            raise fail(
                f"a witness could not take the store's checkpoint ({type(exc).__name__}): the "
                "log is not anchored outside the database",
                "witness-missing",
            ) from None
        witnessed = report.signed_size
    else:
        log.witness_latest()
    return VerifyReport(
        report.events,
        report.checkpoints,
        report.nodes,
        report.root,
        report.origin,
        report.signed_size,
        witnessed,
        report.subject_keys,
    )


@contextmanager
def _snapshot(log: AuditLog) -> Iterator[Connection]:
    """One transaction that sees the store as of one moment (PostgreSQL: REPEATABLE READ; a
    SQLite read transaction already does), so writers meanwhile cannot make a sound log look
    inconsistent (an erasure's key gone but its event not yet seen)."""
    with log.store.engine.connect() as conn:
        if log.store.dialect == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _witnessed(
    note: str, label: str, number: int, log: AuditLog, trusted: list[Verifier]
) -> Checkpoint:
    try:
        origin = note_head(note).origin
    except AuditError as exc:
        raise fail(f"{label}: {exc.message}", "witness", checkpoint=number) from None
    if origin != log.origin:
        raise fail(
            f"{label} holds a checkpoint of log {origin!r}, but the store holds log "
            f"{log.origin!r}: the store was replaced or re-created (if this home moved to a new "
            "store on purpose, move its audit_witness.note away)",
            "witness-origin",
            checkpoint=number,
        )
    return open_one(note, trusted, label, number)


def _verify_store(
    conn: Connection, log: AuditLog, trusted: list[Verifier], outside: list[_Head]
) -> VerifyReport:
    check_schema(conn)
    state = conn.execute(sa.select(t.state).where(t.state.c.id == 1)).first()
    if state is None:
        raise fail("the log's state row is missing (the table was emptied)", "state")
    state_size = integer(state.size, "the log's stored size", "state")
    state_frontier = blob(state.frontier, "the log's stored right edge", "state")
    stored_heads = open_stored(conn, log.origin, trusted)
    if state.public_key is not None:
        registered = blob(state.public_key, "the registered signing key", "key", size=32)
        if not any(v.public_key == registered for v in trusted):
            raise fail(
                "the signing key registered in the store is not a trusted key: another host "
                "wrote this log with its own key, or the key row was altered",
                "key",
            )
    heads = [_Head(f"checkpoint {n}", n, h, True) for n, h in stored_heads]
    heads += outside
    pending = {h.head.size for h in heads}
    roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
    subjects = Subjects()
    frontier: list[bytes] = []
    size = 0
    node_count = 0
    while True:
        rows = conn.execute(
            sa.select(t.events).where(t.events.c.idx >= size).order_by(t.events.c.idx).limit(PAGE)
        ).all()
        if not rows:
            break
        made: list[merkle.Node] = []
        for row in rows:
            leaf = _check_event(size, row, subjects)
            made.extend(merkle.frontier_append(frontier, size, leaf))
            size += 1
            if size in pending:
                roots[size] = merkle.frontier_root(frontier)
        node_count += _check_nodes(conn, made)
    stored_nodes = conn.execute(sa.select(sa.func.count()).select_from(t.nodes)).scalar_one()
    _check_heads(heads, roots, size)
    stored = [h.head for h in heads if h.stored]
    signed = max((h.size for h in stored), default=0)
    every = log.checkpoint_every
    if every and size and not stored:
        raise fail(
            f"the log holds {size} events but no signed checkpoint: the one signed with its "
            "first event was deleted (a log written before checkpoints were signed from the "
            "first event: `dataward audit checkpoint` signs one now)",
            "checkpoints-missing",
            index=0,
        )
    if every and signed < size // every * every:
        raise fail(
            f"the log holds {size} events but its newest signed checkpoint covers {signed}: one "
            f"is signed every {every} events, so checkpoints were deleted (if audit."
            "checkpoint_every was lowered, `dataward audit checkpoint` signs one now)",
            "checkpoints-missing",
            index=signed,
        )
    if state_size != size:
        raise fail(
            f"the log's head says {state_size} events but {size} are stored"
            + (f": events {size}..{state_size - 1} were removed" if state_size > size else ""),
            "size",
            index=min(size, state_size),
        )
    if merkle.unpack(state_frontier) != frontier:
        raise fail(
            "the log's stored right edge does not match its events (state row altered)", "state"
        )
    if stored_nodes != node_count:
        raise fail(
            f"the subtree cache holds {stored_nodes} hashes but {size} events make "
            f"{node_count}: rows were added to it",
            "nodes",
        )
    keys = subjects.check_keys(conn, log._keys)
    root = merkle.frontier_root(frontier)
    return VerifyReport(size, len(stored), node_count, root, log.origin, signed, 0, keys)


def _check_heads(heads: list[_Head], roots: dict[int, bytes], size: int) -> None:
    for h in heads:
        if h.head.size > size:
            raise fail(
                f"{h.label} signs a tree of {h.head.size} events but the log holds only "
                f"{size}: events {size}..{h.head.size - 1} were removed (tail truncated)",
                "truncation",
                checkpoint=h.number,
                index=size,
            )
        if roots[h.head.size] != h.head.root:
            earlier = [
                o.head.size
                for o in heads
                if o.head.size < h.head.size and roots[o.head.size] == o.head.root
            ]
            since = max(earlier, default=0)
            raise fail(
                f"{h.label} (tree size {h.head.size}): the recomputed root differs from "
                f"the signed root; an event in indexes {since}..{h.head.size - 1} was altered, "
                "removed or reordered",
                "checkpoint-root",
                checkpoint=h.number,
                index=since,
            )


def _check_event(expected: int, row: Any, subjects: Subjects) -> bytes:
    if isinstance(row.idx, bool) or not isinstance(row.idx, int):
        raise fail(
            f"the index of the event after {expected - 1} is not an integer (altered)",
            "row",
            index=expected,
        )
    idx = row.idx
    if idx != expected:
        raise fail(
            f"event {expected} is missing: stored indexes jump from {expected - 1} to {idx}",
            "continuity",
            index=expected,
        )
    data = blob(row.canonical, f"the stored bytes of event {idx}", index=idx)
    stored_leaf = blob(row.leaf_hash, f"the leaf hash of event {idx}", size=32, index=idx)
    doc = parse_event(idx, data)
    try:
        again = canonical(doc)
    except (AuditError, RecursionError):
        raise fail(
            f"event {idx} is not valid canonical JSON (altered)", "canonical", index=idx
        ) from None
    if again != data:
        raise fail(f"event {idx} is not in canonical form (altered)", "canonical", index=idx)
    named = doc.get("index")
    if type(named) is not int or named != idx:
        raise fail(
            f"event stored at index {idx} says it is event {named}: records were reordered "
            "or moved",
            "order",
            index=idx,
        )
    leaf = merkle.leaf_hash(data)
    if leaf != stored_leaf:
        raise fail(
            f"event {idx}: its leaf hash does not match its content (the event was altered)",
            "leaf",
            index=idx,
        )
    subjects.see(idx, doc, row)
    return leaf


def _check_nodes(conn: Connection, made: list[merkle.Node]) -> int:
    """Compare recomputed subtree hashes with the cached ones (one query per level)."""
    by_level: dict[int, dict[int, bytes]] = {}
    for level, idx, h in made:
        by_level.setdefault(level, {})[idx] = h
    for level, want in by_level.items():
        lo, hi = min(want), max(want)
        stored = {
            r.idx: r.hash
            for r in conn.execute(
                sa.select(t.nodes.c.idx, t.nodes.c.hash).where(
                    t.nodes.c.level == level, t.nodes.c.idx.between(lo, hi)
                )
            )
        }
        for idx in sorted(want):
            found = stored.get(idx)
            if isinstance(found, memoryview):
                found = bytes(found)
            if found != want[idx]:
                first, last = idx << level, ((idx + 1) << level) - 1
                raise fail(
                    f"the subtree hash over events {first}..{last} (level {level}, index {idx}) "
                    "does not match the recomputed one: one of those events was altered, or the "
                    "cache was",
                    "nodes",
                    index=first,
                    level=level,
                )
    return len(made)
