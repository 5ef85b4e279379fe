"""Opening the store and migrating it.

Migrations run under a lock, so any number of processes may open a fresh store at once: a
PostgreSQL advisory lock (``pg_advisory_xact_lock``, held until the migration transaction ends)
or, for SQLite, an exclusive lock on ``<database>.migrate.lock`` next to the database file. The
first process migrates; the others wait, then find the schema at its head and do nothing.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dataward.errors import ConfigError, DatawardError
from dataward.settings import Settings, get_settings
from dataward.store.home import create_home, private_file, tighten

MIGRATION_LOCK_ID = 0x64617461_77617264 & 0x7FFF_FFFF_FFFF_FFFF
"""The PostgreSQL advisory lock key held while migrating (``"dataward"`` in ASCII)."""


class StoreError(DatawardError):
    """The store cannot be opened or migrated."""


def database_url(settings: Settings | None = None, *, create: bool = True) -> str:
    """``DATAWARD_DATABASE_URL`` if set, else SQLite in ``DATAWARD_HOME`` (made a home here
    unless ``create=False``)."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    if create:
        create_home(settings.home)
    return f"sqlite:///{(Path(settings.home) / 'dataward.db').resolve()}"


class Store:
    """A migrated database: use :meth:`begin` for a transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cache: dict[str, Any] = {}
        """Objects built once per store on demand (its audit log, ...)."""

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _insert(conn: Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise StoreError(f"unsupported database {conn.dialect.name!r}")  # pragma: no cover


def insert_ignore_many(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping any whose key is already there (``ON CONFLICT DO NOTHING``)."""
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(), rows)


def insert_ignore(conn: Connection, table: sa.Table, values: Mapping[str, Any]) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``: True when the row was inserted, False when a row
    with the same key was there (or was inserted meanwhile by another transaction). Unlike a
    SELECT then INSERT, two writers racing for the same key never fail."""
    stmt = _insert(conn, table).values(**values).on_conflict_do_nothing()
    key = list(table.primary_key.columns)
    if not key:
        raise StoreError(f"insert_ignore: table {table.name} has no primary key")
    # RETURNING, not rowcount: drivers report -1 for some statements.
    return conn.execute(stmt.returning(*key)).first() is not None


def _engine(url: str, **kwargs: object) -> Engine:
    try:
        engine = sa.create_engine(url, future=True, **kwargs)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(f"invalid database URL ({_safe(url)}): {exc}") from None
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            # The busy timeout first: switching to WAL waits for a lock other processes may hold.
            cur.execute("PRAGMA busy_timeout=5000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable across crashes in WAL mode
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def _safe(url: str) -> str:
    """The URL with its password masked, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"


def open_store(url: str | None = None, *, migrate: bool = True, **engine_kwargs: object) -> Store:
    """Open (and by default migrate to the newest schema) the store at ``url``."""
    url = url or database_url()
    db_file = _sqlite_file(url)
    if db_file is not None:
        _private_db(db_file)
    engine = _engine(url, **engine_kwargs)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot connect to the store at {_safe(url)}: {exc.orig}") from None
    store = Store(engine)
    if migrate:
        upgrade(store)
    return store


_MIGRATE_LOCK = threading.Lock()


def upgrade(store: Store, target: str = "heads") -> None:
    """Apply migrations of every branch up to ``target`` (one thread at a time: Alembic keeps
    its migration context in shared state)."""
    with _MIGRATE_LOCK:
        _upgrade(store, target)


def _upgrade(store: Store, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("dataward.store").joinpath("migrations")))
    db_file = _sqlite_file(str(store.engine.url))
    lock = _file_lock(db_file.with_name(db_file.name + ".migrate.lock")) if db_file else None
    with lock or contextlib.nullcontext(), store.engine.begin() as conn:
        if store.dialect == "postgresql":
            # Released when this transaction ends: after the migrations commit or roll back.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases and in-memory SQLite)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def _private_db(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does (it would follow the umask); its -wal and
    -shm files take the database file's mode."""
    try:
        private_file(path)
    except OSError as exc:
        raise StoreError(
            f"cannot create the store {path}: {exc.strerror}", path=str(path)
        ) from None
    for suffix in ("-wal", "-shm"):
        tighten(path.with_name(path.name + suffix))


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created 0600) for as long as the block runs. In a folder
    this user cannot write, no lock: nothing there can be migrated by this user either."""
    try:
        private_file(path)
        fd = os.open(path, os.O_RDWR)
    except OSError:
        yield
        return
    try:
        _lock_fd(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                return
            except OSError:  # LK_LOCK gives up after about 10 s: keep waiting
                continue
    fcntl.flock(fd, fcntl.LOCK_EX)
