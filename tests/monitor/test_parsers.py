"""Each source format, from fixtures shaped as the system writes them: events, joins, tags,
and malformed rows counted with file and line while the rest is kept."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataward.errors import SourceError, UnknownNameError
from dataward.monitor import parse
from dataward.monitor.parsers.aws import split_access_line
from dataward.monitor.sql import touched

DATA = Path(__file__).parent / "data"


def _by_id(parsed):  # type: ignore[no-untyped-def]
    return {e.event_id: e for e in parsed.events}


def test_snowflake_joins_access_history_to_query_history_sessions_and_logins() -> None:
    parsed = parse("snowflake", [DATA / "snowflake"])
    events = _by_id(parsed)
    first = events["01b2c3d4-0000-0001"]
    # ACCESS_HISTORY has no role: it comes from QUERY_HISTORY, joined on QUERY_ID.
    assert first.role == "ANALYST"
    assert first.principal == "GRACE_KIM"
    assert first.principal_kind == "human"  # USER_TYPE PERSON
    assert first.rows == 1200 and first.bytes == 102400
    assert first.objects == ("PROD.SALES.ORDERS",)
    assert "PROD.SALES.ORDERS.AMOUNT" in first.columns
    # SESSIONS -> LOGIN_HISTORY give the client and the network.
    assert first.client == "JDBC 3.14.0" and first.ip == "198.51.100.23"
    # Snowflake's "-0800" offset is honoured.
    assert first.time == datetime(2026, 1, 5, 17, 0, 1, tzinfo=UTC)
    job = events["01b2c3d4-0000-0003"]  # no ACCESS_HISTORY row: read with sqlglot
    assert job.objects == ("PROD.ML.FEATURES_CHURN",)
    assert job.principal_kind == "service" and job.ip == "10.99.0.5"
    write = events["01b2c3d4-0000-0008"]
    assert write.action == "write" and write.objects == ("PROD.ML.SCORES",)
    logins = [e for e in parsed.events if e.action == "login"]
    assert {e.event_id for e in logins} == {"9001", "9002"}  # 9003 failed and is malformed
    assert parsed.tags["PROD.SALES.CUSTOMERS.SSN"] == {"PII_HIGH"}
    assert parsed.tags["PROD.SALES.CUSTOMERS.EMAIL"] == {"PII"}
    assert "PROD.SALES.CUSTOMERS" not in parsed.tags  # COST_CENTER is not a sensitivity tag
    assert [e.time for e in parsed.events] == sorted(e.time for e in parsed.events)


def test_snowflake_bad_rows_are_reported_with_file_and_line_and_the_rest_kept() -> None:
    parsed = parse("snowflake", [DATA / "snowflake"])
    details = [str(p) for p in parsed.report.problems]
    qh = str(DATA / "snowflake" / "QUERY_HISTORY.csv")
    ah = str(DATA / "snowflake" / "ACCESS_HISTORY.csv")
    lh = str(DATA / "snowflake" / "LOGIN_HISTORY.csv")
    assert f"{qh}:1: unknown column 'SPARKLE_COLUMN' in QUERY_HISTORY (ignored)" in details
    assert f"{qh}:6: 3 fields, the header has 17" in details
    assert f"{ah}:4: an *_OBJECTS_* column is not a JSON array" in details
    assert f"{lh}:4: EVENT_TIMESTAMP is not a time" in details
    assert any(d.startswith(f"{qh}:5:") and "does not parse" in d for d in details)
    assert "01b2c3d4-0000-0006" in _by_id(parsed)  # the row after the bad ones is kept
    assert parsed.report.problem_count == len(details) == 5


def test_query_text_is_never_kept_only_its_digest() -> None:
    parsed = parse("snowflake", [DATA / "snowflake"])
    for event in parsed.events:
        assert "078-05-1120" not in repr(event)
        assert "078-05-1120" not in repr(event.to_ocsf())
    assert _by_id(parsed)["01b2c3d4-0000-0002"].query_sha is not None


def test_cloudtrail_s3_data_events_plain_and_gzipped(tmp_path: Path) -> None:
    gz = tmp_path / "123456789012_CloudTrail_us-east-1_20260105T0905Z_abc.json.gz"
    with gzip.open(gz, "wb") as fh:
        fh.write((DATA / "cloudtrail.json").read_bytes())
    for path in (DATA / "cloudtrail.json", gz):
        parsed = parse("cloudtrail", [path])
        events = _by_id(parsed)
        read = events["5b7e1a5c-1111-4c2d-9f1e-000000000001"]
        assert read.principal == "grace.kim@example.com" and read.role == "DataScientist"
        assert read.principal_kind == "human"
        assert read.objects == ("s3://training-data/churn/2026",)
        assert read.bytes == 1048576 and read.ip == "198.51.100.23"
        put = events["5b7e1a5c-1111-4c2d-9f1e-000000000002"]
        assert put.action == "write" and put.principal_kind == "service" and put.bytes == 2048
        assert len(events) == 2  # the IAM management event is not data access
        assert [p.reason for p in parsed.report.problems] == ["eventTime is not a time"]
        assert parsed.report.problems[0].line == 4


def test_cloudtrail_role_sessions_of_services() -> None:
    from dataward.monitor.parsers.aws import parse_cloudtrail_record
    from dataward.monitor.parsers.common import Parsed

    record = {
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventID": "e1",
        "eventTime": "2026-01-05T09:00:00Z", "requestParameters": {"bucketName": "b", "key": "k"},
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/Trainer/i-0abc123",
                         "sessionContext": {"sessionIssuer": {"userName": "Trainer"}}},
    }  # fmt: skip
    parsed = Parsed()
    parse_cloudtrail_record(json.dumps(record), "stream", parsed)
    (event,) = parsed.events
    assert (event.principal, event.role, event.principal_kind) == (
        "i-0abc123",
        "Trainer",
        "service",
    )


def test_s3_server_access_log_split_without_regex() -> None:
    line = (DATA / "s3-access.log").read_text().splitlines()[0]
    fields = split_access_line(line)
    assert fields is not None
    assert fields[2] == "06/Feb/2019:00:00:38 +0000"
    assert fields[8] == "GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1"
    assert fields[16] == "S3Console/0.4" and fields[-1] == "Yes"
    assert split_access_line('a "open') is None
    parsed = parse("s3-access", [DATA / "s3-access.log"])
    events = _by_id(parsed)
    assert set(events) == {"891CE47D2EXAMPLE", "891CE47D2EXAMPLG"}  # versioning: not an object
    got = events["891CE47D2EXAMPLE"]
    assert got.principal == "grace.kim@example.com" and got.role == "DataScientist"
    assert got.objects == ("s3://training-data/churn/2026",) and got.bytes == 1048576
    assert got.time == datetime(2026, 1, 5, 9, 1, 2, tzinfo=UTC)
    assert events["891CE47D2EXAMPLG"].action == "write"
    assert [(p.line, p.reason) for p in parsed.report.problems] == [
        (3, "not an S3 server access log line")
    ]


def test_s3_access_split_is_linear_on_hostile_lines() -> None:
    import time

    hostile = '"' + " [" * 200_000
    start = time.perf_counter()
    assert split_access_line(hostile) is None
    assert split_access_line("x " * 200_000) is not None
    assert time.perf_counter() - start < 5  # a generous bound; quadratic would take minutes


def test_pgaudit_csvlog_from_the_real_server() -> None:
    """tests/monitor/data/pgaudit.csv was captured from this machine's PostgreSQL 15 with
    pgaudit (scripts/pgaudit-setup); test_pgaudit_live.py runs a fresh workload."""
    parsed = parse("pgaudit", [DATA / "pgaudit.csv"])
    assert parsed.report.problem_count == 0
    reads = [e for e in parsed.events if e.action == "read"]
    joined = next(e for e in reads if len(e.objects) == 2)
    # one event for the statement's two relation lines (log_relation = on)
    assert set(joined.objects) == {
        "DATAWARD_PGAUDIT.PUBLIC.CUSTOMERS",
        "DATAWARD_PGAUDIT.PUBLIC.ORDERS",
    }
    assert "DATAWARD_PGAUDIT.PUBLIC.CUSTOMERS.SSN" in joined.columns
    assert joined.client == "dw_fixture" and joined.ip == "127.0.0.1"
    assert any(e.action == "write" for e in parsed.events)
    assert all("078-05-1120" not in repr(e) for e in parsed.events)


def test_databricks_audit_log() -> None:
    parsed = parse("databricks", [DATA / "databricks.json"])
    events = _by_id(parsed)
    assert events["req-0001"].objects == ("MAIN.HR.PAYROLL",)
    cmd = events["req-0002"]
    assert cmd.objects == ("MAIN.HR.PAYROLL",)
    assert set(cmd.columns) == {"MAIN.HR.PAYROLL.SSN", "MAIN.HR.PAYROLL.SALARY"}
    assert events["req-0003"].principal_kind == "service"  # an application id
    assert events["ev-5"].objects == ("MAIN.SALES.ORDERS",)  # system.access.audit shape
    assert sorted((p.line, p.reason) for p in parsed.report.problems) == [
        (4, "timestamp is not a time"),
        (5, "not JSON"),
    ]


def test_ocsf_jsonl_round_trip() -> None:
    parsed = parse("ocsf", [DATA / "ocsf.jsonl"])
    events = _by_id(parsed)
    first = events["ocsf-1"]
    assert first.objects == ("PROD.CUSTOMERS",) and first.role == "DATA_SCIENTIST"
    assert first.columns == ("PROD.CUSTOMERS.EMAIL",)
    assert events["ocsf-2"].principal_kind == "service"
    assert parsed.tags["PROD.SALES.ORDERS.AMOUNT"] == {"CONFIDENTIAL"}
    assert sorted((p.line, p.reason) for p in parsed.report.problems) == [
        (4, "no actor.user.name or metadata.uid"),
        (5, "not JSON"),
    ]
    # what to_ocsf writes reads back as the same event

    again = parse("ocsf", [_write(first.to_ocsf())])
    back = again.events[0]
    assert (back.principal, back.objects, back.columns, back.time) == (
        first.principal,
        first.objects,
        first.columns,
        first.time,
    )


def _write(record: dict) -> Path:  # type: ignore[type-arg]
    import json
    import tempfile

    path = Path(tempfile.mkdtemp()) / "one.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return path


def test_unknown_source_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'snowflake'"):
        parse("snowflak", [tmp_path])
    with pytest.raises(SourceError, match="no such file"):
        parse("ocsf", [tmp_path / "missing"])


def test_a_header_cell_that_is_no_column_name_is_not_echoed(tmp_path: Path) -> None:
    (tmp_path / "AH.csv").write_text(
        "QUERY_ID,DIRECT_OBJECTS_ACCESSED,canary.7731@example.org,078-05-1120\n"
    )
    parsed = parse("snowflake", [tmp_path])
    text = " ".join(str(p) for p in parsed.report.problems).lower()
    assert "canary" not in text and "078-05-1120" not in text
    assert "unknown column (not a column name) in access_history" in text


def test_snowflake_file_of_no_known_view(tmp_path: Path) -> None:
    shutil.copy(DATA / "snowflake" / "QUERY_HISTORY.csv", tmp_path / "QH.csv")
    (tmp_path / "other.csv").write_text("A,B\n1,2\n")
    parsed = parse("snowflake", [tmp_path])
    assert any(
        p.reason.startswith("not a known ACCOUNT_USAGE view") for p in parsed.report.problems
    )
    assert parsed.events  # the good file is still read


@pytest.mark.parametrize(
    ("query", "tables", "columns"),
    [
        ("select a, b from t", ("T",), ("T.A", "T.B")),
        ("select x.a from s.t x join u on u.id = x.id", ("S.T", "U"), ("S.T.A", "U.ID", "S.T.ID")),
        ("select * from t where ssn = '078-05-1120'", ("T",), ("T.SSN", "T.*")),
    ],
)
def test_sql_tables_and_columns(
    query: str, tables: tuple[str, ...], columns: tuple[str, ...]
) -> None:
    found = touched(query)
    assert found is not None
    assert found.tables == tables
    assert set(found.columns) == set(columns)
    assert touched("selec ((( from") is None
