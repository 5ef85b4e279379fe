"""Generic OCSF JSON lines: class 6005 (Datastore Activity) events, as
:meth:`AccessEvent.to_ocsf` writes them or as another OCSF producer does (``actor.user.name``,
``src_endpoint.ip``, ``table.name``/``database.name``, ``query_info.query_string`` read with
sqlglot, ``metadata.uid``, ``time`` in epoch milliseconds). Other classes are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataward.monitor.event import OCSF_CLASS_UID, AccessEvent, Action, query_digest
from dataward.monitor.parsers.common import Parsed, as_int, lines, parse_time, principal_kind
from dataward.monitor.sql import touched

_ACTIONS: dict[int, Action] = {1: "write", 2: "read", 3: "write", 4: "write", 5: "read", 6: "read"}


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _record(record: Any, where: str, line: int, parsed: Parsed) -> None:
    parsed.report.rows += 1
    if not isinstance(record, dict):
        parsed.report.problem(where, line, "not a JSON object")
        return
    if record.get("class_uid") != OCSF_CLASS_UID:
        return
    try:
        when = parse_time(record.get("time"))
    except ValueError:
        parsed.report.problem(where, line, "time is not a time")
        return
    actor = _d(record.get("actor"))
    user = _d(actor.get("user"))
    principal = str(user.get("name") or user.get("uid") or "")
    event_id = _d(record.get("metadata")).get("uid")
    if not principal or not event_id:
        parsed.report.problem(where, line, "no actor.user.name or metadata.uid")
        return
    extra = _d(_d(record.get("unmapped")).get("dataward"))
    objects = tuple(str(o).upper() for o in extra.get("objects") or ())
    columns = tuple(str(c).upper() for c in extra.get("columns") or ())
    if not objects:
        table = _d(record.get("table")).get("name")
        database = _d(record.get("database")).get("name")
        if table:
            objects = (f"{database}.{table}".upper() if database else str(table).upper(),)
    query = _d(record.get("query_info"))
    sha = query.get("uid")
    text = query.get("query_string")
    if isinstance(text, str) and text:
        sha = query_digest(text)
        if not columns:
            found = touched(text)
            if found is None:
                parsed.report.problem(where, line, "query_info.query_string does not parse")
            else:
                objects = objects or found.tables
                columns = found.columns
    action: Action = _ACTIONS.get(as_int(record.get("activity_id")) or 0, "other")
    if extra.get("action") in ("read", "write", "login", "other"):
        action = extra["action"]
    groups = user.get("groups") or []
    role = _d(groups[0]).get("name") if isinstance(groups, list) and groups else None
    user_type = str(user.get("type") or "")
    hint = "service" if user_type == "System" else "human" if user_type == "User" else None
    endpoint = _d(record.get("src_endpoint"))
    parsed.events.append(
        AccessEvent(
            time=when,
            source=str(_d(_d(record.get("metadata")).get("product")).get("name") or "ocsf"),
            event_id=str(event_id),
            principal=principal,
            role=str(role) if role else None,
            principal_kind=principal_kind(principal, hint),
            client=endpoint.get("name") or _d(record.get("http_request")).get("user_agent"),
            ip=endpoint.get("ip"),
            action=action,
            objects=objects,
            columns=columns,
            rows=as_int(extra.get("rows")),
            bytes=as_int(extra.get("bytes")),
            session=_d(actor.get("session")).get("uid"),
            query_sha=str(sha) if sha else None,
            tags={str(k).upper(): tuple(v) for k, v in _d(extra.get("tags")).items()},
        )
    )
    for target, tags in _d(extra.get("tags")).items():
        for tag in tags if isinstance(tags, list) else ():
            parsed.add_tag(str(target), str(tag))


def parse_files(files: list[Path], parsed: Parsed) -> None:
    """OCSF JSON-lines files into ``parsed``."""
    for path in files:
        for number, line in lines(path):
            if line.strip():
                parse_record(line, f"{path}", parsed, number)


def parse_record(text: str, where: str, parsed: Parsed, line: int = 1) -> None:
    try:
        record = json.loads(text)
    except ValueError:
        parsed.report.rows += 1
        parsed.report.problem(where, line, "not JSON")
        return
    _record(record, where, line, parsed)
