"""The audit log: an append-only RFC 6962 Merkle tree in the store, with signed checkpoints."""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dataward.audit import merkle
from dataward.audit import tables as t
from dataward.audit.actors import PSEUDONYM_PREFIX, is_service
from dataward.audit.canonical import canonical
from dataward.audit.checkpoint import Checkpoint
from dataward.audit.events import AuditEvent, ErasureEvent, envelope, header
from dataward.audit.reading import LogReader
from dataward.audit.reading import StoredCheckpoint as StoredCheckpoint
from dataward.audit.subjects import SubjectKeys, seal
from dataward.audit.witness import Witness
from dataward.errors import AuditError
from dataward.keys.signing import Signer, Verifier
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
class Erasure:
    """What :meth:`AuditLog.erase` did: the subject's key ref, the events it sealed, and the
    index of the ``erasure`` event recording it."""

    subject_ref: str
    events: int
    receipt: Receipt


class AuditLog(LogReader):
    """Append events, read them back, prove them, erase subjects.

    Appends are serialized by the single ``audit_state`` row (the first statement of every
    append updates it, which takes PostgreSQL's row lock and SQLite's write lock), so indexes
    are gap-free and unique across threads and processes. A checkpoint is signed automatically
    with the first event (of the empty tree: a genesis that verify requires of every log with
    events) and each time the log crosses a multiple of ``checkpoint_every`` events (``None``:
    neither, only when
    :meth:`checkpoint` is called), and :meth:`verify` fails when one is missing. Each signed
    checkpoint is also given to the ``witnesses`` (outside the store) once it is committed.

    The first write registers the signer's public key in the store; a log whose registered key
    is another refuses to be written (one signing key per deployment, never a forked log).
    Actors that are not service identities are recorded as erasable subjects
    (:mod:`dataward.audit.actors`).
    """

    def __init__(
        self,
        store: Store,
        signer: Signer,
        *,
        checkpoint_every: int | None = DEFAULT_CHECKPOINT_EVERY,
        witnesses: Sequence[Witness] = (),
    ) -> None:
        self.store = store
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.witnesses = tuple(witnesses)
        self._keys = SubjectKeys(signer)
        try:
            with store.begin() as conn:
                origin = conn.execute(sa.select(t.state.c.origin).where(t.state.c.id == 1)).scalar()
        except sa.exc.DBAPIError:
            raise AuditError(
                "the audit log's state table cannot be read: the store is damaged or its audit "
                "tables were altered; run `dataward audit verify`",
                check="schema",
            ) from None
        if not isinstance(origin, str) or not origin:
            raise AuditError(
                "the audit log's state row is missing or damaged (the audit tables were "
                "truncated or altered); the log cannot be trusted or written",
                check="state",
            )
        self.origin: str = origin

    @property
    def verifier(self) -> Verifier:
        """The public key that checks this log's checkpoints."""
        return self.signer.verifier(self.origin)

    # --- writing --------------------------------------------------------------------------

    def append(self, event: AuditEvent) -> Receipt:
        return self.append_many([event])[0]

    def append_many(
        self, events: Iterable[AuditEvent], *, conn: Connection | None = None
    ) -> list[Receipt]:
        """Append events in one transaction, in order; all or none are written.

        With ``conn``, the events join the caller's transaction (commit it to keep them); a
        checkpoint signed there reaches the witnesses when the caller commits."""
        batch = list(events)
        if not batch:
            return []
        for event in batch:
            if not isinstance(event, AuditEvent):
                raise AuditError(f"can only append AuditEvent, not {type(event).__name__}")
        if conn is not None:
            signed: list[StoredCheckpoint] = []
            receipts = self._append(conn, batch, signed)
            if signed and self.witnesses:
                self._witness_on_commit(conn, signed)
            return receipts
        return self._write(lambda conn, signed: self._append(conn, batch, signed))

    def _write(self, work: Callable[[Connection, list[StoredCheckpoint]], _T]) -> _T:
        """Run ``work`` in a write transaction; retry while SQLite reports the database locked
        (many writers queueing past its busy timeout). Checkpoints it signed go to the
        witnesses after the commit."""
        for attempt in range(_RETRIES):
            signed: list[StoredCheckpoint] = []
            try:
                with self.store.begin() as conn:
                    result = work(conn, signed)
                for cp in signed:
                    self.witness(cp)
                return result
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

    def _witness_on_commit(self, conn: Connection, signed: list[StoredCheckpoint]) -> None:
        """Give ``signed`` to the witnesses when the caller commits ``conn``'s transaction;
        forget them if it rolls back (a witness must never hold a head the store lacks)."""
        done = False

        def on_commit(_conn: Connection) -> None:
            nonlocal done
            if not done:
                done = True
                for cp in signed:
                    self.witness(cp)

        def on_rollback(_conn: Connection) -> None:
            nonlocal done
            done = True

        sa.event.listen(conn, "commit", on_commit)
        sa.event.listen(conn, "rollback", on_rollback)

    def witness(self, cp: StoredCheckpoint) -> None:
        """Give a committed checkpoint to every witness. A witness that cannot take it is
        skipped: it stays behind (never wrong), and verify reports a missing witness."""
        for witness in self.witnesses:
            with contextlib.suppress(AuditError, OSError, sa.exc.SQLAlchemyError):
                witness.record(self.origin, cp.size, cp.note)

    def _append(
        self, conn: Connection, batch: Sequence[AuditEvent], signed: list[StoredCheckpoint]
    ) -> list[Receipt]:
        start, frontier = self._reserve(conn, len(batch))
        rows: list[dict[str, Any]] = []
        new_nodes: list[dict[str, Any]] = []
        receipts: list[Receipt] = []
        keys: dict[str, tuple[str, bytes]] = {}
        for offset, event in enumerate(batch):
            index = start + offset
            doc = header(index, event)
            actor = event.actor
            if not is_service(actor):  # a person: an erasable subject, never in clear
                actor, doc["actor_sealed"] = self._pseudonym(conn, keys, actor, index, "actor")
                doc["actor"] = actor
            ref = None
            if event.subject_id is None:
                payload = dict(event.payload)
                principal = payload.get("principal")
                if isinstance(principal, str) and not is_service(principal):
                    payload["principal"], doc["principal_sealed"] = self._pseudonym(
                        conn, keys, principal, index, "principal"
                    )
                doc["payload"] = payload
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
                    "actor": actor,
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
        if every and start == 0:  # genesis: from the first event on, a log has a checkpoint
            signed.append(self._sign(conn, Checkpoint(self.origin, 0, merkle.EMPTY_ROOT)))
        if every and start // every != end // every:
            head = Checkpoint(self.origin, end, merkle.frontier_root(frontier))
            signed.append(self._sign(conn, head))
        return receipts

    def _pseudonym(
        self,
        conn: Connection,
        keys: dict[str, tuple[str, bytes]],
        person: str,
        index: int,
        role: str,
    ) -> tuple[str, str]:
        """``subject:<ref>`` for a person, and their id sealed under their subject key."""
        if person not in keys:
            keys[person] = self._keys.key_for(conn, person)
        ref, key = keys[person]
        return PSEUDONYM_PREFIX + ref, seal(key, ref, index, person, {"role": role})

    def _reserve(self, conn: Connection, n: int) -> tuple[int, list[bytes]]:
        """Take the log's write lock and reserve ``n`` indexes; returns the first index and the
        tree's right edge before them. Registers this signer's key on the first write and
        refuses a log registered to another key."""
        row = conn.execute(
            t.state.update()
            .where(t.state.c.id == 1)
            .values(size=t.state.c.size + n)
            .returning(t.state.c.size, t.state.c.frontier, t.state.c.public_key)
        ).first()
        if row is None:
            raise AuditError(
                "the audit log's state row is missing (the audit tables were truncated); "
                "nothing can be appended",
                check="state",
            )
        if row.public_key is None:
            conn.execute(
                t.state.update().where(t.state.c.id == 1).values(public_key=self.signer.public_key)
            )
        else:
            self.check_key(row.public_key)
        if not isinstance(row.frontier, bytes | memoryview) or not isinstance(row.size, int):
            raise AuditError("the audit log's state row is damaged; run `dataward audit verify`")
        return int(row.size) - n, merkle.unpack(bytes(row.frontier))

    def checkpoint(self) -> StoredCheckpoint:
        """Sign the current tree head and store it (and give it to the witnesses)."""

        def work(conn: Connection, signed: list[StoredCheckpoint]) -> StoredCheckpoint:
            size, frontier = self._reserve(conn, 0)
            head = Checkpoint(self.origin, size, merkle.frontier_root(frontier))
            signed.append(self._sign(conn, head))
            return signed[-1]

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

        def work(conn: Connection, signed: list[StoredCheckpoint]) -> Erasure:
            self._reserve(conn, 0)  # serialize with appends
            ref = self._keys.erase(conn, subject_id)
            if ref is None:
                raise AuditError("no audit event concerns this subject (or it is already erased)")
            count = conn.execute(
                sa.select(sa.func.count())
                .select_from(t.events)
                .where(
                    sa.or_(
                        t.events.c.subject_ref == ref,
                        t.events.c.actor == PSEUDONYM_PREFIX + ref,
                    )
                )
            ).scalar_one()
            event = envelope(ErasureEvent(subject_ref=ref, events=int(count)), actor=actor)
            (receipt,) = self._append(conn, [event], signed)
            return Erasure(ref, int(count), receipt)

        return self._write(work)

    def verify(
        self,
        *,
        verifiers: list[Verifier] | None = None,
        external: list[str] | None = None,
        adopt_witness: bool = False,
    ) -> VerifyReport:
        """Recompute and check the whole log (see :func:`dataward.audit.verify.verify`)."""
        from dataward.audit.verify import verify

        return verify(self, verifiers=verifiers, external=external, adopt_witness=adopt_witness)

    def witness_latest(self) -> StoredCheckpoint | None:
        """Give the store's newest checkpoint to the witnesses (after a verify passed)."""
        latest = self.latest_checkpoint()
        if latest is not None:
            self.witness(latest)
        return latest


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
