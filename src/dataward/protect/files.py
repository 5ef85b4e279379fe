"""Protecting whole files: CSV/TSV, JSON Lines, Parquet, Arrow IPC and plain text, streamed
batch by batch in bounded memory and written atomically (a temporary file in the output's
folder, renamed over ``output`` only once everything was written; an interrupted run leaves no
output and never touches the input).

The output keeps the input's format, column order and row count (unless ``suppress`` drops
records). Writer settings are fixed and nothing time- or random-dependent is written, so the same
key and input give a byte-identical output.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from dataward.errors import ConfigError, SourceError
from dataward.protect.apply import ColumnDecision, Protector, RulesLike
from dataward.protect.keys import KeyRing

WRITE_FORMATS = ("csv", "tsv", "jsonl", "parquet", "arrow", "text")
BATCH_ROWS = 16_384
_ROW = "\x00row"
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_size": 1 << 20,
}
"""Fixed Parquet writer settings (the writer adds no timestamp)."""

Progress = Callable[[int], None]
"""Called with the number of input rows just done."""


@dataclass(slots=True)
class FileReport:
    """What a file run did; holds no values."""

    input: str
    output: str
    format: str
    rows_in: int = 0
    rows_out: int = 0
    columns: list[dict[str, Any]] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "format": self.format,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "columns": self.columns,
            "findings": self.findings,
        }


# -- atomic output --------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` only when the block ends without an exception."""
    folder = path.parent if str(path.parent) else Path()
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(path.stat().st_mode & 0o777 if path.exists() else 0o644)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


# -- formats --------------------------------------------------------------------------------


def _format_of(path: Path, source_format: str | None = None) -> str:
    name = path.name.lower()
    for suffix in (".gz", ".bz2", ".zst"):
        name = name.removesuffix(suffix)
    ext = Path(name).suffix
    mapping = {
        ".csv": "csv",
        ".tsv": "tsv",
        ".tab": "tsv",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".parquet": "parquet",
        ".pq": "parquet",
        ".arrow": "arrow",
        ".feather": "arrow",
        ".ipc": "arrow",
        ".txt": "text",
        ".log": "text",
    }
    if ext in mapping:
        return mapping[ext]
    if source_format is not None:
        return source_format
    raise ConfigError(f"cannot tell the format of {path.name}; pass --format", path=str(path))


def _check_paths(input: Path, output: Path) -> None:
    if not input.exists():
        raise SourceError(f"{input}: no such file", path=str(input))
    if output.exists() and output.resolve() == input.resolve():
        raise ConfigError("OUTPUT must not be the INPUT file", path=str(output))
    if output.exists() and output.is_dir():
        raise ConfigError(f"{output} is a directory", path=str(output))
    if not output.parent.exists():
        raise ConfigError(f"{output.parent}: no such folder", path=str(output.parent))


def protect_file(
    input: str | Path,
    output: str | Path,
    rules: RulesLike = None,
    *,
    format: str | None = None,
    keyring: KeyRing | None = None,
    protector: Protector | None = None,
    batch_rows: int = BATCH_ROWS,
    on_progress: Progress | None = None,
) -> FileReport:
    """Protect ``input`` into ``output`` (same format unless ``format`` names another)."""
    src_path, out_path = Path(input), Path(output)
    _check_paths(src_path, out_path)
    p = protector if protector is not None else Protector(rules, keyring=keyring)
    from dataward.sources import open_source

    source = open_source(src_path)
    in_fmt = source.format
    out_fmt = format or _format_of(out_path, in_fmt if in_fmt in WRITE_FORMATS else None)
    if out_fmt not in WRITE_FORMATS:
        raise ConfigError(
            f"cannot write {out_fmt!r}; use one of {', '.join(WRITE_FORMATS)}", format=out_fmt
        )
    report = FileReport(str(src_path), str(out_path), out_fmt)
    with atomic_output(out_path) as fh:
        if in_fmt == "jsonl" and out_fmt == "jsonl":
            _jsonl_to_jsonl(source, fh, p, batch_rows, on_progress)
        elif in_fmt == "text" and out_fmt == "text":
            _text_to_text(source, fh, p, on_progress)
        elif in_fmt in ("jsonl", "json", "text") and out_fmt != in_fmt:
            raise ConfigError(f"cannot convert {in_fmt} to {out_fmt}; keep the input's format")
        else:
            tables = p.protect_stream(_counted(_batches(source, src_path, batch_rows), on_progress))
            _write_tables(tables, fh, out_fmt, getattr(source, "delimiter", None))
    report.rows_in, report.rows_out = p.rows_in, p.rows_out
    report.columns = [c for c in p.summary() if c["column"] != _ROW]
    report.findings = dict(sorted(p.text_findings.items()))
    from dataward.audit import current_actor, record

    record(
        "protect",
        current_actor(),
        {
            "input": src_path.name,
            "output": out_path.name,
            "rows_in": report.rows_in,
            "rows_out": report.rows_out,
            "columns": {c["column"]: c.get("operator") for c in report.columns},
            "findings": report.findings,
        },
    )
    return report


