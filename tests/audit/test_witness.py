"""External witnesses (a second store, an HTTP service) hold the latest checkpoint outside the
store, and verify compares the log against them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from dataward.audit import (
    AuditEvent,
    AuditLog,
    FileWitness,
    HttpWitness,
    Signer,
    StoreWitness,
    open_audit_log,
)
from dataward.audit import tables as t
from dataward.audit.witness import WITNESS_FILE, note_head
from dataward.errors import AuditError
from dataward.store import Store


def _cut(log: AuditLog, keep: int) -> None:
    """A database-only attacker drops the tail and every checkpoint, and rewinds the head."""
    from dataward.audit import merkle

    leaves = [e.leaf_hash for e in log.events()][:keep]
    frontier: list[bytes] = []
    for i, leaf in enumerate(leaves):
        merkle.frontier_append(frontier, i, leaf)
    with log.store.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.idx >= keep))
        conn.execute(t.nodes.delete().where(((t.nodes.c.idx + 1) * (2**t.nodes.c.level)) > keep))
        conn.execute(t.state.update().values(size=keep, frontier=merkle.pack(frontier)))
        conn.execute(t.checkpoints.delete())


def _fill(log: AuditLog, n: int = 12) -> None:
    log.append_many(AuditEvent("decision", "svc:gateway", {"i": i}) for i in range(n))
    log.checkpoint()


def test_a_second_store_witnesses_the_log(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    witness_url = f"sqlite:///{tmp_path / 'witness.db'}"
    monkeypatch.setenv("DATAWARD_AUDIT__WITNESS_URL", witness_url)
    log = open_audit_log(store)
    _fill(log)
    kept = StoreWitness(witness_url).read(log.origin)
    assert kept is not None and note_head(kept).size == 12
    (tmp_path / "home" / WITNESS_FILE).unlink()  # the home is lost too (a new host)
    _cut(log, 5)
    with pytest.raises(AuditError, match=r"witness\.db signs a tree of 12 events") as info:
        log.verify(adopt_witness=True)
    assert info.value.check == "truncation"  # type: ignore[attr-defined]


def test_a_witness_only_moves_forward(tmp_path: Path, store: Store, signer: Signer) -> None:
    witnesses = [FileWitness(tmp_path / "w.note"), StoreWitness(f"sqlite:///{tmp_path / 'w.db'}")]
    log = AuditLog(store, signer, checkpoint_every=None, witnesses=witnesses)
    _fill(log)
    old = log.checkpoints()[-1]
    _fill(log, 3)
    for witness in witnesses:
        witness.record(log.origin, old.size, old.note)  # a late writer offers an older one
        kept = witness.read(log.origin)
        assert kept is not None and note_head(kept).size == 15


def test_a_checkpoint_in_the_callers_transaction_reaches_the_witness_on_commit(
    tmp_path: Path, store: Store, signer: Signer
) -> None:
    witness = FileWitness(tmp_path / "w.note")
    log = AuditLog(store, signer, checkpoint_every=4, witnesses=[witness])
    log.append_many([AuditEvent("decision", "svc:gateway", {"i": i}) for i in range(4)])
    assert witness.read(log.origin) is not None  # its own transaction: at once
    with pytest.raises(RuntimeError), store.begin() as conn:
        log.append_many([AuditEvent("decision", "svc:x", {}) for _ in range(4)], conn=conn)
        raise RuntimeError("the caller's work failed: all rolled back")
    kept = witness.read(log.origin)
    assert kept is not None and note_head(kept).size == 4
    with store.begin() as conn:
        log.append_many([AuditEvent("decision", "svc:x", {}) for _ in range(4)], conn=conn)
        assert note_head(witness.read(log.origin) or "").size == 4  # not before the commit
    assert note_head(witness.read(log.origin) or "").size == 8
    assert log.verify().events == 8


class _WitnessService(BaseHTTPRequestHandler):
    notes: dict[str, str]

    def _origin(self) -> str:
        return parse_qs(urlparse(self.path).query)["origin"][0]

    def do_GET(self) -> None:
        note = self.notes.get(self._origin())
        self.send_response(404 if note is None else 200)
        self.end_headers()
        if note is not None:
            self.wfile.write(note.encode())

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"])).decode()
        origin = self._origin()
        current = self.notes.get(origin)
        if current is None or note_head(current).size < note_head(body).size:
            self.notes[origin] = body
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def service() -> Iterator[tuple[str, dict[str, str]]]:
    notes: dict[str, str] = {}
    handler = type("Handler", (_WitnessService,), {"notes": notes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/witness", notes
    server.shutdown()
    server.server_close()


def test_an_http_witness(service: tuple[str, dict[str, str]], store: Store, signer: Signer) -> None:
    url, notes = service
    log = AuditLog(store, signer, checkpoint_every=None, witnesses=[HttpWitness(url)])
    _fill(log)
    assert note_head(notes[log.origin]).size == 12
    assert log.verify().witnessed_size == 12
    _cut(log, 7)
    with pytest.raises(AuditError, match=r"the witness http://127\.0\.0\.1:\d+/witness signs"):
        log.verify()


def test_an_unreachable_witness_fails_verify_but_not_appends(
    tmp_path: Path, store: Store, signer: Signer
) -> None:
    log = AuditLog(
        store, signer, checkpoint_every=None, witnesses=[HttpWitness("http://127.0.0.1:9/w")]
    )
    _fill(log)  # the checkpoint is stored; the witness stays behind
    with pytest.raises(AuditError, match="cannot be reached"):
        log.verify()
    with store.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.checkpoints)).scalar() == 1


class _RefusingWitness(FileWitness):
    """A real file witness whose disk refuses the write (full, read-only, gone)."""

    def record(self, origin: str, size: int, note: str) -> None:
        raise OSError(28, "No space left on device")


def test_adopting_fails_when_a_witness_cannot_take_the_checkpoint(
    tmp_path: Path, store: Store, signer: Signer
) -> None:
    """``--adopt-witness`` reported the log witnessed although every witness write had failed
    (the failure was swallowed)."""
    _fill(AuditLog(store, signer, checkpoint_every=None, witnesses=[]))
    witness = _RefusingWitness(tmp_path / "w" / WITNESS_FILE)
    log = AuditLog(store, signer, checkpoint_every=None, witnesses=[witness])
    with pytest.raises(AuditError, match="not anchored outside the database"):
        log.verify(adopt_witness=True)
