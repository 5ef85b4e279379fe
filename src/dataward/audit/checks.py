"""The pieces of :func:`dataward.audit.verify.verify` that look at rows one by one.

Nothing here trusts a stored value's type: a database-only attacker can change a column's type
(PostgreSQL ``ALTER COLUMN … TYPE text``), store TEXT in a BLOB column (SQLite), or write NULLs
and garbage. Every such row is a verification failure that names the table, the column and the
row, never a crash; and no stored value is ever quoted (it may hold what we protect).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dataward.audit import tables as t
from dataward.audit.actors import PSEUDONYM_PREFIX
from dataward.audit.checkpoint import Checkpoint, open_checkpoint
from dataward.audit.events import EventKind
from dataward.audit.subjects import SubjectKeys
from dataward.errors import AuditError
from dataward.keys.signing import Verifier

_FAMILY = (
    (sa.LargeBinary, "binary"),
    (sa.Integer, "integer"),  # BigInteger and SmallInteger too
    (sa.String, "text"),  # Text too
)


def fail(message: str, check: str, **context: Any) -> AuditError:
    return AuditError(f"audit log verification failed: {message}", check=check, **context)


def _family(type_: Any) -> str:
    for cls, name in _FAMILY:
        if isinstance(type_, cls):
            return name
    return type(type_).__name__.lower()


def check_schema(conn: Connection) -> None:
    """Every audit table exists with the columns and column types the log writes."""
    inspector = sa.inspect(conn)
    for table in (t.state, t.events, t.nodes, t.checkpoints, t.subject_keys):
        if not inspector.has_table(table.name):
            raise fail(f"the table {table.name} is missing (dropped)", "schema", table=table.name)
        found = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in found:
                raise fail(
                    f"the column {table.name}.{column.name} is missing", "schema", table=table.name
                )
            want, have = _family(column.type), _family(found[column.name])
            if want != have:
                raise fail(
                    f"the column {table.name}.{column.name} holds {have}, not {want}: its type "
                    "was changed",
                    "schema",
                    table=table.name,
                )


def blob(value: Any, where: str, check: str = "row", size: int | None = None, **ctx: Any) -> bytes:
    """``value`` as bytes, or a failure naming ``where`` (``audit_events.canonical of event
    7``); ``size``: the exact length it must have."""
    if isinstance(value, memoryview):
        value = bytes(value)
    if not isinstance(value, bytes):
        got = "NULL" if value is None else type(value).__name__
        raise fail(f"{where} is {got}, not bytes (the row was altered)", check, **ctx)
    if size is not None and len(value) != size:
        raise fail(f"{where} is {len(value)} bytes, not {size} (the row was altered)", check, **ctx)
    return value


def integer(value: Any, where: str, check: str = "row", **ctx: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        got = "NULL" if value is None else type(value).__name__
        raise fail(f"{where} is {got}, not an integer (the row was altered)", check, **ctx)
    return value


def text(value: Any, where: str, check: str = "row", **ctx: Any) -> str:
    if not isinstance(value, str):
        got = "NULL" if value is None else type(value).__name__
        raise fail(f"{where} is {got}, not text (the row was altered)", check, **ctx)
    return value


class Subjects:
    """Accounts for subject keys while the events go by: every key an event uses must still
    be in the store unless an ``erasure`` event destroyed it, and every destroyed key must have
    its ``erasure`` event."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}
        """ref -> the first event that uses it."""
        self.erased: dict[str, int] = {}
        """ref -> the erasure event that destroyed it."""

    def see(self, index: int, doc: dict[str, Any], row: Any) -> None:
        """Check one event's clear columns against its document and note the refs it uses."""
        subject = doc.get("subject")
        ref = subject.get("ref") if isinstance(subject, dict) else None
        actor = doc.get("actor")
        if row.kind != doc.get("kind") or row.actor != actor or row.subject_ref != ref:
            raise fail(
                f"event {index}: its kind, actor or subject_ref column differs from the event "
                "(the row was altered)",
                "columns",
                index=index,
            )
        if subject is not None and not (
            isinstance(ref, str) and isinstance(subject.get("sealed"), str)
        ):
            raise fail(f"event {index} has a malformed subject", "canonical", index=index)
        if isinstance(ref, str):
            self.used.setdefault(ref, index)
        payload = doc.get("payload")
        principal = payload.get("principal") if isinstance(payload, dict) else None
        for shown, field in ((actor, "actor_sealed"), (principal, "principal_sealed")):
            if field not in doc:
                continue
            if not (
                isinstance(shown, str)
                and shown.startswith(PSEUDONYM_PREFIX)
                and isinstance(doc[field], str)
            ):
                raise fail(f"event {index} has a malformed {field}", "canonical", index=index)
            self.used.setdefault(shown.removeprefix(PSEUDONYM_PREFIX), index)
        if doc.get("kind") == EventKind.ERASURE:
            payload = doc.get("payload")
            erased = payload.get("subject_ref") if isinstance(payload, dict) else None
            if isinstance(erased, str):
                self.erased.setdefault(erased, index)

    def check_keys(self, conn: Connection, keys: SubjectKeys) -> int:
        """Compare with ``audit_subject_keys``; returns how many key rows were checked."""
        rows = conn.execute(
            sa.select(t.subject_keys.c.ref, t.subject_keys.c.wrapped_key, t.subject_keys.c.lookup)
        ).all()
        present: set[str] = set()
        for row in rows:
            ref = text(row.ref, "an audit_subject_keys ref", "subject-keys")
            present.add(ref)
            where = f"subject key {ref}"
            if row.wrapped_key is None:
                if ref not in self.erased:
                    raise fail(
                        f"{where} was destroyed but no erasure event records it (an erasure "
                        "outside Dataward, or the row was altered)",
                        "subject-keys",
                        ref=ref,
                    )
                continue
            wrapped = blob(row.wrapped_key, f"the wrapped key of {where}", "subject-keys")
            if row.lookup is not None:
                blob(row.lookup, f"the lookup of {where}", "subject-keys", size=32)
            if ref in self.erased:
                raise fail(
                    f"{where} is present though erasure event {self.erased[ref]} destroyed it "
                    "(the key was restored)",
                    "subject-keys",
                    ref=ref,
                )
            try:
                keys.unwrap(ref, wrapped)
            except AuditError:
                raise fail(
                    f"{where} does not unwrap under the deployment's key (altered or replaced)",
                    "subject-keys",
                    ref=ref,
                ) from None
        for ref, index in sorted(self.used.items(), key=lambda item: item[1]):
            if ref not in present and ref not in self.erased:
                raise fail(
                    f"subject key {ref} (first used by event {index}) is gone and no erasure "
                    "event records its destruction (the row was deleted)",
                    "subject-keys",
                    ref=ref,
                    index=index,
                )
        return len(rows)


