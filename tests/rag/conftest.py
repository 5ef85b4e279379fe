"""Fixtures of the rag tests: a real PostgreSQL with pgvector (the ``pgserver`` package bundles
both), started once per session in a temporary folder."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pg_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A libpq DSN of a PostgreSQL with the ``vector`` extension available."""
    folder: Path = tmp_path_factory.mktemp("pgvector")
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers)
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError:
            pytest.skip("pgserver is not installed (pip install 'dataward[rag]')")
        server = pgserver.get_server(folder, cleanup_mode="stop")
    server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
    yield f"host={folder} dbname=postgres user=postgres"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.cleanup()
