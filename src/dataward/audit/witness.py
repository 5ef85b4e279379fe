"""Witnesses: the latest signed checkpoint, kept where a database-only attacker cannot reach.

The store alone cannot prove it was not rewritten: whoever can write the database can delete
the checkpoints and rebuild every hash. A witness keeps the newest checkpoint outside it, and
:func:`dataward.audit.verify.verify` checks the log still holds that tree (same origin, at least
that many events, the same root at that size).

* :class:`FileWitness`: a file in ``DATAWARD_HOME`` (``audit_witness.note``, mode 0600,
  replaced atomically), always kept;
* :class:`StoreWitness`: the ``audit_witness`` table of a second store (a database URL);
* :class:`HttpWitness`: a URL answering ``GET`` with the latest note (404: none) and taking a
  new one by ``POST`` (``text/plain``).

A witness only moves forward: a checkpoint no larger than the one it holds is ignored. The
note is a C2SP signed note, the same text ``dataward audit verify --checkpoint`` reads.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from dataward.audit import tables as t
from dataward.audit.checkpoint import Checkpoint, parse_checkpoint, parse_note
from dataward.errors import AuditError

WITNESS_FILE = "audit_witness.note"
_HTTP_TIMEOUT = 10.0


class Witness(Protocol):
    """Somewhere outside the store that keeps the latest checkpoint of a log."""

    name: str
    """How messages name it (a path or a URL without its password)."""

    def read(self, origin: str) -> str | None:
        """The latest note kept for the log ``origin``; ``None`` if it holds none."""

    def record(self, origin: str, size: int, note: str) -> None:
        """Keep ``note`` (a checkpoint of ``size`` events) unless a larger one is kept."""


def note_head(note: str) -> Checkpoint:
    """The tree head a signed note carries (its signature is not checked here)."""
    return parse_checkpoint(parse_note(note).text)


class FileWitness:
    """The witness file in ``DATAWARD_HOME``. It holds one log's latest checkpoint: a home
    writes one log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)

    def read(self, origin: str) -> str | None:
        """The note in the file, whatever its origin (verify compares the origins)."""
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditError(
                f"cannot read the audit witness {self.path}: {type(exc).__name__}",
                path=str(self.path),
            ) from None

    def record(self, origin: str, size: int, note: str) -> None:
        with self._locked():
            current = self.read(origin)
            if current is not None:
                try:
                    head = note_head(current)
                except AuditError:
                    head = None  # damaged: verify reports it; keep it as evidence
                if head is None or head.origin != origin or head.size >= size:
                    return
            self._write(note)

    def _write(self, note: str) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(note)
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(self.path)
        finally:
            tmp.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialize read-compare-write across processes (POSIX advisory lock)."""
        try:
            import fcntl
        except ImportError:  # Windows: a race can only leave the witness behind, never wrong
            yield
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


class StoreWitness:
    """The ``audit_witness`` table of a second Dataward store."""

    def __init__(self, url: str) -> None:
        from dataward.store import open_store

        self.name = sa.engine.make_url(url).render_as_string(hide_password=True)
        self._url = url
        self._open = open_store

    def read(self, origin: str) -> str | None:
        store = self._open(self._url)
        try:
            with store.begin() as conn:
                note = conn.execute(
                    sa.select(t.witness.c.note).where(t.witness.c.origin == origin)
                ).scalar()
        finally:
            store.close()
        return note if isinstance(note, str) else None

    def record(self, origin: str, size: int, note: str) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        store = self._open(self._url)
        try:
            for _ in range(2):  # a concurrent first insert: the second round updates
                try:
                    with store.begin() as conn:
                        done = conn.execute(
                            t.witness.update()
                            .where(t.witness.c.origin == origin, t.witness.c.tree_size < size)
                            .values(tree_size=size, note=note, updated_at=now)
                        ).rowcount
                        if (
                            done
                            or conn.execute(
                                sa.select(t.witness.c.origin).where(t.witness.c.origin == origin)
                            ).first()
                        ):
                            return
                        conn.execute(
                            t.witness.insert().values(
                                origin=origin, tree_size=size, note=note, updated_at=now
                            )
                        )
                    return
                except sa.exc.IntegrityError:
                    continue
        finally:
            store.close()


class HttpWitness:
    """A witness service: ``GET url`` returns the latest note (404: none), ``POST url`` with a
    ``text/plain`` note offers a new one. The log's origin goes in the ``origin`` query
    parameter."""

    def __init__(self, url: str) -> None:
        import httpx

        self.name = str(httpx.URL(url).copy_with(password=None, query=None))
        self._url = url

    def read(self, origin: str) -> str | None:
        import httpx

        try:
            response = httpx.get(self._url, params={"origin": origin}, timeout=_HTTP_TIMEOUT)
        except httpx.HTTPError as exc:
            raise AuditError(
                f"the audit witness {self.name} cannot be reached: {type(exc).__name__}"
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise AuditError(f"the audit witness {self.name} answered HTTP {response.status_code}")
        return response.text

    def record(self, origin: str, size: int, note: str) -> None:
        import httpx

        try:
            response = httpx.post(
                self._url,
                params={"origin": origin},
                content=note.encode(),
                headers={"content-type": "text/plain; charset=utf-8"},
                timeout=_HTTP_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise AuditError(
                f"the audit witness {self.name} cannot be reached: {type(exc).__name__}"
            ) from None
        if response.status_code >= 300:
            raise AuditError(
                f"the audit witness {self.name} refused the checkpoint: HTTP {response.status_code}"
            )


def external_witness(url: str) -> Witness:
    """The witness a ``witness_url`` setting names: ``http(s)://`` or a database URL."""
    if url.startswith(("http://", "https://")):
        return HttpWitness(url)
    try:
        sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise AuditError("audit.witness_url is neither an http(s) URL nor a database URL") from None
    return StoreWitness(url)
