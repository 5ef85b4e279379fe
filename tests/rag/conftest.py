"""Fixtures of the rag tests: a real PostgreSQL with pgvector (the ``pgserver`` package bundles
both), started once per session."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A libpq DSN of a PostgreSQL with the ``vector`` extension available.

    Its data folder is not under pytest's temporary root: run as root, pgserver starts
    PostgreSQL as an unprivileged user that must reach the folder, and every pytest session
    (another xdist worker, another run) resets that root to mode 0700."""
    folder = Path(tempfile.mkdtemp(prefix="dataward-pgvector-"))
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers)
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip("pgserver is not installed (pip install 'dataward[rag]')")
        server = pgserver.get_server(folder / "data", cleanup_mode="stop")
    try:
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        yield f"host={folder / 'data'} dbname=postgres user=postgres"
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
