"""``dataward detect``: findings for each record of a file or standard input, as JSON lines.

The input is read by the same readers as ``dataward scan`` (:mod:`dataward.sources`), its
format picked the same way: JSON Lines and JSON give one record per object
(``--text-field``, ``--id-field``), CSV, TSV, Parquet and Arrow one per row (the text column,
the id column or the row number), text one per line (the line number). Input is read as UTF-8.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from dataward.detect.api import get_engine
from dataward.detect.model import Finding
from dataward.errors import SourceError
from dataward.sources.base import Limits, Source
from dataward.sources.opening import format_for, open_location, resolve

DEFAULT_MAX_LINE_BYTES = Limits().max_line_bytes


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_command)


def detect_command(
    input: str = typer.Argument(
        ..., help="A JSONL, JSON, CSV, Parquet or text file, or '-' for stdin."
    ),
    output_format: str = typer.Option("jsonl", "--format", help="jsonl (one line per record)."),
    entities: str | None = typer.Option(
        None, "--entities", help="Comma-separated entity types; only these are compiled and run."
    ),
    text_field: str = typer.Option("text", "--text-field", help="JSONL field holding the text."),
    id_field: str = typer.Option("id", "--id-field", help="JSONL field holding the record id."),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="Minimum score (default 0.5)."
    ),
    explain: bool = typer.Option(False, "--explain", help="Say why each finding was reported."),
    show_values: bool = typer.Option(
        False, "--show-values", help="Print matched values (they are sensitive!)."
    ),
    language: str | None = typer.Option(
        None, "--language", help="Context language: en, de, fr, es, it (default: detected)."
    ),
    detectors: list[Path] = typer.Option(
        [], "--detectors", help="A YAML file of custom detectors (repeatable)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Processes to use (default: all cores)."
    ),
    max_line_bytes: int = typer.Option(
        DEFAULT_MAX_LINE_BYTES, "--max-line-bytes", help="Refuse longer input lines."
    ),
) -> None:
    """Detect sensitive values; prints {"id", "findings": [{"entity", "start", "end", "score",
    "detector"}]} per record, in input order. Offsets are Python str indices, end exclusive."""
    if output_format != "jsonl":
        raise typer.BadParameter("only 'jsonl' is supported", param_hint="--format")
    if language is not None and language not in ("en", "de", "fr", "es", "it"):
        raise typer.BadParameter("use one of en, de, fr, es, it", param_hint="--language")
    wanted = [e.strip() for e in entities.split(",") if e.strip()] if entities else None
    engine = get_engine(wanted, detector_files=detectors, threshold=threshold)
    source = open_input(input, Limits(max_line_bytes=max_line_bytes), text_field)
    records = read_records(source, text_field, id_field)
    ids: deque[Any] = deque()
    texts: deque[str | None] = deque()

    def feed() -> Iterator[str | None]:
        for rid, text in records:
            ids.append(rid)
            if show_values:
                texts.append(text)
            yield text

    out = sys.stdout
    results = engine.detect_batch(feed(), language=language, explain=explain, workers=workers)
    for findings in results:
        rid = ids.popleft()
        text = texts.popleft() if show_values else None
        line = {"id": rid, "findings": [_finding(f, explain, text) for f in findings]}
        if getattr(findings, "partial", False):  # past detect.record_budget_ms: not verified
            line["partial"] = True
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    out.flush()


def open_input(input: str, limits: Limits, text_field: str) -> Source:
    """The source of a path (or ``-``, standard input), read as UTF-8. Content whose name
    says no format and that merely looks like CSV without a ``text_field`` column is text."""
    from dataward.sources.locations import StreamLocation

    if input == "-":
        location: Any = StreamLocation(sys.stdin.buffer, "<stdin>")
    else:
        location = resolve(input, limits)
    options = {"encoding": "utf-8"}
    source = open_location(
        location, format=None, limits=limits, options=options, strict_options=False
    )
    sniffed = input == "-" or format_for(input) is None
    columns = getattr(source, "column_names", ())
    if sniffed and source.format in ("csv", "tsv") and text_field not in columns:
        return _as_text(source)
    return source


def _as_text(source: Source) -> Source:
    from dataward.sources.text import TextSource

    return TextSource(
        source.location, format="text", limits=source.limits, sample=source.sample, encoding="utf-8"
    )


def read_records(
    source: Source, text_field: str, id_field: str
) -> Iterator[tuple[Any, str | None]]:
    """``(id, text)`` of each record of ``source``; problems raise :class:`SourceError` naming
    the place, never a value."""
    if source.format == "text":
        yield from source.text_lines()  # type: ignore[attr-defined]
        return
    if source.format in ("jsonl", "json"):
        what = "line" if source.format == "jsonl" else "element"
        for where, obj, _size in source.records():  # type: ignore[attr-defined]
            n = where if source.format == "jsonl" else where + 1
            yield _json_record(source.uri, f"{what} {n}", n, obj, text_field, id_field)
        return
    row = 0
    for batch in source.batches():
        names = batch.schema.names
        if text_field not in names:
            shown = ", ".join(sorted(map(str, names))[:10]) or "none"
            raise SourceError(
                f"{source.uri}: has no column {text_field!r} (columns: {shown}); "
                "choose one with --text-field",
                path=source.uri,
            )
        texts = batch.column(text_field).to_pylist()
        ids = batch.column(id_field).to_pylist() if id_field in names else None
        for i, text in enumerate(texts):
            row += 1
            if text is not None and not isinstance(text, str):
                text = json.dumps(text, ensure_ascii=False, default=str)
            yield (ids[i] if ids is not None and ids[i] is not None else row), text


def _json_record(
    uri: str, where: str, n: int, obj: Any, text_field: str, id_field: str
) -> tuple[Any, str | None]:
    if not isinstance(obj, dict):
        raise SourceError(
            f"{uri}: {where} is a JSON {type(obj).__name__}, expected an object", path=uri
        )
    if text_field not in obj:
        keys = ", ".join(sorted(map(str, obj))[:10]) or "none"
        raise SourceError(
            f"{uri}: {where} has no field {text_field!r} (fields: {keys}); "
            "choose one with --text-field",
            path=uri,
        )
    text = obj[text_field]
    if text is not None and not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False)
    return obj.get(id_field, n), text


def _finding(f: Finding, explain: bool, text: str | None) -> dict[str, Any]:
    d = f.to_dict(explain=explain)
    if text is not None:
        d["value"] = text[f.start : f.end]
    return d
