"""The audit log: an append-only RFC 6962 Merkle tree in the store, with signed checkpoints."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dataward.audit import merkle
from dataward.audit import tables as t
from dataward.audit.canonical import canonical
from dataward.audit.checkpoint import Checkpoint, Signer, Verifier
from dataward.audit.events import AuditEvent, EventKind, LoggedEvent, check_document, header
from dataward.audit.subjects import SubjectKeys, seal, unseal
from dataward.errors import AuditError
from dataward.store import Store

if TYPE_CHECKING:
    from dataward.audit.verify import VerifyReport

DEFAULT_CHECKPOINT_EVERY = 1000
_RETRIES = 5
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where an appended event landed: its index and leaf hash."""

    index: int
    leaf_hash: bytes


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A signed tree head kept in the store."""

    id: int
    size: int
    root: bytes
    note: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Erasure:
    """What :meth:`AuditLog.erase` did: the subject's key ref, the events it sealed, and the
    index of the ``erasure`` event recording it."""

    subject_ref: str
    events: int
    receipt: Receipt


class AuditLog:
    """Append events, read them back, prove them, erase subjects.

    Appends are serialized by the single ``audit_state`` row (the first statement of every
    append updates it, which takes PostgreSQL's row lock and SQLite's write lock), so indexes
    are gap-free and unique across threads and processes. A checkpoint is signed automatically
    each time the log crosses a multiple of ``checkpoint_every`` events (``None``: only when
    :meth:`checkpoint` is called).
    """

    def __init__(
        self,
        store: Store,
        signer: Signer,
        *,
        checkpoint_every: int | None = DEFAULT_CHECKPOINT_EVERY,
    ) -> None:
        self.store = store
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self._keys = SubjectKeys(signer)
        with store.begin() as conn:
            origin = conn.execute(sa.select(t.state.c.origin).where(t.state.c.id == 1)).scalar()
        if origin is None:
            raise AuditError("the audit log's state row is missing: the store is damaged")
        self.origin: str = origin

    @property
    def verifier(self) -> Verifier:
        """The public key that checks this log's checkpoints."""
        return self.signer.verifier(self.origin)

    # --- writing --------------------------------------------------------------------------

    def append(self, event: AuditEvent) -> Receipt:
        return self.append_many([event])[0]

    def append_many(self, events: Iterable[AuditEvent]) -> list[Receipt]:
        """Append events in one transaction, in order; all or none are written."""
        batch = list(events)
        if not batch:
            return []
        for event in batch:
            if not isinstance(event, AuditEvent):
                raise AuditError(f"can only append AuditEvent, not {type(event).__name__}")
        return self._write(lambda conn: self._append(conn, batch))

    def _write(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in a write transaction; retry while SQLite reports the database locked
        (many writers queueing past its busy timeout)."""
        for attempt in range(_RETRIES):
            try:
                with self.store.begin() as conn:
                    return work(conn)
            except sa.exc.OperationalError as exc:
                locked = "locked" in str(exc.orig) or "busy" in str(exc.orig)
                if self.store.dialect != "sqlite" or not locked:
                    raise
                if attempt == _RETRIES - 1:
                    raise AuditError(
                        f"the audit log stayed locked by other writers through {_RETRIES} "
                        "attempts; retry later or move the store to PostgreSQL"
                    ) from None
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _append(self, conn: Connection, batch: Sequence[AuditEvent]) -> list[Receipt]:
        start, frontier = self._reserve(conn, len(batch))
        rows: list[dict[str, Any]] = []
        new_nodes: list[dict[str, Any]] = []
        receipts: list[Receipt] = []
        keys: dict[str, tuple[str, bytes]] = {}
        for offset, event in enumerate(batch):
            index = start + offset
            doc = header(index, event)
            ref = None
            if event.subject_id is None:
                doc["payload"] = event.payload
            else:
                if event.subject_id not in keys:
                    keys[event.subject_id] = self._keys.key_for(conn, event.subject_id)
                ref, key = keys[event.subject_id]
                sealed = seal(key, ref, index, event.subject_id, event.payload)
                doc["subject"] = {"ref": ref, "sealed": sealed}
            data = canonical(doc)
            leaf = merkle.leaf_hash(data)
            for level, idx, h in merkle.frontier_append(frontier, index, leaf):
                new_nodes.append({"level": level, "idx": idx, "hash": h})
            rows.append(
                {
                    "idx": index,
                    "kind": event.kind,
                    "actor": event.actor,
                    "time": doc["time"],
                    "subject_ref": ref,
                    "canonical": data,
                    "leaf_hash": leaf,
                }
            )
            receipts.append(Receipt(index, leaf))
        conn.execute(t.events.insert(), rows)
        if new_nodes:
            conn.execute(t.nodes.insert(), new_nodes)
        end = start + len(batch)
        conn.execute(
            t.state.update().where(t.state.c.id == 1).values(frontier=merkle.pack(frontier))
        )
        every = self.checkpoint_every
        if every and start // every != end // every:
            self._sign(conn, Checkpoint(self.origin, end, merkle.frontier_root(frontier)))
        return receipts

    def _reserve(self, conn: Connection, n: int) -> tuple[int, list[bytes]]:
        """Take the log's write lock and reserve ``n`` indexes; returns the first index and the
        tree's right edge before them."""
        row = conn.execute(
            t.state.update()
            .where(t.state.c.id == 1)
            .values(size=t.state.c.size + n)
            .returning(t.state.c.size, t.state.c.frontier)
        ).one()
        return int(row.size) - n, merkle.unpack(row.frontier)

    def checkpoint(self) -> StoredCheckpoint:
        """Sign the current tree head and store it."""

        def work(conn: Connection) -> StoredCheckpoint:
            size, frontier = self._reserve(conn, 0)
            return self._sign(conn, Checkpoint(self.origin, size, merkle.frontier_root(frontier)))

        return self._write(work)

    def _sign(self, conn: Connection, head: Checkpoint) -> StoredCheckpoint:
        note = self.signer.sign_note(self.origin, head.text())
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        row_id = conn.execute(
            t.checkpoints.insert()
            .values(tree_size=head.size, root_hash=head.root, note=note, created_at=created)
            .returning(t.checkpoints.c.id)
        ).scalar_one()
        return StoredCheckpoint(int(row_id), head.size, head.root, note, created)

    def erase(self, subject_id: str, *, actor: str = "dataward") -> Erasure:
        """Destroy the subject's key: their details in every event become unreadable, every
        proof stays valid, and an ``erasure`` event (naming only the key ref) is appended."""

        def work(conn: Connection) -> Erasure:
            self._reserve(conn, 0)  # serialize with appends
            ref = self._keys.erase(conn, subject_id)
            if ref is None:
                raise AuditError("no audit event concerns this subject (or it is already erased)")
            count = conn.execute(
                sa.select(sa.func.count())
                .select_from(t.events)
                .where(t.events.c.subject_ref == ref)
            ).scalar_one()
            event = AuditEvent(EventKind.ERASURE, actor, {"subject_ref": ref, "events": int(count)})
            (receipt,) = self._append(conn, [event])
            return Erasure(ref, int(count), receipt)

        return self._write(work)

    def verify(
        self, *, verifiers: list[Verifier] | None = None, external: list[str] | None = None
    ) -> VerifyReport:
        """Recompute and check the whole log (see :func:`dataward.audit.verify.verify`)."""
        from dataward.audit.verify import verify

        return verify(self, verifiers=verifiers, external=external)

    # --- reading --------------------------------------------------------------------------

    def size(self) -> int:
        with self.store.begin() as conn:
            return int(
                conn.execute(sa.select(t.state.c.size).where(t.state.c.id == 1)).scalar_one()
            )

    def head(self, size: int | None = None) -> Checkpoint:
        """The (unsigned) tree head at ``size`` leaves, the current size by default."""
        with self.store.begin() as conn:
            row = conn.execute(sa.select(t.state).where(t.state.c.id == 1)).one()
            current = int(row.size)
            if size is None or size == current:
                return Checkpoint(
                    self.origin, current, merkle.frontier_root(merkle.unpack(row.frontier))
                )
            _check_size(size, current)
            return Checkpoint(self.origin, size, self._range_hashes(conn, [(0, size)])[0])

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self.store.begin() as conn:
            rows = conn.execute(sa.select(t.checkpoints).order_by(t.checkpoints.c.id)).all()
        return [
            StoredCheckpoint(r.id, r.tree_size, r.root_hash, r.note, r.created_at) for r in rows
        ]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self.store.begin() as conn:
            r = conn.execute(
                sa.select(t.checkpoints)
                .order_by(t.checkpoints.c.tree_size.desc(), t.checkpoints.c.id.desc())
                .limit(1)
            ).first()
        return (
            None
            if r is None
            else StoredCheckpoint(r.id, r.tree_size, r.root_hash, r.note, r.created_at)
        )

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 6962 audit path for event ``index`` in the tree of ``size`` events."""
        with self.store.begin() as conn:
            current = self._current(conn)
            size = current if size is None else size
            _check_size(size, current)
            if not 0 <= index < size:
                raise AuditError(f"no event {index} in a log of {size} events", index=index)
            return self._range_hashes(conn, merkle.inclusion_ranges(index, size))

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """RFC 6962 consistency proof from the tree of ``old`` events to that of ``new``."""
        with self.store.begin() as conn:
            current = self._current(conn)
            new = current if new is None else new
            _check_size(new, current)
            if not 0 < old <= new:
                raise AuditError(f"no consistency proof from size {old} to size {new}")
            return self._range_hashes(conn, merkle.consistency_ranges(old, new))

    def events(
        self, start: int = 0, limit: int | None = None, *, decrypt: bool = False
    ) -> Iterator[LoggedEvent]:
        """Events from index ``start`` on, in order. Personal details are decrypted only when
        ``decrypt`` is true (and the subject is not erased)."""
        page = 1000
        next_index = start
        while limit is None or next_index < start + limit:
            want = page if limit is None else min(page, start + limit - next_index)
            with self.store.begin() as conn:
                rows = conn.execute(
                    sa.select(t.events.c.idx, t.events.c.canonical, t.events.c.leaf_hash)
                    .where(t.events.c.idx >= next_index)
                    .order_by(t.events.c.idx)
                    .limit(want)
                ).all()
                keys: dict[str, bytes | None] = {}
                found = [
                    self._read(conn, row.idx, row.canonical, bytes(row.leaf_hash), decrypt, keys)
                    for row in rows
                ]
            yield from found  # outside the transaction: the caller may write meanwhile
            if len(rows) < want:
                return
            next_index = rows[-1].idx + 1

    def event(self, index: int, *, decrypt: bool = False) -> LoggedEvent:
        for found in self.events(index, 1, decrypt=decrypt):
            if found.index == index:
                return found
        raise AuditError(f"no event {index} in the audit log", index=index)

    def _read(
        self,
        conn: Connection,
        index: int,
        data: bytes,
        leaf: bytes,
        decrypt: bool,
        keys: dict[str, bytes | None],
    ) -> LoggedEvent:
        doc = check_document(json.loads(data))
        subject = doc.get("subject")
        base = (index, leaf, doc["kind"], doc["actor"], doc["time"])
        if subject is None:
            return LoggedEvent(*base, payload=doc.get("payload") or {})
        ref = subject["ref"]
        if not decrypt:
            return LoggedEvent(*base, payload=None, subject_ref=ref, personal="sealed")
        if ref not in keys:
            keys[ref] = self._keys.key_by_ref(conn, ref)
        key = keys[ref]
        if key is None:
            return LoggedEvent(*base, payload=None, subject_ref=ref, personal="erased")
        subject_id, payload = unseal(key, ref, doc["index"], subject["sealed"])
        return LoggedEvent(
            *base, payload=payload, subject_ref=ref, subject_id=subject_id, personal="readable"
        )

    def canonical(self, index: int) -> bytes:
        """The exact bytes of event ``index`` that its leaf hash is over."""
        with self.store.begin() as conn:
            data = conn.execute(
                sa.select(t.events.c.canonical).where(t.events.c.idx == index)
            ).scalar()
        if data is None:
            raise AuditError(f"no event {index} in the audit log", index=index)
        return bytes(data)

    # --- internals ------------------------------------------------------------------------

    def _current(self, conn: Connection) -> int:
        return int(conn.execute(sa.select(t.state.c.size).where(t.state.c.id == 1)).scalar_one())

    def _range_hashes(self, conn: Connection, ranges: Sequence[merkle.Range]) -> list[bytes]:
        """Hashes of proof ranges from the cached complete subtrees (one query per level)."""
        wanted: dict[int, set[int]] = {}
        for a, b in ranges:
            for level, idx in merkle.perfect_blocks(a, b):
                wanted.setdefault(level, set()).add(idx)
        found: dict[tuple[int, int], bytes] = {}
        for level, idxs in wanted.items():
            if level == 0:
                query = sa.select(t.events.c.idx, t.events.c.leaf_hash).where(
                    t.events.c.idx.in_(sorted(idxs))
                )
            else:
                query = sa.select(t.nodes.c.idx, t.nodes.c.hash).where(
                    t.nodes.c.level == level, t.nodes.c.idx.in_(sorted(idxs))
                )
            for idx, h in conn.execute(query):
                found[(level, idx)] = bytes(h)

        def node(level: int, idx: int) -> bytes:
            try:
                return found[(level, idx)]
            except KeyError:
                raise AuditError(
                    f"Merkle subtree (level {level}, index {idx}) is missing from the store; "
                    "run `dataward audit verify`",
                    level=level,
                    index=idx,
                ) from None

        return [merkle.range_hash(a, b, node) for a, b in ranges]


def _check_size(size: int, current: int) -> None:
    if not 0 <= size <= current:
        raise AuditError(f"the log has {current} events; no tree of size {size}", size=size)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
