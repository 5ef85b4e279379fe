"""A database-only attacker: full write access to the store, no signing key, no DATAWARD_HOME.

Every rewrite they can make is detected, on SQLite and PostgreSQL: deleting the checkpoints and
rebuilding every hash, truncating the tables, deleting subject keys, changing column types and
writing garbage. Verification fails with exit code 4 and a message that names what happened,
never a crash, and never quotes what the events hold.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dataward.audit import AuditEvent, AuditLog, Signer, merkle, open_audit_log
from dataward.audit import tables as t
from dataward.audit.witness import WITNESS_FILE
from dataward.errors import AuditError
from dataward.store import Store, open_store
from tests.conftest import CliResult

SSN = "523-71-6604"
CARD = "4539177408269130"
EMAIL = "zq7x41.canary@probemail-dw.net"
CANARIES = (SSN, CARD, EMAIL)
EVERY = 10
SIZE = 25


@pytest.fixture
def deployed(store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A deployment on ``store_url``: a checkpoint every 10 events, 25 events written (two
    checkpoints, the witness file in the home at 20), one person's details sealed."""
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    monkeypatch.setenv("DATAWARD_AUDIT__CHECKPOINT_EVERY", str(EVERY))
    store = open_store(store_url)
    try:
        log = open_audit_log(store)
        for i in range(SIZE):
            subject = "cust-7" if i in (3, 17) else None
            log.append(AuditEvent("decision", "svc:gateway", {"i": i, "ssn": SSN}, subject))
            if i + 1 in (EVERY, 2 * EVERY):
                log.checkpoint()  # as an operator's cron would; also signed by the interval
        assert log.verify().events == SIZE
    finally:
        store.close()
    return store_url


@pytest.fixture
def log(deployed: str) -> Iterator[AuditLog]:  # the home's log, as `audit verify` opens it
    store = open_store(deployed)
    yield open_audit_log(store)
    store.close()


def _sql(store: Store, *statements: str) -> None:
    with store.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))


def _rebuild(store: Store, keep: Callable[[int, bytes], bytes | None]) -> int:
    """The attacker's tool: rewrite every event through ``keep`` (new bytes, or None to drop
    it), renumber the rest 0, 1, 2, …, and rebuild every leaf hash, the subtree cache and the
    head, exactly as the log would have. Returns the new size."""
    with store.begin() as conn:
        rows = conn.execute(sa.select(t.events).order_by(t.events.c.idx)).all()
        kept = []
        for row in rows:
            data = keep(row.idx, bytes(row.canonical))
            if data is not None:
                kept.append((row, data))
        conn.execute(t.events.delete())
        conn.execute(t.nodes.delete())
        frontier: list[bytes] = []
        for new_index, (row, data) in enumerate(kept):
            data = data.replace(f'"index":{row.idx},'.encode(), f'"index":{new_index},'.encode())
            leaf = merkle.leaf_hash(data)
            conn.execute(
                t.events.insert().values(
                    idx=new_index,
                    kind=row.kind,
                    actor=row.actor,
                    time=row.time,
                    subject_ref=row.subject_ref,
                    canonical=data,
                    leaf_hash=leaf,
                )
            )
            for level, idx, h in merkle.frontier_append(frontier, new_index, leaf):
                conn.execute(t.nodes.insert().values(level=level, idx=idx, hash=h))
        conn.execute(t.state.update().values(size=len(kept), frontier=merkle.pack(frontier)))
    return len(kept)


def _fails(log: AuditLog, check: str, match: str) -> AuditError:
    with pytest.raises(AuditError, match=match) as info:
        log.verify()
    assert info.value.exit_code == 4
    assert info.value.check == check, info.value.message  # type: ignore[attr-defined]
    assert not [c for c in CANARIES if c in info.value.message]
    return info.value


