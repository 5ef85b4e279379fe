"""Databricks audit logs: JSON lines as delivered (``serviceName``, ``actionName``,
``userIdentity.email``, ``sourceIPAddress``, ``userAgent``, ``requestParams``, ``requestId``,
``timestamp`` in epoch milliseconds), or rows of ``system.access.audit`` exported as JSON
(``service_name``, ``action_name``, ``user_identity.email``, ``source_ip_address``,
``event_time``, ``event_id``).

Read here: Unity Catalog ``getTable`` (``full_name_arg``), SQL ``commandSubmit`` and notebook
``runCommand`` (the ``commandText`` read with sqlglot, then dropped), and result downloads
(``downloadQueryResult``, ``downloadPreviewResults``, ``downloadLargeResults``). A principal
whose name is an application id (a UUID, no ``@``) is a service principal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataward.monitor.event import AccessEvent, Action, query_digest
from dataward.monitor.parsers.common import Parsed, lines, parse_time, principal_kind
from dataward.monitor.sql import touched

TABLE_ACTIONS = frozenset({"getTable", "generateTemporaryTableCredential"})
COMMAND_ACTIONS = frozenset({"commandSubmit", "runCommand", "executeStatement"})
DOWNLOAD_ACTIONS = frozenset(
    {"downloadQueryResult", "downloadPreviewResults", "downloadLargeResults", "exportResults"}
)


def _get(record: dict[str, Any], camel: str, snake: str) -> Any:
    return record.get(camel, record.get(snake))


def _is_uuid(name: str) -> bool:
    parts = name.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(
        c in "0123456789abcdefABCDEF" for p in parts for c in p
    )


def _record(record: Any, where: str, line: int, parsed: Parsed) -> None:
    parsed.report.rows += 1
    if not isinstance(record, dict):
        parsed.report.problem(where, line, "not a JSON object")
        return
    action_name = str(_get(record, "actionName", "action_name") or "")
    if action_name not in TABLE_ACTIONS | COMMAND_ACTIONS | DOWNLOAD_ACTIONS:
        return
    ident = _get(record, "userIdentity", "user_identity") or {}
    principal = str(ident.get("email") or "") if isinstance(ident, dict) else ""
    event_id = _get(record, "requestId", "request_id") or record.get("event_id")
    raw_time = record.get("timestamp", record.get("event_time"))
    try:
        when = parse_time(raw_time)
    except ValueError:
        parsed.report.problem(where, line, "timestamp is not a time")
        return
    if not principal or not event_id:
        parsed.report.problem(where, line, "no userIdentity.email or requestId")
        return
    params = _get(record, "requestParams", "request_params") or {}
    if not isinstance(params, dict):
        params = {}
    objects: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    sha = None
    action: Action = "read"
    if action_name in TABLE_ACTIONS:
        name = params.get("full_name_arg") or params.get("table_full_name")
        if not name:
            parsed.report.problem(where, line, f"{action_name} without full_name_arg")
            return
        objects = (str(name).upper(),)
    elif action_name in COMMAND_ACTIONS:
        text = params.get("commandText") or params.get("statement")
        if not isinstance(text, str) or not text:
            return
        sha = query_digest(text)
        found = touched(text, "databricks")
        if found is None:
            parsed.report.problem(where, line, "commandText does not parse")
            return
        objects, columns = found.tables, found.columns
        action = "write" if found.write else "read"
    else:
        action = "other"
        objects = (
            f"DOWNLOAD:{params.get('queryResultId') or params.get('notebookId') or 'result'}",
        )
    service = str(_get(record, "serviceName", "service_name") or "")
    hint = "service" if _is_uuid(principal) else None
    parsed.events.append(
        AccessEvent(
            time=when,
            source="databricks",
            event_id=str(event_id),
            principal=principal,
            role=service or None,
            principal_kind=principal_kind(principal, hint),
            client=str(_get(record, "userAgent", "user_agent") or "") or None,
            ip=str(_get(record, "sourceIPAddress", "source_ip_address") or "") or None,
            action=action,
            objects=objects,
            columns=columns,
            session=str(_get(record, "sessionId", "session_id") or "") or None,
            query_sha=sha,
        )
    )


def parse_files(files: list[Path], parsed: Parsed) -> None:
    """JSON-lines audit files (or a JSON array) into ``parsed``."""
    for path in files:
        for number, line in lines(path):
            stripped = line.strip()
            if not stripped:
                continue
            if number == 1 and stripped.startswith("["):
                parse_record(path.read_text(encoding="utf-8", errors="replace"), str(path), parsed)
                break
            try:
                record = json.loads(stripped)
            except ValueError:
                parsed.report.rows += 1
                parsed.report.problem(path, number, "not JSON")
                continue
            _record(record, str(path), number, parsed)


def parse_record(text: str, where: str, parsed: Parsed) -> None:
    try:
        document = json.loads(text)
    except ValueError:
        parsed.report.rows += 1
        parsed.report.problem(where, 1, "not JSON")
        return
    if isinstance(document, list):
        for index, record in enumerate(document, 1):
            _record(record, where, index, parsed)
    else:
        _record(document, where, 1, parsed)
