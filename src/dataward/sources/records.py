"""Records of text for ``dataward detect``: JSONL objects or lines of a plain text file.

Input is read as a stream of bytes, one line at a time, so memory stays bounded whatever the file
size. Problems raise :class:`~dataward.errors.SourceError` with the path and line number, never
with the content of the line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from dataward.errors import SourceError
from dataward.sources.locations import describe_os_error

DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
Format = Literal["auto", "jsonl", "text"]


@dataclass(frozen=True, slots=True)
class Record:
    id: Any
    text: str | None


def iter_records(
    path: str | Path,
    *,
    text_field: str = "text",
    id_field: str = "id",
    input_format: Format = "auto",
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[Record]:
    """Yield the records of ``path`` (``-`` for standard input) in order.

    A JSONL record gives ``record[id_field]`` (the line number when absent) and
    ``record[text_field]``; a plain text line gives its line number and the line.
    """
    name = str(path)
    if name == "-":
        stdin = sys.stdin.buffer
        yield from _read(stdin, "<stdin>", text_field, id_field, input_format, max_line_bytes)
        return
    p = Path(path)
    if p.is_dir():
        raise SourceError(f"{name}: is a directory; give a file or '-'", path=name)
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise SourceError(f"{name}: cannot open: {describe_os_error(exc)}", path=name) from None
    with fh:
        try:
            yield from _read(fh, name, text_field, id_field, input_format, max_line_bytes)
        except OSError as exc:
            if isinstance(exc, SourceError):
                raise
            raise SourceError(f"{name}: read failed: {describe_os_error(exc)}", path=name) from None


def _read(
    fh: IO[bytes],
    name: str,
    text_field: str,
    id_field: str,
    input_format: Format,
    max_line_bytes: int,
) -> Iterator[Record]:
    fmt: str = input_format
    if fmt == "auto":
        fmt = "jsonl" if name.endswith((".jsonl", ".ndjson", ".json")) else "unknown"
    lineno = 0
    while True:
        raw = fh.readline(max_line_bytes + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            raise SourceError(
                f"{name}: line {lineno} is longer than {max_line_bytes} bytes; "
                "split the input or raise --max-line-bytes",
                path=name,
                line=lineno,
            )
        if b"\x00" in raw:
            raise SourceError(
                f"{name}: line {lineno} contains NUL bytes; this looks like a binary file, "
                "not text or JSONL",
                path=name,
                line=lineno,
            )
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{name}: line {lineno} is not valid UTF-8 (byte {exc.start} of the line); "
                "re-encode the file as UTF-8",
                path=name,
                line=lineno,
            ) from None
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        stripped = line.rstrip("\r\n")
        if fmt == "unknown":
            fmt = "jsonl" if stripped.lstrip().startswith("{") else "text"
        if fmt == "text":
            yield Record(lineno, stripped)
            continue
        if not stripped.strip():
            continue
        yield _json_record(stripped, name, lineno, text_field, id_field)


def _json_record(line: str, name: str, lineno: int, text_field: str, id_field: str) -> Record:
    try:
        obj = json.loads(line)
    except RecursionError:
        raise SourceError(
            f"{name}: line {lineno} is nested too deeply for the JSON parser; flatten the data",
            path=name,
            line=lineno,
        ) from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{name}: line {lineno} is not valid JSON ({exc.msg} at column {exc.colno})",
            path=name,
            line=lineno,
        ) from None
    if not isinstance(obj, dict):
        raise SourceError(
            f"{name}: line {lineno} is a JSON {type(obj).__name__}, expected an object",
            path=name,
            line=lineno,
        )
    if text_field not in obj:
        keys = ", ".join(sorted(map(str, obj))[:10]) or "none"
        raise SourceError(
            f"{name}: line {lineno} has no field {text_field!r} (fields: {keys}); "
            "choose one with --text-field",
            path=name,
            line=lineno,
        )
    text = obj[text_field]
    if text is not None and not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False)
    return Record(obj.get(id_field, lineno), text)
