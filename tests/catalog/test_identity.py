"""One dataset, however its path is spelt: relative, absolute, through a symbolic link or with
``..``. Scan, the catalog, decide and protect all name it by
:func:`dataward.catalog.identity.canonical_path`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dataward as dw
from dataward.catalog import Catalog, canonical_path
from dataward.policy import evidence
from dataward.protect import KeyRing
from dataward.protect.files import protect_file
from dataward.store import open_store

SSN = "523-71-6604"
SPELLINGS = ("relative", "absolute", "symlink", "dotdot")


def _spell(kind: str, data: Path) -> str:
    """``data`` (``ROOT/a/people.csv``, the working directory ROOT) spelt as ``kind``."""
    return {
        "relative": "a/people.csv",
        "absolute": str(data),
        "symlink": "link.csv",
        "dotdot": "./a/../a/people.csv",
    }[kind]


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``a/people.csv`` with SSNs, ``link.csv`` pointing at it, a store of the test's own."""
    path = tmp_path / "a" / "people.csv"
    path.parent.mkdir()
    rows = [f"p{i},{SSN[:-2]}{10 + i}" for i in range(30)]
    path.write_text("name,ssn\n" + "\n".join(rows) + "\n", encoding="utf-8")
    try:
        (tmp_path / "link.csv").symlink_to(path)
    except OSError:
        pytest.skip("this file system has no symbolic links")
    monkeypatch.setenv("DATAWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.chdir(tmp_path)
    yield path.resolve()


def _request(dataset: str, **resource: Any) -> dict[str, Any]:
    return {
        "principal": {"type": "ServiceAccount", "id": "trainer"},
        "action": "train",
        "resource": {"type": "Dataset", "id": dataset, **resource},
        "context": {"purpose": "analytics", "job_id": "job-7"},
    }


def test_every_spelling_has_one_canonical_path(data: Path) -> None:
    assert {canonical_path(_spell(kind, data)) for kind in SPELLINGS} == {str(data)}
    assert canonical_path(Path("a") / "people.csv") == str(data)
    assert canonical_path("s3://bucket/a/../people.csv") == "s3://bucket/a/../people.csv"
    assert (
        canonical_path("./a/../a/x.zip!inner/people.csv") == f"{data.parent}/x.zip!inner/people.csv"
    )
    # the same base name in another folder is another dataset
    assert canonical_path("b/people.csv") != str(data)


def test_scan_finds_one_dataset_however_spelt(data: Path) -> None:
    results = [dw.scan(_spell(kind, data), workers=1) for kind in SPELLINGS]
    # before: each spelling was a new file of the scan ("new", classified again) under its own
    # name, and the scan reported paths the catalog did not know
    assert [[(f.uri, f.change) for f in r.files] for r in results] == [
        [(str(data), "new")],
        *[[(str(data), "unchanged")]] * 3,
    ]
    assert results[0].datasets[0].path == str(data)
    catalog = Catalog(open_store(os.environ["DATAWARD_DATABASE_URL"]))
    try:
        assert [d["path"] for d in catalog.datasets()] == [str(data)]
    finally:
        catalog.store.close()


def test_the_catalog_and_decide_know_it_by_every_spelling(data: Path) -> None:
    dw.scan("a", workers=1)
    catalog = Catalog(open_store(os.environ["DATAWARD_DATABASE_URL"]))
    try:
        ids = {catalog.standing(_spell(kind, data)).id for kind in SPELLINGS}  # type: ignore[union-attr]
        assert len(ids) == 1 and catalog.dataset("link.csv")["path"] == str(data)
    finally:
        catalog.store.close()
    for kind in SPELLINGS:
        decision = dw.decide(_request(_spell(kind, data)), log=False)
        assert decision.effect == "allow_with_obligations", kind
        assert decision.classification is not None
        assert decision.classification["path"] == str(data)


def test_protect_evidence_holds_across_spellings(data: Path, tmp_path: Path) -> None:
    dw.scan("link.csv", workers=1)
    first = dw.decide(_request("./a/../a/people.csv"), log=False)
    assert first.effect == "allow_with_obligations" and first.obligations
    out = tmp_path / "out"
    out.mkdir()
    report = protect_file(
        "link.csv", out / "people.csv", decision=first, keyring=KeyRing.from_secret(b"i" * 32)
    )
    assert report.receipt is not None
    assert report.receipt["input_sha256"] == evidence.file_sha256(data)
    assert SSN not in (out / "people.csv").read_text()
    # the protected copy, named another way, is what the receipt binds
    second = dw.decide(
        _request("./out/../out/people.csv", tags=list(first.classification["tags"])),  # type: ignore[index]
        log=False,
        evidence=[report.receipt],
    )
    assert second.effect == "allow", second.reasons
