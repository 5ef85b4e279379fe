"""The store behind the catalog, the audit log, policies and the service.

SQLAlchemy Core over SQLite (the embedded default, ``DATAWARD_HOME/dataward.db``) or PostgreSQL
(``DATAWARD_DATABASE_URL=postgresql+psycopg://user@host/db``). The schema is managed by Alembic,
with one migration branch per subsystem (``catalog``, ``audit``, ``policy``, ``server``) so each
evolves on its own; :func:`open_store` applies every branch's head.

Nothing raw and sensitive is ever written here: keyed hashes and masked previews only.
"""

from __future__ import annotations

from dataward.store.core import Store, database_url, insert_ignore, insert_ignore_many, open_store
from dataward.store.home import ensure_home, private_file
from dataward.store.shared import close_shared, shared_store

__all__ = [
    "Store",
    "close_shared",
    "database_url",
    "ensure_home",
    "insert_ignore",
    "insert_ignore_many",
    "open_store",
    "private_file",
    "shared_store",
]
