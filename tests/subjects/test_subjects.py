"""The subject index, find, erasure plans and their execution on CSV, JSONL, Parquet and an
fsspec store, legal holds and exemptions, certificates."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from dataward.lineage import Node, record_edge
from dataward.retention import place_hold
from dataward.runtime import Runtime
from dataward.subjects import (
    SubjectConfig,
    SubjectError,
    execute,
    find,
    index_paths,
    load_certificate,
    plan,
    verify_certificate,
)
from dataward.subjects import tables as t
from dataward.subjects.index import index_file, lookup, subject_of

from .conftest import CANARY_EMAIL, CANARY_PHONE, CANARY_SSN, OTHER_EMAIL


def _names(locations: list) -> dict[str, int]:  # type: ignore[type-arg]
    return {Path(x.dataset).name: x.rows for x in locations}


def test_index_then_find_every_format(landing: Path, runtime: Runtime) -> None:
    done, errors = index_paths([str(landing)])
    assert errors == []
    assert {Path(d.dataset).name: d.rows for d in done} == {
        "people.csv": 4,
        "events.jsonl": 2,
        "calls.parquet": 2,
    }
    assert _names(find(CANARY_EMAIL)) == {"people.csv": 2, "events.jsonl": 1}
    assert _names(find(CANARY_EMAIL.upper())) == {"people.csv": 2, "events.jsonl": 1}
    assert _names(find(CANARY_SSN)) == {"people.csv": 1}
    assert _names(find("078051120", entity="US_SSN")) == {"people.csv": 1}
    assert _names(find("+1 415 555 0172")) == {"calls.parquet": 1}
    assert _names(find("C-3", entity="CUSTOMER_ID")) == {"people.csv": 1}
    assert find("nobody.here@example.org") == []


def test_type_is_detected_or_must_be_given(runtime: Runtime) -> None:
    assert subject_of(CANARY_EMAIL).entity == "EMAIL_ADDRESS"
    assert subject_of(CANARY_SSN).entity == "US_SSN"
    assert subject_of(CANARY_PHONE).entity == "PHONE_NUMBER"
    with pytest.raises(SubjectError, match="--type"):
        subject_of("just words")
    with pytest.raises(SubjectError, match="unknown subject type"):
        subject_of(CANARY_EMAIL, "NOT_A_TYPE")


def test_new_version_replaces_old_postings(landing: Path, runtime: Runtime) -> None:
    people = landing / "people.csv"
    first = index_file(str(people))
    people.write_text("name,email\nZed,zed@example.org\n")
    second = index_file(str(people))
    assert first.version != second.version
    with runtime.store.begin() as conn:
        versions = conn.execute(sa.select(t.versions.c.version)).scalars().all()
    assert versions == [second.version]
    assert find(CANARY_EMAIL) == []


def test_a_hash_prefix_collision_is_not_reported(landing: Path, runtime: Runtime) -> None:
    """The index is a sketch: a posting for a subject whose rows are not there (a collision
    of the 8-byte prefix) is dropped when the dataset is re-read."""
    index_paths([str(landing)])
    stranger = subject_of("stranger@example.org")
    with runtime.store.begin() as conn:
        vid = conn.execute(
            sa.select(t.versions.c.id).where(t.versions.c.dataset.like("%calls.parquet"))
        ).scalar_one()
        from dataward.subjects.hashing import prefix_of

        conn.execute(
            t.postings.insert().values(version_id=vid, prefix=prefix_of(stranger.digest), rows=1)
        )
    assert [Path(x.dataset).name for x in lookup(stranger)] == ["calls.parquet"]
    assert find("stranger@example.org") == []
    assert _names(find("stranger@example.org", confirm_hits=False)) == {"calls.parquet": 1}


def test_find_follows_lineage_to_features_and_models(landing: Path, runtime: Runtime) -> None:
    index_paths([str(landing)])
    raw = str((landing / "people.csv").resolve())
    record_edge(runtime, Node(raw), Node("features.churn", "features", "7"))
    record_edge(runtime, Node("features.churn", "features", "7"), Node("churn-model", "model", "2"))
    found = {x.dataset: x for x in find(CANARY_EMAIL)}
    assert found["features.churn"].kind == "features"
    assert found["features.churn"].version == "7"
    assert found["churn-model"].kind == "model"
    assert found["churn-model"].via == raw
    assert found[raw].kind == "dataset"


def test_erase_plan_execute_verify(landing: Path, runtime: Runtime) -> None:
    index_paths([str(landing)])
    raw = str((landing / "people.csv").resolve())
    record_edge(runtime, Node(raw), Node("features.churn", "features", "7"))
    record_edge(runtime, Node("features.churn", "features", "7"), Node("churn-model", "model", "2"))
    erasure = plan(CANARY_EMAIL)
    actions = {Path(s.dataset).name: (s.kind, s.action, s.rows) for s in erasure.steps}
    assert actions == {
        "people.csv": ("dataset", "delete_rows", 2),
        "events.jsonl": ("dataset", "delete_rows", 1),
        "features.churn": ("features", "recompute", 2),
        "churn-model": ("model", "mark_model", 2),
    }
    assert erasure.blocked == []
    result = execute(erasure, CANARY_EMAIL)
    assert result.verified
    assert sum(r.rows_removed for r in result.results) == 3
    text = (landing / "people.csv").read_text()
    assert CANARY_EMAIL not in text.lower() and OTHER_EMAIL in text and "Cy" in text
    events = (landing / "events.jsonl").read_text().splitlines()
    assert [json.loads(e)["user"]["mail"] for e in events] == [OTHER_EMAIL]
    assert find(CANARY_EMAIL) == []
    assert verify_certificate(result.certificate) == []
    stored = load_certificate(result.certificate.sha256)
    assert stored.document["subject_hash"] == erasure.subject.hash
    assert [s["verified"] for s in stored.document["steps"]] == [True] * 4
    from dataward.subjects.erase import marks

    assert {m["artifact"]: m["action"] for m in marks()} == {
        "features.churn": "recompute",
        "churn-model": "mark_model",
    }
    kinds = [e.kind for e in runtime.audit_log.events()]
    assert kinds.count("subject_erasure") == 1


def test_parquet_rows_are_deleted_and_the_schema_kept(landing: Path, runtime: Runtime) -> None:
    index_paths([str(landing)])
    result = execute(plan(CANARY_PHONE), CANARY_PHONE)
    assert result.verified
    table = pq.read_table(landing / "calls.parquet")
    assert table.column("who").to_pylist() == ["nothing here"]
    assert table.schema.field("amount").type == "int64"


def test_fsspec_store_rewrite(runtime: Runtime) -> None:
    fsspec = pytest.importorskip("fsspec", reason="fsspec (the cloud extra) is not installed")

    fs = fsspec.filesystem("memory")
    url = "memory://bucket/crm.csv"
    with fs.open("/bucket/crm.csv", "wb") as fh:
        fh.write(f"email,plan\n{CANARY_EMAIL},gold\n{OTHER_EMAIL},free\n".encode())
    try:
        index_paths([url])
        assert _names(find(CANARY_EMAIL)) == {"crm.csv": 1}
        result = execute(plan(CANARY_EMAIL), CANARY_EMAIL)
        assert result.verified
        left = fs.cat("/bucket/crm.csv").decode()
        assert CANARY_EMAIL not in left and OTHER_EMAIL in left
        assert not fs.exists("/bucket/crm.csv.dataward-erase.tmp")
    finally:
        fs.rm("/bucket", recursive=True)


def test_legal_hold_blocks_its_part_with_a_recorded_refusal(
    landing: Path, runtime: Runtime
) -> None:
    index_paths([str(landing)])
    held = landing / "events.jsonl"
    before = held.read_text()
    place_hold("matter-42", str(held))
    erasure = plan(CANARY_EMAIL)
    assert [b.to_dict() for b in erasure.blocked] == [
        {"dataset": str(held.resolve()), "reason": "legal hold (matter-42)"}
    ]
    assert [Path(s.dataset).name for s in erasure.steps] == ["people.csv"]
    result = execute(erasure, CANARY_EMAIL)
    assert result.verified
    assert held.read_text() == before
    refusals = [
        e.payload for e in runtime.audit_log.events() if e.kind == "retention" and e.payload
    ]
    assert refusals and refusals[0]["action"] == "refused"
    assert refusals[0]["holds"] == ["matter-42"]
    (erased,) = [e.payload for e in runtime.audit_log.events() if e.kind == "subject_erasure"]
    assert erased is not None and erased["blocked"][0]["reason"] == "legal hold (matter-42)"


def test_exemption_with_a_legal_basis(landing: Path, runtime: Runtime) -> None:
    index_paths([str(landing)])
    people = str(landing / "people.csv")
    erasure = plan(CANARY_EMAIL, exempt={people: "tax record, retention required by law"})
    assert erasure.blocked[0].reason == "exempt: tax record, retention required by law"
    assert [Path(s.dataset).name for s in erasure.steps] == ["events.jsonl"]


def test_execute_needs_the_identifier_of_the_plan(landing: Path, runtime: Runtime) -> None:
    index_paths([str(landing)])
    with pytest.raises(SubjectError, match="not the one"):
        execute(plan(CANARY_EMAIL), OTHER_EMAIL)
    assert CANARY_EMAIL in (landing / "people.csv").read_text()


def test_a_tampered_certificate_does_not_verify(landing: Path, runtime: Runtime) -> None:
    index_paths([str(landing)])
    result = execute(plan(CANARY_EMAIL), CANARY_EMAIL)
    cert = result.certificate
    forged = type(cert)({**cert.document, "audit_events_erased": 99}, cert.signature, cert.sha256)
    problems = verify_certificate(forged)
    assert any("hash" in p for p in problems) and any("signature" in p for p in problems)


def test_an_unwritable_format_is_blocked_not_skipped(tmp_path: Path, runtime: Runtime) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text(f"call me at {CANARY_EMAIL}\n")
    index_paths([str(notes)])
    erasure = plan(CANARY_EMAIL)
    assert erasure.steps == []
    assert "cannot be rewritten" in erasure.blocked[0].reason


def test_configured_entities_and_id_columns(landing: Path, runtime: Runtime) -> None:
    config = SubjectConfig(entities=("EMAIL_ADDRESS",), id_columns=("name",))
    index_paths([str(landing)], config=config)
    assert _names(find("Bob", entity="CUSTOMER_ID", config=config)) == {"people.csv": 1}
    with pytest.raises(SubjectError, match="unknown subject type"):
        find(CANARY_SSN, entity="US_SSN", config=config)


def test_detection_out_of_time_fails_closed(
    landing: Path, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value the engine could not finish reading might hold a subject: the dataset is not
    indexed (and so never reported erased) rather than indexed without it."""
    monkeypatch.setenv("DATAWARD_DETECT__RECORD_BUDGET_MS", "0")
    with pytest.raises(SubjectError, match="time budget"):
        index_file(str(landing / "people.csv"))
    done, errors = index_paths([str(landing / "people.csv")])
    assert done == [] and "fail closed" in errors[0]
    assert CANARY_EMAIL not in errors[0]


