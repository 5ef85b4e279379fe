"""PostgreSQL pgaudit lines in the server's own csvlog (``log_destination = 'csvlog'``).

A csvlog row has PostgreSQL 15's 26 columns (``log_time``, ``user_name``, ``database_name``…
``application_name``, ``backend_type``, ``leader_pid``, ``query_id``); pgaudit's ``message`` is
``AUDIT: SESSION|OBJECT,statement_id,substatement_id,class,command,object_type,object_name,
statement,parameter`` (a CSV record itself). With ``pgaudit.log_relation = on`` a statement logs
one line per relation; the lines of one statement (session and statement id) make one event.
Columns come from the statement via ``sqlglot``; the statement itself is dropped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from dataward.monitor.event import AccessEvent, Action, query_digest
from dataward.monitor.parsers.common import Parsed, open_text, parse_time, principal_kind
from dataward.monitor.sql import Touched, touched

CSVLOG_COLUMNS = (
    "log_time",
    "user_name",
    "database_name",
    "process_id",
    "connection_from",
    "session_id",
    "session_line_num",
    "command_tag",
    "session_start_time",
    "virtual_transaction_id",
    "transaction_id",
    "error_severity",
    "sql_state_code",
    "message",
    "detail",
    "hint",
    "internal_query",
    "internal_query_pos",
    "context",
    "query",
    "query_pos",
    "location",
    "application_name",
    "backend_type",
    "leader_pid",
    "query_id",
)
_MESSAGE = CSVLOG_COLUMNS.index("message")
_CLASSES: dict[str, Action] = {"READ": "read", "WRITE": "write"}


@dataclass(slots=True)
class _Statement:
    line: int
    row: list[str]
    action: Action
    objects: dict[str, None] = field(default_factory=dict)
    statement: str = ""


def _flush(stmt: _Statement, where: str, parsed: Parsed, cache: dict[str, Touched | None]) -> None:
    row = stmt.row
    try:
        when = parse_time(row[0])
    except ValueError:
        parsed.report.problem(where, stmt.line, "log_time is not a time")
        return
    database = row[2] or None
    sha = query_digest(stmt.statement) if stmt.statement else None
    columns: tuple[str, ...] = ()
    objects = tuple(f"{database}.{o}".upper() if database else o.upper() for o in stmt.objects)
    if stmt.statement:
        key = sha or ""
        if key not in cache:
            cache[key] = touched(stmt.statement, "postgres", database, "public")
        found = cache[key]
        if found is None:
            parsed.report.problem(where, stmt.line, "the audited statement does not parse")
        else:
            wanted = set(objects)
            columns = tuple(
                c for c in found.columns if c.rpartition(".")[0] in wanted or c.startswith("?.")
            )
    host = row[4].rsplit(":", 1)[0] if row[4] and not row[4].startswith("[local]") else None
    parsed.events.append(
        AccessEvent(
            time=when,
            source="pgaudit",
            event_id=f"{row[5]}:{row[13].split(',', 2)[1] if ',' in row[13] else row[6]}",
            principal=row[1],
            principal_kind=principal_kind(row[1]),
            client=row[22] or None,
            ip=host,
            action=stmt.action,
            objects=objects,
            columns=columns,
            session=row[5] or None,
            query_sha=sha,
        )
    )


def _audit_fields(message: str) -> list[str] | None:
    if not message.startswith("AUDIT: "):
        return None
    try:
        return next(csv.reader(io.StringIO(message[7:])))
    except (csv.Error, StopIteration):
        return []


def _rows(rows: Iterator[tuple[int, list[str]]], where: str, parsed: Parsed) -> None:
    pending: dict[tuple[str, str], _Statement] = {}
    cache: dict[str, Touched | None] = {}
    for line, row in rows:
        if len(row) < _MESSAGE + 1:
            parsed.report.problem(where, line, f"{len(row)} fields, a csvlog row has 26")
            continue
        audit = _audit_fields(row[_MESSAGE])
        if audit is None:
            continue  # a log line that is not pgaudit's
        parsed.report.rows += 1
        if len(audit) < 8:
            parsed.report.problem(where, line, "a pgaudit message with too few fields")
            continue
        audit_class = audit[3]
        action = _CLASSES.get(audit_class)
        if action is None:
            continue
        key = (row[5], audit[1])
        stmt = pending.get(key)
        if stmt is None:
            stmt = pending[key] = _Statement(line, row, action, statement=audit[7])
        if audit[6]:
            stmt.objects[audit[6]] = None
        if action == "write":
            stmt.action = "write"
    for stmt in pending.values():
        _flush(stmt, where, parsed, cache)


def _csv_rows(fh: IO[str], where: str, parsed: Parsed) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(fh)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            parsed.report.problem(where, reader.line_num, "malformed CSV row")
            continue
        yield reader.line_num, row


def parse_files(files: list[Path], parsed: Parsed) -> None:
    """pgaudit lines of csvlog files (other log lines are skipped) into ``parsed``."""
    for path in files:
        with open_text(path) as fh:
            _rows(_csv_rows(fh, str(path), parsed), str(path), parsed)


def parse_record(text: str, where: str, parsed: Parsed) -> None:
    """csvlog lines streamed as one record."""
    _rows(_csv_rows(io.StringIO(text), where, parsed), where, parsed)