def _cli_fails(cli: Callable[..., CliResult], match: str) -> None:
    for args in (("audit", "verify"), ("audit", "verify", "--format", "json")):
        result = cli(*args)
        assert result.code == 4, result.err
        assert match in result.out + result.err
        assert "Traceback" not in result.err
        assert not [c for c in CANARIES if c in result.out + result.err]


# --- checkpoints deleted, hashes rebuilt ------------------------------------------------------


def test_deleted_checkpoints_and_rebuilt_hashes_fail_by_the_interval(log: AuditLog) -> None:
    """No witness at all: a log of 25 events must hold a checkpoint at 20."""
    bare = AuditLog(log.store, log.signer, checkpoint_every=EVERY)
    _sql(log.store, "DELETE FROM audit_checkpoints WHERE tree_size > 0")  # genesis kept
    _rebuild(log.store, lambda i, d: d.replace(b'"i":7,', b'"i":70,'))
    err = _fails(bare, "checkpoints-missing", "holds 25 events but its newest signed checkpoint")
    assert "one is signed every 10 events" in err.message


def test_1250_events_without_checkpoints_fail(store: Store, signer: Signer) -> None:
    log = AuditLog(store, signer, checkpoint_every=1000)
    for start in range(0, 1250, 250):
        batch = range(start, start + 250)
        log.append_many(AuditEvent("decision", "svc:gateway", {"i": i}) for i in batch)
    assert log.verify().signed_size == 1000
    _sql(store, "DELETE FROM audit_checkpoints WHERE tree_size > 0")  # genesis kept
    _fails(log, "checkpoints-missing", "holds 1250 events but its newest signed checkpoint")


def test_altered_event_with_checkpoints_deleted_is_caught_by_the_witness(
    log: AuditLog, cli: Callable[..., CliResult]
) -> None:
    _sql(log.store, "DELETE FROM audit_checkpoints")
    _rebuild(log.store, lambda i, d: d.replace(b'"i":7,', b'"i":70,'))
    _fails(log, "checkpoint-root", r"the witness .*audit_witness.note \(tree size 20\)")
    _cli_fails(cli, "the recomputed root differs from the signed root")


def test_deleted_and_renumbered_events_are_caught_by_the_witness(log: AuditLog) -> None:
    _sql(log.store, "DELETE FROM audit_checkpoints")
    assert _rebuild(log.store, lambda i, d: None if i == 4 else d) == SIZE - 1
    _fails(log, "checkpoint-root", "the witness")


def test_log_cut_below_one_interval_without_checkpoints_or_witness(
    log: AuditLog, tmp_path: Path
) -> None:
    """An attacker who also deletes the home's witness file: the genesis checkpoint, signed
    with the first event, is missing."""
    (tmp_path / "home" / WITNESS_FILE).unlink()
    _sql(log.store, "DELETE FROM audit_checkpoints")
    assert _rebuild(log.store, lambda i, d: d if i < 6 else None) == 6
    _fails(log, "checkpoints-missing", "the log holds 6 events but no signed checkpoint")


def test_witness_file_deleted_is_reported_whatever_the_store_keeps(
    log: AuditLog, tmp_path: Path
) -> None:
    (tmp_path / "home" / WITNESS_FILE).unlink()
    _sql(log.store, "DELETE FROM audit_checkpoints WHERE tree_size > 0")
    assert _rebuild(log.store, lambda i, d: d if i < 6 else None) == 6
    _fails(log, "witness-missing", "no witness holds a checkpoint of this log")


def test_log_cut_below_one_interval_is_caught_by_the_witness(log: AuditLog) -> None:
    _sql(log.store, "DELETE FROM audit_checkpoints")
    assert _rebuild(log.store, lambda i, d: d if i < 6 else None) == 6
    _fails(log, "truncation", "signs a tree of 20 events but the log holds only 6")


# --- truncation -----------------------------------------------------------------------------


