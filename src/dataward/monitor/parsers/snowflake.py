"""Snowflake ``ACCOUNT_USAGE`` exports: CSV with a header, VARIANT columns as JSON text.

Which view a file holds is read from its header (Snowflake's documented column names):

- ``ACCESS_HISTORY`` (``QUERY_ID``, ``DIRECT_OBJECTS_ACCESSED``, ``BASE_OBJECTS_ACCESSED``,
  ``OBJECTS_MODIFIED`` with ``objectName`` and ``columns[].columnName``) says what a query read;
  it has no role, so it is joined to ``QUERY_HISTORY`` on ``QUERY_ID`` (role, rows, bytes,
  session, ``USER_TYPE``);
- ``QUERY_HISTORY`` rows without an ``ACCESS_HISTORY`` row are read with ``sqlglot``;
- ``SESSIONS`` (``CLIENT_APPLICATION_ID``, ``LOGIN_EVENT_ID``) and ``LOGIN_HISTORY``
  (``CLIENT_IP``, ``REPORTED_CLIENT_TYPE``) give the client and network of a session's queries;
  each login is an event of its own too;
- ``TAG_REFERENCES`` gives the sensitivity tags of columns (``TAG_NAME`` ``SENSITIVITY``,
  ``TAG_VALUE`` ``PII_HIGH``…).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataward.monitor.event import AccessEvent, query_digest
from dataward.monitor.parsers.common import (
    Parsed,
    as_int,
    open_text,
    parse_time,
    principal_kind,
)
from dataward.monitor.sql import touched

QUERY_HISTORY = frozenset(
    [
        "QUERY_ID",
        "QUERY_TEXT",
        "DATABASE_ID",
        "DATABASE_NAME",
        "SCHEMA_ID",
        "SCHEMA_NAME",
        "QUERY_TYPE",
        "SESSION_ID",
        "USER_NAME",
        "ROLE_NAME",
        "WAREHOUSE_ID",
        "WAREHOUSE_NAME",
        "WAREHOUSE_SIZE",
        "WAREHOUSE_TYPE",
        "CLUSTER_NUMBER",
        "QUERY_TAG",
        "EXECUTION_STATUS",
        "ERROR_CODE",
        "ERROR_MESSAGE",
        "START_TIME",
        "END_TIME",
        "TOTAL_ELAPSED_TIME",
        "BYTES_SCANNED",
        "PERCENTAGE_SCANNED_FROM_CACHE",
        "BYTES_WRITTEN",
        "BYTES_WRITTEN_TO_RESULT",
        "BYTES_READ_FROM_RESULT",
        "ROWS_PRODUCED",
        "ROWS_INSERTED",
        "ROWS_UPDATED",
        "ROWS_DELETED",
        "ROWS_UNLOADED",
        "BYTES_DELETED",
        "PARTITIONS_SCANNED",
        "PARTITIONS_TOTAL",
        "BYTES_SPILLED_TO_LOCAL_STORAGE",
        "BYTES_SPILLED_TO_REMOTE_STORAGE",
        "BYTES_SENT_OVER_THE_NETWORK",
        "COMPILATION_TIME",
        "EXECUTION_TIME",
        "QUEUED_PROVISIONING_TIME",
        "QUEUED_REPAIR_TIME",
        "QUEUED_OVERLOAD_TIME",
        "TRANSACTION_BLOCKED_TIME",
        "OUTBOUND_DATA_TRANSFER_CLOUD",
        "OUTBOUND_DATA_TRANSFER_REGION",
        "OUTBOUND_DATA_TRANSFER_BYTES",
        "INBOUND_DATA_TRANSFER_CLOUD",
        "INBOUND_DATA_TRANSFER_REGION",
        "INBOUND_DATA_TRANSFER_BYTES",
        "LIST_EXTERNAL_FILES_TIME",
        "CREDITS_USED_CLOUD_SERVICES",
        "RELEASE_VERSION",
        "EXTERNAL_FUNCTION_TOTAL_INVOCATIONS",
        "EXTERNAL_FUNCTION_TOTAL_SENT_ROWS",
        "EXTERNAL_FUNCTION_TOTAL_RECEIVED_ROWS",
        "EXTERNAL_FUNCTION_TOTAL_SENT_BYTES",
        "EXTERNAL_FUNCTION_TOTAL_RECEIVED_BYTES",
        "QUERY_LOAD_PERCENT",
        "IS_CLIENT_GENERATED_STATEMENT",
        "QUERY_ACCELERATION_BYTES_SCANNED",
        "QUERY_ACCELERATION_PARTITIONS_SCANNED",
        "QUERY_ACCELERATION_UPPER_LIMIT_SCALE_FACTOR",
        "TRANSACTION_ID",
        "CHILD_QUERIES_WAIT_TIME",
        "ROLE_TYPE",
        "QUERY_HASH",
        "QUERY_HASH_VERSION",
        "QUERY_PARAMETERIZED_HASH",
        "QUERY_PARAMETERIZED_HASH_VERSION",
        "SECONDARY_ROLE_STATS",
        "ROWS_WRITTEN_TO_RESULT",
        "QUERY_RETRY_TIME",
        "QUERY_RETRY_CAUSE",
        "FAULT_HANDLING_TIME",
        "USER_TYPE",
        "USER_DATABASE_NAME",
        "USER_DATABASE_ID",
        "USER_SCHEMA_NAME",
        "USER_SCHEMA_ID",
    ]
)
ACCESS_HISTORY = frozenset(
    [
        "QUERY_ID",
        "QUERY_START_TIME",
        "USER_NAME",
        "DIRECT_OBJECTS_ACCESSED",
        "BASE_OBJECTS_ACCESSED",
        "OBJECTS_MODIFIED",
        "OBJECT_MODIFIED_BY_DDL",
        "POLICIES_REFERENCED",
        "PARENT_QUERY_ID",
        "ROOT_QUERY_ID",
    ]
)
LOGIN_HISTORY = frozenset(
    [
        "EVENT_ID",
        "EVENT_TIMESTAMP",
        "EVENT_TYPE",
        "USER_NAME",
        "CLIENT_IP",
        "REPORTED_CLIENT_TYPE",
        "REPORTED_CLIENT_VERSION",
        "FIRST_AUTHENTICATION_FACTOR",
        "SECOND_AUTHENTICATION_FACTOR",
        "IS_SUCCESS",
        "ERROR_CODE",
        "ERROR_MESSAGE",
        "RELATED_EVENT_ID",
        "CONNECTION",
        "CLIENT_PRIVATE_LINK_ID",
    ]
)
SESSIONS = frozenset(
    [
        "SESSION_ID",
        "CREATED_ON",
        "USER_NAME",
        "AUTHENTICATION_METHOD",
        "LOGIN_EVENT_ID",
        "CLIENT_APPLICATION_VERSION",
        "CLIENT_APPLICATION_ID",
        "CLIENT_ENVIRONMENT",
        "CLIENT_BUILD_ID",
        "CLIENT_VERSION",
        "CLOSED_REASON",
    ]
)
TAG_REFERENCES = frozenset(
    [
        "TAG_DATABASE",
        "TAG_SCHEMA",
        "TAG_ID",
        "TAG_NAME",
        "TAG_VALUE",
        "OBJECT_DATABASE",
        "OBJECT_SCHEMA",
        "OBJECT_ID",
        "OBJECT_NAME",
        "OBJECT_DELETED",
        "DOMAIN",
        "COLUMN_ID",
        "COLUMN_NAME",
        "APPLY_METHOD",
    ]
)
VIEWS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # view: (what identifies it in a header, its documented columns)
    "ACCESS_HISTORY": (frozenset({"QUERY_ID", "DIRECT_OBJECTS_ACCESSED"}), ACCESS_HISTORY),
    "QUERY_HISTORY": (frozenset({"QUERY_ID", "QUERY_TEXT", "START_TIME"}), QUERY_HISTORY),
    "LOGIN_HISTORY": (frozenset({"EVENT_ID", "EVENT_TIMESTAMP", "CLIENT_IP"}), LOGIN_HISTORY),
    "SESSIONS": (frozenset({"SESSION_ID", "CREATED_ON", "LOGIN_EVENT_ID"}), SESSIONS),
    "TAG_REFERENCES": (frozenset({"TAG_NAME", "TAG_VALUE", "OBJECT_NAME"}), TAG_REFERENCES),
}
_IDENT = re.compile(r"[A-Z_][A-Z0-9_$]{0,63}")
READ_TYPES = frozenset({"SELECT", "UNLOAD", "GET_FILES", "COPY"})
SENSITIVITY_TAGS = frozenset({"SENSITIVITY", "SEMANTIC_CATEGORY", "PRIVACY_CATEGORY"})


@dataclass(slots=True)
class _Query:
    """What ``QUERY_HISTORY`` says of a query (never its text: only what was read from it)."""

    role: str | None
    user_type: str | None
    rows: int | None
    bytes: int | None
    session: str | None
    start: str
    user: str
    query_type: str
    status: str
    database: str | None
    schema: str | None
    sha: str | None
    line: tuple[str, int]
    text: str | None


def _rows(path: Path, parsed: Parsed) -> tuple[str | None, Iterator[tuple[int, dict[str, str]]]]:
    """The view a file holds and its rows (line numbers as in the file)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # VARIANT columns can be long
    fh = open_text(path)
    reader = csv.reader(fh)
    try:
        header = [h.strip().upper() for h in next(reader)]
    except StopIteration:
        fh.close()
        parsed.report.problem(path, 1, "empty file")
        return None, iter(())
    except csv.Error:
        fh.close()
        parsed.report.problem(path, 1, "unreadable CSV header")
        return None, iter(())
    names = set(header)
    view = next((v for v, (key, _) in VIEWS.items() if key <= names), None)
    if view is None:
        fh.close()
        parsed.report.problem(path, 1, "not a known ACCOUNT_USAGE view (header columns)")
        return None, iter(())
    unknown = sorted(names - VIEWS[view][1])
    for name in unknown:
        # A header cell is named only when it looks like a column name: a data row taken for a
        # header must not put a value in the report.
        shown = repr(name) if _IDENT.fullmatch(name) else "(not a column name)"
        parsed.report.problem(path, 1, f"unknown column {shown} in {view} (ignored)")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with fh:
            width = len(header)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error:
                    parsed.report.problem(path, reader.line_num, "malformed CSV row")
                    continue
                parsed.report.rows += 1
                if len(row) != width:
                    parsed.report.problem(
                        path, reader.line_num, f"{len(row)} fields, the header has {width}"
                    )
                    continue
                yield reader.line_num, dict(zip(header, row, strict=True))

    return view, rows()


