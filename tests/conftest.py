from __future__ import annotations

import io
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataward.runtime import Runtime, use
from dataward.scope import Scope

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_data(relative: str) -> Path:
    """A file or folder of ``../shared/data`` (the labelled development data, read by path and
    never copied into the repository). A checkout without it skips the test that asks, saying
    so; CI has it and runs them."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{relative}, which this checkout does not have")
    return path


@pytest.fixture(scope="session")
def _pattern_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One compiled-pattern cache for the whole run (shared by xdist workers)."""
    return tmp_path_factory.getbasetemp().parent / "dataward-pattern-cache"


@pytest.fixture(scope="session")
def _compiled() -> Scope:
    """Where the per-test runtimes take their compiled detection engines from (immutable,
    keyed by everything they are built from), so each engine compiles once per worker."""
    return Scope()


@pytest.fixture(autouse=True)
def runtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _pattern_cache: Path, _compiled: Scope
) -> Iterator[Runtime]:
    """Every test runs in a runtime of its own (its stores, audit logs, policy engines and
    decision writers; closed after the test), on its own DATAWARD_HOME, in a working directory
    without dataward.yaml. Its settings follow the test's ``DATAWARD_*`` and ``dataward.yaml``."""
    monkeypatch.setenv("DATAWARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATAWARD_CACHE_DIR", str(_pattern_cache))
    monkeypatch.chdir(tmp_path)
    rt = Runtime(scope=Scope(share=_compiled))
    with use(rt):
        yield rt
    rt.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliResult]:
    """Run the real console entry point in-process: ``cli("detect", "-", stdin=b"...")``."""
    from dataward.cli.main import run

    def invoke(*args: str, stdin: bytes | None = None) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["dataward", *args])
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        code = 0
        try:
            run()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_available() -> bool:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: SQLite in the test's folder, or a PostgreSQL schema of its
    own on the local server (127.0.0.1:5432, database ``test``; CI starts it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