def test_every_table_emptied_but_the_head_reset(log: AuditLog) -> None:
    tables = "audit_events, audit_nodes, audit_checkpoints, audit_subject_keys"
    if log.store.dialect == "postgresql":
        _sql(log.store, f"TRUNCATE {tables}")
    else:
        _sql(log.store, *(f"DELETE FROM {name}" for name in tables.split(", ")))
    empty = "''::bytea" if log.store.dialect == "postgresql" else "X''"
    _sql(log.store, f"UPDATE audit_state SET size = 0, frontier = {empty}")
    _fails(log, "truncation", "signs a tree of 20 events but the log holds only 0")


def test_store_recreated_under_a_new_origin(log: AuditLog) -> None:
    _sql(log.store, "DELETE FROM audit_checkpoints")
    _rebuild(log.store, lambda i, d: None)
    _sql(log.store, "UPDATE audit_state SET origin = 'dataward.local/audit/0000'")
    fresh = open_audit_log(log.store)
    _fails(fresh, "witness-origin", "the store was replaced or re-created")


# --- subject keys ---------------------------------------------------------------------------


def test_deleted_subject_key_without_an_erasure_event(log: AuditLog) -> None:
    _sql(log.store, "DELETE FROM audit_subject_keys")
    _fails(log, "subject-keys", r"\(first used by event 3\) is gone and no erasure event")


def test_key_destroyed_outside_dataward(log: AuditLog) -> None:
    _sql(log.store, "UPDATE audit_subject_keys SET wrapped_key = NULL, lookup = NULL")
    _fails(log, "subject-keys", "was destroyed but no erasure event records it")


def test_replaced_subject_key(log: AuditLog) -> None:
    blob = "'\\x00'::bytea" if log.store.dialect == "postgresql" else "X'00'"
    _sql(log.store, f"UPDATE audit_subject_keys SET wrapped_key = {blob}")
    _fails(log, "subject-keys", "does not unwrap under the deployment's key")


def test_an_erasure_through_dataward_verifies(log: AuditLog) -> None:
    erasure = log.erase("cust-7", actor="svc:dpo")
    assert erasure.events == 2
    report = log.verify()
    assert report.events == SIZE + 1 and report.subject_keys == 1


def test_deeply_nested_event_with_rebuilt_hashes_fails_clearly(log: AuditLog) -> None:
    deep = b'{"index":5,"x":' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    _rebuild(log.store, lambda i, d: deep if i == 5 else d)
    _fails(log, "canonical", "event 5 is not valid JSON")


# --- column types and garbage ---------------------------------------------------------------


def test_event_stored_as_text(log: AuditLog, cli: Callable[..., CliResult]) -> None:
    if log.store.dialect == "postgresql":
        _sql(
            log.store,
            "ALTER TABLE audit_events ALTER COLUMN canonical TYPE text "
            "USING convert_from(canonical, 'UTF8')",
        )
        _fails(log, "schema", "audit_events.canonical holds text, not binary")
        _cli_fails(cli, "its type was changed")
    else:  # SQLite keeps the declared type and stores whatever it is given
        _sql(log.store, "UPDATE audit_events SET canonical = CAST(canonical AS TEXT) WHERE idx = 3")
        _fails(log, "row", "the stored bytes of event 3 is str, not bytes")
        _cli_fails(cli, "the stored bytes of event 3 is str")


def test_reading_a_text_event_is_a_clear_error(
    log: AuditLog, cli: Callable[..., CliResult]
) -> None:
    if log.store.dialect == "postgresql":
        _sql(
            log.store,
            "ALTER TABLE audit_events ALTER COLUMN canonical TYPE text "
            "USING convert_from(canonical, 'UTF8')",
        )
    else:
        _sql(log.store, "UPDATE audit_events SET canonical = CAST(canonical AS TEXT)")
    shown = cli("audit", "log", "--start", "20")
    assert shown.code == 4 and "audit event 20 is malformed in the store" in shown.err
    assert "Traceback" not in shown.err and SSN not in shown.out + shown.err


