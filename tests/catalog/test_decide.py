"""Decisions on cataloged datasets: exact identity, and fail closed when the catalog cannot say."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dataward as dw
from dataward.catalog import Catalog, CatalogError
from dataward.errors import ConfigError
from dataward.policy.api import reload
from dataward.store import open_store

SSN = "523-71-6604"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DATAWARD_DATABASE_URL", url)
    yield url
    reload()


def _request(dataset: str) -> dict[str, Any]:
    return {
        "principal": {"type": "ServiceAccount", "id": "trainer"},
        "action": "train",
        "resource": {"type": "Dataset", "id": dataset},
        "context": {"purpose": "analytics", "job_id": "job-7"},
    }


def _people(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"p{i},{SSN[:-2]}{10 + i},p{i}@example.org" for i in range(30)]
    path.write_text("name,ssn,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _colors(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("color\n" + "\n".join(["blue", "red", "green"] * 10) + "\n", "utf-8")
    return path


def test_a_dataset_never_scanned_is_denied_without_a_token(store: str, tmp_path: Path) -> None:
    data = _people(tmp_path / "people.csv")
    decision = dw.decide(_request(str(data)), log=False)
    assert decision.effect == "deny" and decision.reasons == ("not_classified",)
    assert decision.token is None


def test_the_same_base_name_elsewhere_does_not_flip_a_sensitive_dataset(
    store: str, tmp_path: Path
) -> None:
    sensitive = _people(tmp_path / "a" / "people.csv")
    dw.scan([tmp_path / "a"], workers=1)
    before = dw.decide(_request(str(sensitive)), log=False)
    assert before.effect == "allow_with_obligations"
    _colors(tmp_path / "b" / "people.csv")
    dw.scan([tmp_path / "b"], workers=1)
    # before the fix: the name matched two datasets, the lookup returned no tags -> allow
    after = dw.decide(_request(str(sensitive)), log=False)
    assert after.effect == "allow_with_obligations"
    assert after.classification is not None
    assert after.classification["path"] == str(sensitive.resolve())
    # a bare file name is no identity: it names no dataset, so the decision stops
    by_name = dw.decide(_request("people.csv"), log=False)
    assert by_name.effect == "deny" and by_name.reasons == ("not_classified",)


def test_relative_spellings_and_ids_name_the_same_dataset(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _people(tmp_path / "data" / "people.csv")
    monkeypatch.chdir(tmp_path)
    dw.scan(["data"], workers=1)
    catalog = Catalog(open_store(store))
    try:
        (item,) = catalog.datasets()
        assert item["path"] == str((tmp_path / "data" / "people.csv").resolve())
    finally:
        catalog.store.close()
    for spelling in ("data/people.csv", "./data/../data/people.csv", str(item["id"])):
        assert dw.decide(_request(spelling), log=False).effect == "allow_with_obligations"


def test_like_wildcards_in_a_key_match_nothing(store: str, tmp_path: Path) -> None:
    _people(tmp_path / "a" / "people.csv")
    dw.scan([tmp_path / "a"], workers=1)
    catalog = Catalog(open_store(store))
    try:
        # before: the key went into LIKE unescaped, and %eople.csv / p_ople.csv found people.csv
        for pattern in ("%eople.csv", "p_ople.csv", "a/%"):
            with pytest.raises(CatalogError):
                catalog.dataset(pattern)
            assert catalog.standing(pattern) is None
        assert catalog.dataset("people.csv")["name"] == "people.csv"
    finally:
        catalog.store.close()
    decision = dw.decide(_request(str(tmp_path / "a" / "%eople.csv")), log=False)
    assert decision.effect == "deny"


def test_a_removed_dataset_needs_a_scan(store: str, tmp_path: Path) -> None:
    data = _people(tmp_path / "a" / "people.csv")
    dw.scan([tmp_path / "a"], workers=1)
    data.unlink()
    dw.scan([tmp_path / "a"], workers=1)
    decision = dw.decide(_request(str(data)), log=False)
    assert decision.effect == "deny" and decision.reasons == ("needs_scan",)


def test_a_public_dataset_states_how_it_was_scanned(store: str, tmp_path: Path) -> None:
    colors = _colors(tmp_path / "c" / "colors.csv")
    dw.scan([tmp_path / "c"], workers=1, sample=10)
    decision = dw.decide(_request(str(colors)), log=False)
    assert decision.effect == "allow"
    c = decision.classification
    assert c is not None and c["tags"] == ["PUBLIC"] and c["source"] == "catalog"
    assert c["sampled"] is True and c["scanned_rows"] == 10 and c["rows"] == 30
    assert any("sampled scan: 10 of 30 rows" in m for m in decision.messages)


def test_decide_cli_denies_unscanned_and_rejects_a_typo(
    store: str, tmp_path: Path, cli: Any
) -> None:
    import json

    path = tmp_path / "r.json"
    path.write_text(json.dumps(_request(str(tmp_path / "nowhere.csv"))))
    result = cli("decide", str(path), "--no-log", "--fail")
    assert result.code == 10 and json.loads(result.out)["reasons"] == ["not_classified"]
    typo = _request("x")
    typo["resource"]["tags"] = ["PHII"]
    path.write_text(json.dumps(typo))
    result = cli("decide", str(path), "--no-log")
    assert result.code == 2 and "Did you mean" in result.err and "'PHI'" in result.err
    assert result.out == ""


def test_a_person_tag_with_a_typo_is_refused(store: str, tmp_path: Path) -> None:
    _people(tmp_path / "a" / "people.csv")
    dw.scan([tmp_path / "a"], workers=1)
    catalog = Catalog(open_store(store))
    try:
        with pytest.raises(ConfigError, match=r"Did you mean .*'PHI'"):
            catalog.add_tag("people.csv", "PHII")
        assert "PHII" not in catalog.dataset("people.csv")["tags"]
    finally:
        catalog.store.close()


def test_a_dataset_with_rare_ssns_is_not_waved_through(store: str, tmp_path: Path) -> None:
    # before: the scan tagged the file PUBLIC (SSNs in 10% of short comments) and decide allowed
    data = tmp_path / "c" / "comments.csv"
    data.parent.mkdir()
    rows = [f"{i},{'ssn ' + SSN if i % 10 == 0 else 'thanks all good'}" for i in range(1000)]
    data.write_text("id,comment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    dw.scan([data.parent], workers=1)
    decision = dw.decide(_request(str(data)), log=False)
    assert decision.effect == "allow_with_obligations"
    assert decision.classification is not None
    assert "PII_HIGH" in decision.classification["tags"]
    assert SSN not in str(decision.to_dict()) + str(decision.log_entry())


def test_a_column_of_an_unscanned_dataset_is_denied(store: str, tmp_path: Path) -> None:
    request = _request("email")
    request["resource"] = {"type": "Column", "id": "email", "parent": str(tmp_path / "x.csv")}
    decision = dw.decide(request, log=False)
    assert decision.effect == "deny" and decision.reasons == ("not_classified",)


def test_a_file_changed_since_its_scan_needs_a_scan(store: str, tmp_path: Path) -> None:
    # a file scanned PUBLIC, then overwritten with personal data: the old tags no longer hold
    data = _colors(tmp_path / "c" / "colors.csv")
    dw.scan([data.parent], workers=1)
    assert dw.decide(_request(str(data)), log=False).effect == "allow"
    _people(data)
    decision = dw.decide(_request(str(data)), log=False)
    assert decision.effect == "deny" and decision.reasons == ("needs_scan",)
    assert any("changed since the last scan" in m for m in decision.messages)
    dw.scan([data.parent], workers=1)
    assert dw.decide(_request(str(data)), log=False).effect == "allow_with_obligations"


def test_declared_tags_do_not_stand_in_for_the_scan_a_cataloged_dataset_needs(
    store: str, tmp_path: Path
) -> None:
    """A cataloged dataset whose file changed since its scan fell through to the tags the
    request declared: declaring a milder tag than the data holds got past the gate."""
    data = _people(tmp_path / "a" / "people.csv")
    dw.scan([tmp_path / "a"], workers=1)
    with data.open("a", encoding="utf-8") as fh:
        fh.write(f"late,{SSN},late@example.org\n")
    request = _request(str(data))
    request["resource"]["tags"] = ["EMAIL_ADDRESS"]
    decision = dw.decide(request, log=False)
    assert decision.effect == "deny" and decision.reasons == ("needs_scan",)
    assert decision.token is None
