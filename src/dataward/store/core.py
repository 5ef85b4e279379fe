"""Opening the store and migrating it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dataward.errors import ConfigError, DatawardError
from dataward.settings import Settings, get_settings


class StoreError(DatawardError):
    """The store cannot be opened or migrated."""


def database_url(settings: Settings | None = None) -> str:
    """``DATAWARD_DATABASE_URL`` if set, else SQLite in ``DATAWARD_HOME``."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    home = Path(settings.home)
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(home / 'dataward.db').resolve()}"


class Store:
    """A migrated database: use :meth:`begin` for a transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _engine(url: str, **kwargs: object) -> Engine:
    try:
        engine = sa.create_engine(url, future=True, **kwargs)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(f"invalid database URL ({_safe(url)}): {exc}") from None
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable across crashes in WAL mode
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
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
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
