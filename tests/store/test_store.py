from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from dataward.errors import ConfigError, DatawardError
from dataward.store import database_url, open_store
from dataward.store.core import upgrade


def test_opens_and_migrates_idempotently(store_url: str) -> None:
    store = open_store(store_url)
    upgrade(store)  # a second run changes nothing
    with store.begin() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert "alembic_version" in tables
    store.close()


def test_default_is_sqlite_in_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAWARD_HOME", str(tmp_path / "h"))
    monkeypatch.delenv("DATAWARD_DATABASE_URL", raising=False)
    url = database_url()
    assert url.startswith("sqlite:///") and url.endswith("h/dataward.db")
    open_store().close()
    assert (tmp_path / "h" / "dataward.db").exists()


def test_errors_never_show_the_password() -> None:
    with pytest.raises(DatawardError) as info:
        open_store(
            "postgresql+psycopg://app:Sup3rSecretPw@127.0.0.1:1/none",
            connect_args={"connect_timeout": 2},
        )
    assert "Sup3rSecretPw" not in str(info.value)
    with pytest.raises(ConfigError):
        open_store("notadb://x")