def _objects(value: str) -> list[dict[str, Any]]:
    """A VARIANT column of objects (``[]`` when empty); ``ValueError`` when it is not JSON."""
    if not value or value in ("null", "NULL", "[]"):
        return []
    loaded = json.loads(value)
    if not isinstance(loaded, list):
        raise ValueError("not a JSON array")
    return [o for o in loaded if isinstance(o, dict)]


def _touched(objs: list[dict[str, Any]]) -> tuple[dict[str, None], dict[str, None]]:
    tables: dict[str, None] = {}
    columns: dict[str, None] = {}
    for obj in objs:
        name = obj.get("objectName")
        if not isinstance(name, str) or not name:
            continue
        name = name.upper()
        tables[name] = None
        for col in obj.get("columns") or ():
            if isinstance(col, dict) and isinstance(col.get("columnName"), str):
                columns[f"{name}.{col['columnName'].upper()}"] = None
    return tables, columns


Decoded = tuple[tuple[str, ...], tuple[str, ...]]
CACHE_SIZE = 50_000
"""Distinct VARIANT texts kept decoded per parse (the same query shapes repeat)."""


def _decoded(value: str, cache: dict[str, Decoded]) -> Decoded:
    """Tables and columns of a VARIANT column, decoded once per distinct text."""
    found = cache.get(value)
    if found is None:
        tables, columns = _touched(_objects(value))
        found = (tuple(tables), tuple(columns))
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[value] = found
    return found


