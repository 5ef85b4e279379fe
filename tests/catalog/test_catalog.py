from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dataward.catalog import Catalog, CatalogError
from dataward.classify import scan
from dataward.store import open_store


@pytest.fixture
def catalog(store_url: str) -> Iterator[Catalog]:
    store = open_store(store_url)
    yield Catalog(store)
    store.close()


def _write(path: Path, rows: int, extra: str = "") -> Path:
    lines = ["id,email,ssn,color"]
    lines += [
        f"{i},user{i}@example.org,{100 + i % 500:03d}-{10 + i % 80}-{1000 + i},blue{extra}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_record_and_read_back(catalog: Catalog, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "people.csv", 60)
    result = scan([data], catalog=catalog, workers=1)
    assert result.changes == {"new": 1, "changed": 0, "unchanged": 0, "removed": 0}
    listed = catalog.datasets()
    assert [d["name"] for d in listed] == ["people.csv"]
    shown = catalog.dataset("people.csv")
    assert shown["path"].endswith("/people.csv") and shown["rows"] == 60
    cols = {c["name"]: c for c in shown["columns"]}
    assert cols["email"]["entity"] == "EMAIL_ADDRESS"
    assert cols["ssn"]["entity"] == "US_SSN"
    assert cols["color"]["entity"] is None
    assert "PII_HIGH" in shown["tags"]
    tags = catalog.tags_for(shown["id"])
    assert any(
        t["column"] == "ssn" and t["tag"] == "US_SSN" and t["source"] == "scan" for t in tags
    )
    catalog.add_tag("people.csv", "CONFIDENTIAL", reason="contract data")
    scan([data], catalog=catalog, force=True, workers=1)
    assert any(
        t["tag"] == "CONFIDENTIAL" and t["source"] == "person"
        for t in catalog.tags_for("people.csv")
    )
    with pytest.raises(CatalogError):
        catalog.dataset("nope.csv")


def test_incremental_rescan(catalog: Catalog, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    a = _write(data / "a.csv", 30)
    _write(data / "b.csv", 30)
    first = scan([data], catalog=catalog, workers=1)
    assert first.changes["new"] == 2
    again = scan([data], catalog=catalog, workers=1)
    assert again.changes == {"new": 0, "changed": 0, "unchanged": 2, "removed": 0}
    assert again.datasets == [] and "PII_HIGH" in again.tags()
    _write(a, 31)
    (data / "b.csv").unlink()
    _write(data / "c.csv", 5)
    third = scan([data], catalog=catalog, workers=1)
    assert third.changes == {"new": 1, "changed": 1, "unchanged": 0, "removed": 1}
    assert [d["name"] for d in catalog.datasets()] == ["a.csv", "c.csv"]
    forced = scan([data], catalog=catalog, force=True, workers=1)
    assert forced.changes["changed"] == 2
    assert len(catalog.scans()) == 4


def test_source_errors_are_collected(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    catalog = Catalog(store)
    good = _write(tmp_path / "good.csv", 10)
    result = scan([good, tmp_path / "missing.csv"], catalog=catalog, workers=1)
    assert len(result.datasets) == 1 and len(result.errors) == 1
    assert "missing.csv" in result.errors[0]
    store.close()


def test_lookup_by_odd_keys_is_not_found(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from dataward.catalog import Catalog
    from dataward.catalog.catalog import CatalogError
    from dataward.store import open_store

    catalog = Catalog(open_store(f"sqlite:///{tmp_path / 'c.db'}"))
    for key in ("99999999999999999999", "²", "-1", "missing.csv"):
        with pytest.raises(CatalogError):
            catalog.dataset(key)
    catalog.store.close()