def test_index_column_turned_to_text(log: AuditLog) -> None:
    if log.store.dialect == "postgresql":
        _sql(log.store, "ALTER TABLE audit_events ALTER COLUMN idx TYPE text")
        _fails(log, "schema", "audit_events.idx holds text, not integer")
    else:
        _sql(log.store, "UPDATE audit_events SET idx = 'x' WHERE idx = 24")
        _fails(log, "row", "the index of the event after 23 is not an integer")


PG_TYPE = "ALTER TABLE {table} ALTER COLUMN {column} TYPE {type} USING {using}"


@pytest.mark.parametrize(
    ("sqlite", "postgresql", "check", "match"),
    [
        (
            "UPDATE audit_events SET leaf_hash = X'00' WHERE idx = 5",
            "UPDATE audit_events SET leaf_hash = '\\x00'::bytea WHERE idx = 5",
            "row",
            "the leaf hash of event 5 is 1 bytes, not 32",
        ),
        (
            "UPDATE audit_nodes SET hash = 'not a hash' WHERE level = 1 AND idx = 0",
            PG_TYPE.format(table="audit_nodes", column="hash", type="text", using="'x'"),
            "nodes",
            r"the subtree hash over events 0\.\.1",
        ),
        (
            "UPDATE audit_checkpoints SET note = X'00'",
            PG_TYPE.format(
                table="audit_checkpoints", column="note", type="bytea", using="note::bytea"
            ),
            "checkpoint-row",
            "the note of checkpoint 1 is bytes, not text",
        ),
        (
            "UPDATE audit_state SET public_key = NULL, size = 'x'",
            PG_TYPE.format(table="audit_state", column="size", type="text", using="size::text"),
            "state",
            "the log's stored size is str, not an integer",
        ),
        (
            "UPDATE audit_events SET actor = 'svc:other' WHERE idx = 2",
            "UPDATE audit_events SET actor = 'svc:other' WHERE idx = 2",
            "columns",
            "event 2: its kind, actor or subject_ref column differs",
        ),
        (
            "DROP TABLE audit_nodes",
            "DROP TABLE audit_nodes",
            "schema",
            "the table audit_nodes is missing",
        ),
    ],
)
def test_malformed_rows_fail_clearly(
    log: AuditLog, sqlite: str, postgresql: str, check: str, match: str
) -> None:
    if log.store.dialect == "postgresql":
        _sql(log.store, postgresql)
        if postgresql.startswith("ALTER"):
            check, match = "schema", "its type was changed"
    else:
        _sql(log.store, sqlite)
    _fails(log, check, match)


def test_service_verify_answers_instead_of_500(deployed: str) -> None:
    """What /v1/audit/verify runs: an AuditError, which it reports as ok: false."""
    store = open_store(deployed)
    try:
        two = "'\\x0102'::bytea" if store.dialect == "postgresql" else "X'0102'"
        _sql(store, f"UPDATE audit_events SET leaf_hash = {two} WHERE idx = 1")
        with pytest.raises(AuditError, match="leaf hash of event 1 is 2 bytes"):
            open_audit_log(store).verify()
    finally:
        store.close()


# --- the witness ----------------------------------------------------------------------------


def test_witness_file_is_private_and_moves_forward(log: AuditLog, tmp_path: Path) -> None:
    path = tmp_path / "home" / WITNESS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().split("\n")[1] == "20"
    log.checkpoint()
    assert path.read_text().split("\n")[1] == str(SIZE)
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_missing_witness_is_reported_and_can_be_adopted(
    log: AuditLog, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    (tmp_path / "home" / WITNESS_FILE).unlink()
    _fails(log, "witness-missing", "no witness holds a checkpoint of this log")
    _cli_fails(cli, "--adopt-witness")
    adopted = cli("audit", "verify", "--adopt-witness")
    assert adopted.code == 0, adopted.err
    assert (tmp_path / "home" / WITNESS_FILE).read_text().split("\n")[1] == "20"
    assert cli("audit", "verify").code == 0