def parse_files(files: list[Path], parsed: Parsed) -> None:
    """Join the views in ``files`` and add their events to ``parsed``."""
    by_view: dict[str, list[tuple[Path, Iterator[tuple[int, dict[str, str]]]]]] = {}
    for path in files:
        view, rows = _rows(path, parsed)
        if view is not None:
            by_view.setdefault(view, []).append((path, rows))
    logins: dict[str, tuple[str | None, str | None]] = {}
    for path, rows in by_view.get("LOGIN_HISTORY", []):
        for line, row in rows:
            _login(path, line, row, parsed, logins)
    sessions: dict[str, tuple[str | None, str | None]] = {}
    for _path, rows in by_view.get("SESSIONS", []):
        for _line, row in rows:
            ip, reported = logins.get(row.get("LOGIN_EVENT_ID", ""), (None, None))
            sessions[row.get("SESSION_ID", "")] = (ip, row.get("CLIENT_APPLICATION_ID") or reported)
    for path, rows in by_view.get("TAG_REFERENCES", []):
        for line, row in rows:
            _tag(path, line, row, parsed)
    queries: dict[str, _Query] = {}
    for path, rows in by_view.get("QUERY_HISTORY", []):
        for line, row in rows:
            query_id = row.get("QUERY_ID", "")
            if not query_id:
                parsed.report.problem(path, line, "no QUERY_ID")
                continue
            text = row.get("QUERY_TEXT") or None
            queries[query_id] = _Query(
                role=row.get("ROLE_NAME") or None,
                user_type=row.get("USER_TYPE") or None,
                rows=as_int(row.get("ROWS_PRODUCED")),
                bytes=as_int(row.get("BYTES_SCANNED")),
                session=row.get("SESSION_ID") or None,
                start=row.get("START_TIME", ""),
                user=row.get("USER_NAME", ""),
                query_type=(row.get("QUERY_TYPE") or "").upper(),
                status=(row.get("EXECUTION_STATUS") or "").upper(),
                database=row.get("DATABASE_NAME") or None,
                schema=row.get("SCHEMA_NAME") or None,
                sha=query_digest(text) if text else None,
                line=(str(path), line),
                text=text,
            )
    seen: set[str] = set()
    decoded: dict[str, Decoded] = {}
    for path, rows in by_view.get("ACCESS_HISTORY", []):
        for line, row in rows:
            query_id = row.get("QUERY_ID", "")
            seen.add(query_id)
            _access(path, line, row, queries.get(query_id), sessions, parsed, decoded)
    parse_cache: dict[str, Any] = {}
    for query_id, query in queries.items():
        if query_id not in seen:
            _query_only(query_id, query, sessions, parsed, parse_cache)


