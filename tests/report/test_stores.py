"""The report on SQLite and PostgreSQL stores: the same numbers, the table probe, publishing."""

from __future__ import annotations

from pathlib import Path

import pytest

import dataward as dw
from dataward.report import build
from dataward.report.render import render
from dataward.report.runs import latest, publish
from tests.report.conftest import PATIENTS, request


def test_report_on_each_store(
    store_url: str, monkeypatch: pytest.MonkeyPatch, runtime: dw.Runtime, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    data = tmp_path / "data"
    data.mkdir()
    (data / "patients.csv").write_text(PATIENTS)
    dw.scan(data)
    effect = dw.decide(request("train", ["PHI"], "marketing")).effect
    assert runtime.store.dialect == store_url.split(":")[0].split("+")[0]
    doc = build(runtime.store)
    assert doc["datasets"]["total"] == 1 and doc["datasets"]["sensitive"] == 1
    assert doc["decisions"]["by_effect"] == {effect: 1}
    body = render(doc, "json")
    published = publish(runtime.store, body, fmt="json", generated_at=doc["generated_at"])
    assert render(build(runtime.store), "json") == body
    found = latest(runtime.store, "json")
    assert found is not None and found[1] == body and found[0].id == published.id
