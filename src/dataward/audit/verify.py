"""``verify``: recompute the whole log and check it against every signed checkpoint.

Checks, in one pass over the events in index order:

* indexes run 0, 1, 2, … with no gap, and each stored document names its own index;
* each stored document is canonical, and its recomputed leaf hash equals the stored one;
* the cached subtree hashes equal the ones recomputed from the leaves;
* every checkpoint carries a valid signature by the log's key, for the log's origin, and its
  root equals the recomputed tree head at its size (no checkpoint is beyond the log's end);
* the log's state row (size and right edge) matches what was recomputed.

The first failure raises :class:`AuditError` whose message names the index (or checkpoint) and
the mismatch; its ``index`` / ``checkpoint`` / ``check`` attributes carry the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dataward.audit import merkle
from dataward.audit import tables as t
from dataward.audit.canonical import canonical
from dataward.audit.checkpoint import Checkpoint, Verifier, open_checkpoint
from dataward.audit.log import AuditLog
from dataward.errors import AuditError

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "origin": self.origin,
            "events": self.events,
            "checkpoints": self.checkpoints,
            "nodes": self.nodes,
            "root": self.root.hex(),
            "signed_size": self.signed_size,
        }


def _fail(message: str, check: str, **context: Any) -> AuditError:
    return AuditError(f"audit log verification failed: {message}", check=check, **context)


def verify(
    log: AuditLog,
    *,
    verifiers: list[Verifier] | None = None,
    external: list[str] | None = None,
) -> VerifyReport:
    """Verify ``log`` end to end; raise :class:`AuditError` at the first problem.

    ``verifiers``: the keys trusted to sign checkpoints (default: the log's own key).
    ``external``: signed checkpoint notes kept outside the store (a witness, a git repository);
    each must verify and match the log at its size, which catches a log rewritten together with
    its stored checkpoints."""
    trusted = verifiers or [log.verifier]
    with log.store.begin() as conn:
        state = conn.execute(sa.select(t.state).where(t.state.c.id == 1)).one()
        heads = _open_checkpoints(conn, log.origin, trusted)
        for number, note in enumerate(external or (), start=1):
            heads.append((-number, _open_external(number, note, log.origin, trusted)))
        pending = sorted({h.size for _, h in heads})
        roots: dict[int, bytes] = {}
        if pending and pending[0] == 0:
            roots[0] = merkle.EMPTY_ROOT
        frontier: list[bytes] = []
        size = 0
        node_count = 0
        while True:
            rows = conn.execute(
                sa.select(t.events.c.idx, t.events.c.canonical, t.events.c.leaf_hash)
                .where(t.events.c.idx >= size)
                .order_by(t.events.c.idx)
                .limit(PAGE)
            ).all()
            if not rows:
                break
            made: list[merkle.Node] = []
            for row in rows:
                leaf = _check_event(size, row.idx, bytes(row.canonical), bytes(row.leaf_hash))
                made.extend(merkle.frontier_append(frontier, size, leaf))
                size += 1
                if size in pending:
                    roots[size] = merkle.frontier_root(frontier)
            node_count += _check_nodes(conn, made)
        stored_nodes = conn.execute(sa.select(sa.func.count()).select_from(t.nodes)).scalar_one()
    for number, head in heads:
        label = f"checkpoint {number}" if number > 0 else f"external checkpoint {-number}"
        if head.size > size:
            raise _fail(
                f"{label} signs a tree of {head.size} events but the log holds only "
                f"{size}: events {size}..{head.size - 1} were removed (tail truncated)",
                "truncation",
                checkpoint=number,
                index=size,
            )
        if roots[head.size] != head.root:
            earlier = [h.size for _, h in heads if h.size < head.size and roots[h.size] == h.root]
            since = max(earlier, default=0)
            raise _fail(
                f"{label} (tree size {head.size}): the recomputed root differs from "
                f"the signed root; an event in indexes {since}..{head.size - 1} was altered, "
                "removed or reordered",
                "checkpoint-root",
                checkpoint=number,
                index=since,
            )
    if int(state.size) != size:
        raise _fail(
            f"the log's head says {state.size} events but {size} are stored"
            + (f": events {size}..{state.size - 1} were removed" if state.size > size else ""),
            "size",
            index=min(size, int(state.size)),
        )
    if merkle.unpack(bytes(state.frontier)) != frontier:
        raise _fail(
            "the log's stored right edge does not match its events (state row altered)", "state"
        )
    if stored_nodes != node_count:
        raise _fail(
            f"the subtree cache holds {stored_nodes} hashes but {size} events make "
            f"{node_count}: rows were added to it",
            "nodes",
        )
    stored = [h for n, h in heads if n > 0]
    signed = max((h.size for h in stored), default=0)
    root = merkle.frontier_root(frontier)
    return VerifyReport(size, len(stored), node_count, root, log.origin, signed)


def _check_event(expected: int, idx: int, data: bytes, stored_leaf: bytes) -> bytes:
    if idx != expected:
        raise _fail(
            f"event {expected} is missing: stored indexes jump from {expected - 1} to {idx}",
            "continuity",
            index=expected,
        )
    try:
        doc = json.loads(data)
        again = canonical(doc)
    except (ValueError, AuditError):
        raise _fail(
            f"event {idx} is not valid canonical JSON (altered)", "canonical", index=idx
        ) from None
    if again != data:
        raise _fail(f"event {idx} is not in canonical form (altered)", "canonical", index=idx)
    named = doc.get("index") if isinstance(doc, dict) else None
    if named != idx:
        raise _fail(
            f"event stored at index {idx} says it is event {named}: records were reordered "
            "or moved",
            "order",
            index=idx,
        )
    leaf = merkle.leaf_hash(data)
    if leaf != stored_leaf:
        raise _fail(
            f"event {idx}: its leaf hash does not match its content (the event was altered)",
            "leaf",
            index=idx,
        )
    return leaf


def _check_nodes(conn: Connection, made: list[merkle.Node]) -> int:
    """Compare recomputed subtree hashes with the cached ones (one query per level)."""
    by_level: dict[int, dict[int, bytes]] = {}
    for level, idx, h in made:
        by_level.setdefault(level, {})[idx] = h
    for level, want in by_level.items():
        lo, hi = min(want), max(want)
        stored = {
            int(r.idx): bytes(r.hash)
            for r in conn.execute(
                sa.select(t.nodes.c.idx, t.nodes.c.hash).where(
                    t.nodes.c.level == level, t.nodes.c.idx.between(lo, hi)
                )
            )
        }
        for idx in sorted(want):
            if stored.get(idx) != want[idx]:
                first, last = idx << level, ((idx + 1) << level) - 1
                raise _fail(
                    f"the subtree hash over events {first}..{last} (level {level}, index {idx}) "
                    "does not match the recomputed one: one of those events was altered, or the "
                    "cache was",
                    "nodes",
                    index=first,
                    level=level,
                )
    return len(made)


def _open_external(number: int, note: str, origin: str, trusted: list[Verifier]) -> Checkpoint:
    errors = []
    for verifier in trusted:
        try:
            head = open_checkpoint(note, verifier)
        except AuditError as exc:
            errors.append(exc.message)
            continue
        if head.origin != origin:
            break
        return head
    else:
        raise _fail(
            f"external checkpoint {number}: {'; '.join(errors)}", "signature", checkpoint=-number
        )
    raise _fail(
        f"external checkpoint {number} is for log {head.origin!r}, not {origin!r}",
        "origin",
        checkpoint=-number,
    )


def _open_checkpoints(
    conn: Connection, origin: str, trusted: list[Verifier]
) -> list[tuple[int, Checkpoint]]:
    heads: list[tuple[int, Checkpoint]] = []
    rows = conn.execute(sa.select(t.checkpoints).order_by(t.checkpoints.c.id)).all()
    for row in rows:
        errors = []
        head = None
        for verifier in trusted:
            try:
                head = open_checkpoint(row.note, verifier)
                break
            except AuditError as exc:
                errors.append(exc.message)
        if head is None:
            raise _fail(f"checkpoint {row.id}: {'; '.join(errors)}", "signature", checkpoint=row.id)
        if head.origin != origin:
            raise _fail(
                f"checkpoint {row.id} is for log {head.origin!r}, not {origin!r}",
                "origin",
                checkpoint=row.id,
            )
        if head.size != row.tree_size or head.root != bytes(row.root_hash):
            raise _fail(
                f"checkpoint {row.id}: its size or root column differs from its signed note",
                "checkpoint-row",
                checkpoint=row.id,
            )
        heads.append((int(row.id), head))
    sizes = [h.size for _, h in sorted(heads, key=lambda x: x[0])]
    for (number, head), previous in zip(heads[1:], sizes, strict=False):
        if head.size < previous:
            raise _fail(
                f"checkpoint {number} signs {head.size} events, fewer than the checkpoint "
                f"before it ({previous}): the log was rolled back",
                "rollback",
                checkpoint=number,
            )
    return heads
