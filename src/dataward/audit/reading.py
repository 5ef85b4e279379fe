"""Reading the audit log: tree heads, checkpoints, proofs and events (with the people in them
unsealed on request). :class:`dataward.audit.log.AuditLog` adds writing to it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dataward.audit import merkle
from dataward.audit import tables as t
from dataward.audit.actors import PSEUDONYM_PREFIX
from dataward.audit.checkpoint import Checkpoint
from dataward.audit.events import LoggedEvent, check_document
from dataward.audit.subjects import SubjectKeys, unseal
from dataward.errors import AuditError
from dataward.keys.signing import Signer, key_id
from dataward.store import Store


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A signed tree head kept in the store."""

    id: int
    size: int
    root: bytes
    note: str
    created_at: str


class LogReader:
    """The reading half of an audit log."""

    store: Store
    signer: Signer
    origin: str
    _keys: SubjectKeys

    def check_key(self, registered: object) -> None:
        """Raise unless ``registered`` (the key in the store) is this log's signing key."""
        if isinstance(registered, bytes | memoryview) and bytes(registered) == (
            self.signer.public_key
        ):
            return
        theirs = (
            key_id(self.origin, bytes(registered)).hex()
            if isinstance(registered, bytes | memoryview)
            else "unreadable"
        )
        raise AuditError(
            f"this host's audit signing key ({key_id(self.origin, self.signer.public_key).hex()})"
            f" is not the deployment's key ({theirs}) registered in the store: every host "
            "writing one store must share one key. Copy audit_signing.key from the host that "
            "first wrote this log into DATAWARD_HOME, or point the audit.signing_key setting "
            "(DATAWARD_AUDIT__SIGNING_KEY) at it",
            check="key",
        )

    def registered_key(self) -> bytes | None:
        """The public key registered in the store (``None`` before the first write)."""
        with self.store.begin() as conn:
            value = conn.execute(sa.select(t.state.c.public_key).where(t.state.c.id == 1)).scalar()
        if value is not None:
            self.check_key(value)
        return None if value is None else bytes(value)

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
                if decrypt and rows:
                    self._check_registered(conn)
                found = [self._read(conn, row, decrypt, keys) for row in rows]
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
        self, conn: Connection, row: Any, decrypt: bool, keys: dict[str, bytes | None]
    ) -> LoggedEvent:
        index, data, leaf = row.idx, row.canonical, row.leaf_hash
        try:
            if not isinstance(index, int) or not isinstance(data, bytes | memoryview):
                raise TypeError
            doc = check_document(json.loads(bytes(data)))
            leaf = bytes(leaf)
        except (TypeError, ValueError, RecursionError, AuditError):
            raise AuditError(
                f"audit event {index if isinstance(index, int) else '?'} is malformed in the "
                "store (altered); run `dataward audit verify`",
                check="row",
            ) from None
        subject = doc.get("subject")
        actor = doc["actor"]
        if decrypt:
            actor = self._person(conn, keys, doc, actor, "actor_sealed")
        base = (index, leaf, doc["kind"], actor, doc["time"])
        if subject is None:
            payload = doc.get("payload") or {}
            if decrypt and isinstance(payload.get("principal"), str):
                principal = self._person(conn, keys, doc, payload["principal"], "principal_sealed")
                payload = {**payload, "principal": principal}
            return LoggedEvent(*base, payload=payload)
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

    def _person(
        self,
        conn: Connection,
        keys: dict[str, bytes | None],
        doc: dict[str, Any],
        shown: str,
        field: str,
    ) -> str:
        """The person behind ``shown`` (``subject:<ref>``) if ``doc[field]`` seals them and their
        key is not erased; else ``shown``."""
        sealed = doc.get(field)
        if not isinstance(sealed, str) or not shown.startswith(PSEUDONYM_PREFIX):
            return shown
        ref = shown.removeprefix(PSEUDONYM_PREFIX)
        if ref not in keys:
            keys[ref] = self._keys.key_by_ref(conn, ref)
        key = keys[ref]
        return shown if key is None else unseal(key, ref, doc["index"], sealed)[0]

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

    def _check_registered(self, conn: Connection) -> None:
        registered = conn.execute(sa.select(t.state.c.public_key).where(t.state.c.id == 1)).scalar()
        if registered is not None:
            self.check_key(registered)

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
