"""``dataward detect``: findings for each record of a JSONL or text file, as JSON lines."""

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
from dataward.sources.records import DEFAULT_MAX_LINE_BYTES, iter_records


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_command)


def detect_command(
    input: str = typer.Argument(..., help="A JSONL file, a plain text file, or '-' for stdin."),
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
    records = iter_records(
        input, text_field=text_field, id_field=id_field, max_line_bytes=max_line_bytes
    )
    ids: deque[Any] = deque()
    texts: deque[str | None] = deque()

    def feed() -> Iterator[str | None]:
        for record in records:
            ids.append(record.id)
            if show_values:
                texts.append(record.text)
            yield record.text

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


def _finding(f: Finding, explain: bool, text: str | None) -> dict[str, Any]:
    d = f.to_dict(explain=explain)
    if text is not None:
        d["value"] = text[f.start : f.end]
    return d