def _kind_hint(user_type: str | None) -> str | None:
    """``USER_TYPE`` (``PERSON``, ``SERVICE``, ``LEGACY_SERVICE``) as a principal kind."""
    if not user_type:
        return None
    upper = user_type.upper()
    return "service" if "SERVICE" in upper else "human" if upper == "PERSON" else None


def _login(
    path: Path,
    line: int,
    row: Mapping[str, str],
    parsed: Parsed,
    logins: dict[str, tuple[str | None, str | None]],
) -> None:
    event_id = row.get("EVENT_ID", "")
    user = row.get("USER_NAME", "")
    try:
        when = parse_time(row.get("EVENT_TIMESTAMP"))
    except ValueError:
        parsed.report.problem(path, line, "EVENT_TIMESTAMP is not a time")
        return
    if not event_id or not user:
        parsed.report.problem(path, line, "no EVENT_ID or USER_NAME")
        return
    ip = row.get("CLIENT_IP") or None
    client = row.get("REPORTED_CLIENT_TYPE") or None
    logins[event_id] = (ip, client)
    if (row.get("IS_SUCCESS") or "YES").upper() not in ("YES", "TRUE"):
        return
    parsed.events.append(
        AccessEvent(
            time=when,
            source="snowflake",
            event_id=event_id,
            principal=user.upper(),
            principal_kind=principal_kind(user),
            client=client,
            ip=ip,
            action="login",
        )
    )


def _tag(path: Path, line: int, row: Mapping[str, str], parsed: Parsed) -> None:
    if (row.get("TAG_NAME") or "").upper() not in SENSITIVITY_TAGS:
        return
    value = (row.get("TAG_VALUE") or "").strip()
    obj = ".".join(
        p
        for p in (row.get("OBJECT_DATABASE"), row.get("OBJECT_SCHEMA"), row.get("OBJECT_NAME"))
        if p
    )
    if not value or not obj:
        parsed.report.problem(path, line, "a tag reference without a value or object")
        return
    column = row.get("COLUMN_NAME")
    domain = (row.get("DOMAIN") or "").upper()
    parsed.add_tag(f"{obj}.{column}" if column and domain == "COLUMN" else obj, value)


def _access(
    path: Path,
    line: int,
    row: Mapping[str, str],
    query: _Query | None,
    sessions: Mapping[str, tuple[str | None, str | None]],
    parsed: Parsed,
    cache: dict[str, Decoded] | None = None,
) -> None:
    query_id = row.get("QUERY_ID", "")
    user = row.get("USER_NAME", "")
    if not query_id or not user:
        parsed.report.problem(path, line, "no QUERY_ID or USER_NAME")
        return
    try:
        when = parse_time(row.get("QUERY_START_TIME"))
    except ValueError:
        parsed.report.problem(path, line, "QUERY_START_TIME is not a time")
        return
    cache = {} if cache is None else cache
    direct = row.get("DIRECT_OBJECTS_ACCESSED", "")
    base = row.get("BASE_OBJECTS_ACCESSED", "")
    try:
        read_t, read_c = _decoded(direct, cache)
        # Base objects are the direct ones unless a view was read: decode them once then.
        if base != direct:
            base_t, base_c = _decoded(base, cache)
            read_t = tuple(dict.fromkeys(read_t + base_t))
            read_c = tuple(dict.fromkeys(read_c + base_c))
        mod_t, mod_c = _decoded(row.get("OBJECTS_MODIFIED", ""), cache)
    except ValueError:
        parsed.report.problem(path, line, "an *_OBJECTS_* column is not a JSON array")
        return
    ip, client = sessions.get(query.session or "", (None, None)) if query else (None, None)
    kind = principal_kind(user, _kind_hint(query.user_type if query else None))
    common: dict[str, Any] = {
        "time": when,
        "source": "snowflake",
        "event_id": query_id,
        "principal": user.upper(),
        "role": query.role.upper() if query and query.role else None,
        "principal_kind": kind,
        "client": client,
        "ip": ip,
        "session": query.session if query else None,
        "query_sha": query.sha if query else None,
    }
    if read_t:
        parsed.events.append(
            AccessEvent(
                **common,
                action="read",
                objects=read_t,
                columns=read_c,
                rows=query.rows if query else None,
                bytes=query.bytes if query else None,
            )
        )
    if mod_t:
        parsed.events.append(AccessEvent(**common, action="write", objects=mod_t, columns=mod_c))


