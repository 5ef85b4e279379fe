from __future__ import annotations

from pathlib import Path

import pytest

from dataward.monitor import scenario


@pytest.fixture(scope="module")
def small_scenario(tmp_path_factory: pytest.TempPathFactory) -> scenario.Scenario:
    """Two weeks of a small account with every anomaly kind and the benign novelties."""
    folder: Path = tmp_path_factory.mktemp("scenario") / "snowflake"
    return scenario.generate(folder, people=10, services=3, weeks=2, queries_per_day=8, seed=11)


def dump_store(url_or_store: object) -> str:
    """Every row of every table of a store, as text (for canary checks)."""
    import sqlalchemy as sa

    engine = url_or_store.engine  # type: ignore[attr-defined]
    out = []
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                out.append(repr(tuple(row)))
    return "\n".join(out)
