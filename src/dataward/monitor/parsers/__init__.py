"""Parsers: one per source format, each from what the system itself writes to
:class:`~dataward.monitor.event.AccessEvent`.

``parse(name, paths)`` reads files; ``parse_record(name, record)`` one streamed record (a NATS
message, a line appended to a watched file). Unknown names list the known ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from dataward.errors import UnknownNameError
from dataward.monitor.parsers.common import Parsed, ParseReport, Problem, expand

__all__ = ["SOURCES", "ParseReport", "Parsed", "Problem", "parse", "parse_record"]

SOURCES = ("snowflake", "cloudtrail", "s3-access", "pgaudit", "databricks", "ocsf")


FileParser = Callable[[list[Path], Parsed], None]


def _file_parser(name: str) -> FileParser:
    if name == "snowflake":
        from dataward.monitor.parsers import snowflake

        return snowflake.parse_files
    if name == "cloudtrail":
        from dataward.monitor.parsers import aws

        return aws.parse_cloudtrail
    if name == "s3-access":
        from dataward.monitor.parsers import aws

        return aws.parse_s3_access
    if name == "pgaudit":
        from dataward.monitor.parsers import pgaudit

        return pgaudit.parse_files
    if name == "databricks":
        from dataward.monitor.parsers import databricks

        return databricks.parse_files
    if name == "ocsf":
        from dataward.monitor.parsers import ocsf

        return ocsf.parse_files
    raise UnknownNameError("monitor source", name, SOURCES)


def parse(name: str, paths: Iterable[str | Path]) -> Parsed:
    """Every event in ``paths`` (files or directories) read as source ``name``, sorted by time."""
    parser = _file_parser(name)
    files = expand(paths)
    parsed = Parsed()
    parsed.report.files = len(files)
    parser(files, parsed)
    parsed.events.sort(key=lambda e: e.time)
    parsed.report.events = len(parsed.events)
    return parsed


def parse_record(name: str, record: bytes | str, where: str, parsed: Parsed) -> None:
    """One streamed record of source ``name`` (a JSON object or a log line) into ``parsed``;
    a bad one becomes a problem at ``where``."""
    from dataward.monitor.parsers import aws, databricks, ocsf, pgaudit, snowflake

    text = record.decode("utf-8", "replace") if isinstance(record, bytes) else record
    handlers: dict[str, Callable[[str, str, Parsed], None]] = {
        "snowflake": snowflake.parse_record,
        "cloudtrail": aws.parse_cloudtrail_record,
        "s3-access": aws.parse_s3_access_record,
        "pgaudit": pgaudit.parse_record,
        "databricks": databricks.parse_record,
        "ocsf": ocsf.parse_record,
    }
    handler = handlers.get(name)
    if handler is None:
        raise UnknownNameError("monitor source", name, SOURCES)
    before = len(parsed.events)
    handler(text, where, parsed)
    parsed.report.events += len(parsed.events) - before