def _query_only(
    query_id: str,
    query: _Query,
    sessions: Mapping[str, tuple[str | None, str | None]],
    parsed: Parsed,
    cache: dict[str, Any],
) -> None:
    """A ``QUERY_HISTORY`` row no ``ACCESS_HISTORY`` row covers: read its text with sqlglot."""
    file, line = query.line
    if query.status and query.status != "SUCCESS":
        return
    if not query.text or query.query_type not in READ_TYPES | {
        "INSERT",
        "UPDATE",
        "DELETE",
        "MERGE",
        "CREATE_TABLE_AS_SELECT",
    }:
        return
    try:
        when = parse_time(query.start)
    except ValueError:
        parsed.report.problem(file, line, "START_TIME is not a time")
        return
    key = query.sha or ""
    if key not in cache:
        cache[key] = touched(query.text, "snowflake", query.database, query.schema)
    found = cache[key]
    if found is None:
        parsed.report.problem(file, line, f"QUERY_TEXT of {query_id[:64]} does not parse")
        return
    ip, client = sessions.get(query.session or "", (None, None))
    parsed.events.append(
        AccessEvent(
            time=when,
            source="snowflake",
            event_id=query_id,
            principal=query.user.upper(),
            role=query.role.upper() if query.role else None,
            principal_kind=principal_kind(query.user, _kind_hint(query.user_type)),
            client=client,
            ip=ip,
            action="write" if found.write else "read",
            objects=found.tables,
            columns=found.columns,
            rows=query.rows,
            bytes=query.bytes,
            session=query.session,
            query_sha=query.sha,
        )
    )


def parse_record(text: str, where: str, parsed: Parsed) -> None:
    """One streamed row: a JSON object with ``ACCESS_HISTORY`` columns and, joined, the
    ``QUERY_HISTORY`` ones (``ROLE_NAME``, ``ROWS_PRODUCED``…), as a Snowflake stream or task
    would publish it."""
    parsed.report.rows += 1
    try:
        row = json.loads(text)
    except ValueError:
        parsed.report.problem(where, 1, "not JSON")
        return
    if not isinstance(row, dict):
        parsed.report.problem(where, 1, "not a JSON object")
        return
    row = {str(k).upper(): ("" if v is None else v) for k, v in row.items()}
    for key in ("DIRECT_OBJECTS_ACCESSED", "BASE_OBJECTS_ACCESSED", "OBJECTS_MODIFIED"):
        if not isinstance(row.get(key, ""), str):
            row[key] = json.dumps(row[key])
    query = _Query(
        role=str(row.get("ROLE_NAME") or "") or None,
        user_type=str(row.get("USER_TYPE") or "") or None,
        rows=as_int(row.get("ROWS_PRODUCED")),
        bytes=as_int(row.get("BYTES_SCANNED")),
        session=str(row.get("SESSION_ID") or "") or None,
        start=str(row.get("QUERY_START_TIME") or ""),
        user=str(row.get("USER_NAME") or ""),
        query_type="",
        status="",
        database=None,
        schema=None,
        sha=None,
        line=(where, 1),
        text=None,
    )
    if "QUERY_START_TIME" in row and isinstance(row["QUERY_START_TIME"], int | float):
        row["QUERY_START_TIME"] = str(int(row["QUERY_START_TIME"]))
    sessions = {
        query.session or "": (
            row.get("CLIENT_IP") or None,
            row.get("CLIENT_APPLICATION_ID") or None,
        )
    }
    _access(Path(where), 1, {k: str(v) for k, v in row.items()}, query, sessions, parsed)