def test_sqlite_and_postgresql_stores(
    store_url: str, landing: Path, monkeypatch: pytest.MonkeyPatch, runtime: Runtime
) -> None:
    """The index, plan, execution, certificate and consent tables on both store engines."""
    monkeypatch.setenv("DATAWARD_DATABASE_URL", store_url)
    from dataward.subjects.consent import withdraw, withdrawn

    index_paths([str(landing)])
    assert _names(find(CANARY_EMAIL)) == {"people.csv": 2, "events.jsonl": 1}
    result = execute(plan(CANARY_EMAIL), CANARY_EMAIL)
    assert result.verified and verify_certificate(result.certificate) == []
    assert find(CANARY_EMAIL) == []
    withdraw(purpose="marketing")
    assert withdrawn()[1] == {"marketing"}
    assert str(runtime.store.engine.url).startswith(store_url.split(":")[0])


def test_execute_erases_the_subjects_sealed_audit_details(landing: Path, runtime: Runtime) -> None:
    from dataward.audit.events import AccessEvent

    runtime.emit(AccessEvent(what="support ticket"), subject_id=CANARY_EMAIL)
    sealed = [e for e in runtime.audit_log.events(decrypt=True) if e.kind == "access"]
    assert sealed[0].subject_id == CANARY_EMAIL
    index_paths([str(landing)])
    result = execute(plan(CANARY_EMAIL), CANARY_EMAIL)
    assert result.audit_events_erased == 1
    assert result.certificate.document["audit_events_erased"] == 1
    after = [e for e in runtime.audit_log.events(decrypt=True) if e.kind == "access"]
    assert after[0].subject_id is None and after[0].personal == "erased"
    runtime.audit_log.verify()