def parse_event(index: int, data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise fail(f"event {index} is not valid JSON (altered)", "canonical", index=index) from None
    if not isinstance(doc, dict):
        raise fail(f"event {index} is not a JSON object (altered)", "canonical", index=index)
    return doc


def open_stored(
    conn: Connection, origin: str, trusted: list[Verifier]
) -> list[tuple[int, Checkpoint]]:
    """The stored checkpoints, each checked: signature, origin, columns, no rollback."""
    heads: list[tuple[int, Checkpoint]] = []
    rows = conn.execute(sa.select(t.checkpoints).order_by(t.checkpoints.c.id)).all()
    for row in rows:
        number = integer(row.id, "an audit_checkpoints id", "checkpoint-row")
        note = text(row.note, f"the note of checkpoint {number}", "checkpoint-row")
        head = open_one(note, trusted, f"checkpoint {number}", number)
        if head.origin != origin:
            raise fail(
                f"checkpoint {number} is for log {head.origin!r}, not {origin!r}",
                "origin",
                checkpoint=number,
            )
        if head.size != row.tree_size or (
            not isinstance(row.root_hash, bytes | memoryview) or head.root != bytes(row.root_hash)
        ):
            raise fail(
                f"checkpoint {number}: its size or root column differs from its signed note",
                "checkpoint-row",
                checkpoint=number,
            )
        heads.append((number, head))
    for (number, head), (_, before) in zip(heads[1:], heads, strict=False):
        if head.size < before.size:
            raise fail(
                f"checkpoint {number} signs {head.size} events, fewer than the checkpoint "
                f"before it ({before.size}): the log was rolled back",
                "rollback",
                checkpoint=number,
            )
    return heads


def open_one(note: str, trusted: Iterable[Verifier], label: str, number: int) -> Checkpoint:
    """The head of a signed note by one of the ``trusted`` keys, or a ``signature`` failure."""
    errors = []
    for verifier in trusted:
        try:
            return open_checkpoint(note, verifier)
        except AuditError as exc:
            errors.append(exc.message)
    raise fail(f"{label}: {'; '.join(errors)}", "signature", checkpoint=number)
