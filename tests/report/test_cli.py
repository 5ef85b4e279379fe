"""``dataward report posture`` through the real entry point: formats, reproducible bytes, exit
codes of bad options."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dataward as dw
from tests.report.conftest import PATIENTS


def test_posture_json_is_reproducible_and_recorded(
    cli: Callable[..., Any], tmp_path: Path, runtime: dw.Runtime
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "patients.csv").write_text(PATIENTS)
    dw.scan(data)
    first = cli("report", "posture", "--format", "json", "--out", "r1.json")
    assert first.code == 0, first.err
    assert "wrote r1.json (json" in first.err and "audit event" in first.err
    doc = json.loads(Path("r1.json").read_text())
    assert {"generated_at", "datasets", "decisions", "controls"} <= set(doc)
    assert doc["datasets"]["total"] == 1 and doc["datasets"]["by_tag"]["PHI"] == 1
    assert doc["decisions"] == {"by_action": {}, "by_effect": {}, "events": 0, "total": 0}
    second = cli("report", "posture", "--format", "json", "--out", "r2.json")
    assert second.code == 0, second.err
    assert Path("r1.json").read_bytes() == Path("r2.json").read_bytes()
    kinds = [e.kind for e in runtime.audit_log.events()]
    assert kinds.count("access") == 2  # each report is an audit event
    csv_run = cli("report", "posture", "--format", "csv", "--out", "art30.csv", "--no-record")
    assert csv_run.code == 0, csv_run.err
    assert (
        Path("art30.csv").read_text().startswith("dataset_id,dataset,categories_of_personal_data")
    )
    assert [e.kind for e in runtime.audit_log.events()].count("access") == 2
    only = cli(
        "report", "posture", "--format", "oscal", "--out", "r.oscal.json", "--framework", "hipaa"
    )
    assert only.code == 0, only.err
    oscal = json.loads(Path("r.oscal.json").read_text())
    selected = oscal["assessment-results"]["results"][0]["reviewed-controls"]
    ids = [c["control-id"] for c in selected["control-selections"][0]["include-controls"]]
    assert ids and all(i.startswith("hipaa-") for i in ids)


def test_bad_options_exit_2_with_one_line(cli: Callable[..., Any]) -> None:
    for args, words in (
        (("--framework", "gdrp"), "unknown framework 'gdrp'"),
        (("--format", "xml"), "use one of json, html, pdf, oscal, csv"),
        (("--since", "last tuesday"), "use a date"),
    ):
        result = cli("report", "posture", "--out", "x", *args)
        assert result.code == 2, (args, result.err)
        assert words in result.err
    assert not Path("x").exists()


def test_an_altered_log_is_reported_as_failed(runtime: dw.Runtime) -> None:
    import sqlalchemy as sa

    from dataward.audit import tables as t
    from dataward.audit.events import AccessEvent
    from dataward.report import build

    runtime.emit(AccessEvent(what="log"), actor="svc:a")
    runtime.emit(AccessEvent(what="catalog"), actor="svc:a")
    assert build(runtime.store)["audit"]["verified"] is True
    with runtime.store.begin() as conn:
        row = conn.execute(sa.select(t.events).where(t.events.c.idx == 0)).one()
        altered = bytes(row.canonical).replace(b'"log"', b'"LOG"')
        assert altered != bytes(row.canonical)
        conn.execute(t.events.update().where(t.events.c.idx == 0).values(canonical=altered))
    doc = build(runtime.store)
    assert doc["audit"]["verified"] is False
    art12 = next(c for c in doc["controls"] if c["control"] == "Art. 12")
    assert art12["status"] == "not_met" and "verification failed" in art12["note"]
    assert "FAILED verification" in doc["summary"]["text"]