def _batches(source: Any, path: Path, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Record batches with the input's own columns (Parquet/Arrow structs are not flattened)."""
    if source.format == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetFile(path) as pf:
            yield from pf.iter_batches(batch_size=batch_rows)
        return
    if source.format == "arrow":
        import pyarrow.ipc as ipc

        with pa.memory_map(str(path)) as mm:
            try:
                reader: Any = ipc.open_file(mm)
                for i in range(reader.num_record_batches):
                    yield from _slices(reader.get_batch(i), batch_rows)
            except pa.ArrowInvalid:
                mm.seek(0)
                for batch in ipc.open_stream(mm):
                    yield from _slices(batch, batch_rows)
        return
    yield from source.batches(batch_rows)


def _slices(batch: pa.RecordBatch, rows: int) -> Iterator[pa.RecordBatch]:
    for start in range(0, batch.num_rows, rows):
        yield batch.slice(start, rows)


def _counted(
    batches: Iterator[pa.RecordBatch], on_progress: Progress | None
) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        yield batch
        if on_progress is not None:
            on_progress(batch.num_rows)


def _write_tables(
    tables: Iterator[pa.Table], fh: IO[bytes], fmt: str, delimiter: str | None
) -> None:
    writer: Any = None
    schema: pa.Schema | None = None
    try:
        for table in tables:
            if fmt == "jsonl":
                _write_jsonl_rows(table, fh)
                continue
            if writer is None:
                schema = table.schema.remove_metadata()
                writer = _open_writer(fh, fmt, schema, delimiter)
            assert schema is not None
            writer.write_table(_conform(table, schema))
        if writer is None and fmt in ("csv", "tsv"):
            return
    finally:
        if writer is not None:
            writer.close()


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    table = table.replace_schema_metadata(None)
    if table.schema.equals(schema):
        return table
    try:
        return table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        from dataward.classify.analysis import column_strings

        arrays = [
            column_strings(table.column(n))
            if pa.types.is_string(schema.field(n).type)
            else table.column(n)
            for n in schema.names
        ]
        return pa.Table.from_arrays(arrays, schema=schema)


def _open_writer(fh: IO[bytes], fmt: str, schema: pa.Schema, delimiter: str | None) -> Any:
    if fmt in ("csv", "tsv"):
        import pyarrow.csv as pacsv

        sep = delimiter or ("\t" if fmt == "tsv" else ",")
        options = pacsv.WriteOptions(include_header=True, delimiter=sep, quoting_style="needed")
        return pacsv.CSVWriter(fh, schema, write_options=options)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetWriter(fh, schema, **PARQUET_OPTIONS)
    if fmt == "arrow":
        import pyarrow.ipc as ipc

        return ipc.new_file(fh, schema)
    raise ConfigError(f"cannot write {fmt!r} from a table", format=fmt)


def _write_jsonl_rows(table: pa.Table, fh: IO[bytes]) -> None:
    lines = [json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in table.to_pylist()]
    fh.write("".join(lines).encode("utf-8"))


# -- JSON Lines: keep each record's structure ----------------------------------------------------


def _jsonl_to_jsonl(
    source: Any, fh: IO[bytes], p: Protector, batch_rows: int, on_progress: Progress | None
) -> None:
    """Flatten each record to columns (as the sources do), protect the columns, and write the
    protected leaves back into the original structure, keys in their order."""
    from dataward.sources.flatten import flatten, to_batch

    def chunks() -> Iterator[list[Any]]:
        records: list[Any] = []
        with source.open_utf8() as text:
            for lineno, line in source.lines(text):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SourceError(
                        f"{source.uri}: line {lineno} is not valid JSON ({exc.msg})",
                        path=source.uri,
                        line=lineno,
                    ) from None
                if len(records) >= batch_rows:
                    yield records
                    records = []
        if records:
            yield records

    pending = chunks()
    head: list[list[Any]] = []
    rows = 0
    for records in pending:
        head.append(records)
        rows += len(records)
        if rows >= p.config.sample_rows:
            break
    if head:
        sample = [flatten(r) for recs in head for r in recs][: p.config.sample_rows]
        p.decide(pa.Table.from_batches([to_batch(sample)]))

    def all_chunks() -> Iterator[list[Any]]:
        yield from head
        yield from pending

    for records in all_chunks():
        flat = [flatten(r) for r in records]
        keep_index = pa.array(range(len(records)), pa.int64())
        table = pa.Table.from_batches([to_batch(flat)])
        table = table.append_column(_ROW, keep_index)
        p.decisions.setdefault(_ROW, ColumnDecision(_ROW, "keep", None, None, "row index"))
        out = p.protect_batch(table)
        rows_kept = out.column(_ROW).to_pylist()
        columns = {n: out.column(n).to_pylist() for n in out.column_names if n != _ROW}
        lines: list[str] = []
        for i, row in enumerate(rows_kept):
            values = {n: col[i] for n, col in columns.items()}
            lines.append(json.dumps(_rebuild(records[row], values), ensure_ascii=False) + "\n")
        fh.write("".join(lines).encode("utf-8"))
        if on_progress is not None:
            on_progress(len(records))


def _rebuild(record: Any, values: dict[str, Any]) -> Any:
    """``record`` with each leaf replaced by its protected flat value (same walk as flatten)."""
    cursors: dict[str, int] = {}
    if isinstance(record, dict):
        return _put(record, "", values, cursors, in_array=False)
    return _put(record, "value", values, cursors, in_array=False)


def _put(
    value: Any, path: str, values: dict[str, Any], cursors: dict[str, int], *, in_array: bool
) -> Any:
    if isinstance(value, dict):
        return {
            k: _put(v, f"{path}.{k}" if path else str(k), values, cursors, in_array=in_array)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_put(v, f"{path}[]", values, cursors, in_array=True) for v in value]
    if path not in values:
        return value
    new = values[path]
    if in_array:
        i = cursors.get(path, 0)
        cursors[path] = i + 1
        items = new if isinstance(new, list) else []
        new = items[i] if i < len(items) else None
    from dataward.sources.flatten import scalar_text

    if value is None or new == scalar_text(value):
        return value  # unchanged leaves keep their JSON type
    return new


# -- plain text ----------------------------------------------------------------------------


def _text_to_text(source: Any, fh: IO[bytes], p: Protector, on_progress: Progress | None) -> None:
    with source.open_utf8() as text:
        out: list[str] = []
        for _lineno, line in source.lines(text):
            body = line.rstrip("\r")
            protected = p.protect_text(body) if body.strip() else body
            if protected is not None:
                out.append(protected + "\n")
            p.rows_in += 1
            p.rows_out += protected is not None
            if len(out) >= 4096:
                fh.write("".join(out).encode("utf-8"))
                out.clear()
                if on_progress is not None:
                    on_progress(4096)
        fh.write("".join(out).encode("utf-8"))
