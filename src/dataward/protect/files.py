"""Protecting whole files: every format with a writer in :mod:`dataward.sources` (CSV/TSV, JSON
Lines, JSON, Parquet, Arrow IPC and plain text), streamed batch by batch in bounded memory and
written atomically (a temporary file in the output's folder, renamed over ``output`` only once
everything was written and verified; an interrupted run leaves no output and never touches the
input; see :mod:`dataward.sources.output`). Folders: :mod:`dataward.protect.folders`.

This module is the protection loop only: the input's format reads it (tables, JSON records or
lines), the protector decides what each column, key, leaf and line gets, and the output's
format writes it. The output keeps the input's format, column order and row count (unless
``suppress`` drops records), compressed when its name ends in ``.gz``, ``.bz2`` or ``.zst``.
Object keys and column names holding sensitive values are protected like values. Nothing
time- or random-dependent is written, so the same key and input give a byte-identical output.
Before the rename the output is re-scanned (:mod:`dataward.protect.verify`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataward.errors import ConfigError, SourceError
from dataward.keys.ring import KeyRing
from dataward.protect import fpe_versions
from dataward.protect.ledger import ScanIncompleteError
from dataward.protect.plan import ColumnDecision, RulesLike
from dataward.protect.protector import Protector
from dataward.protect.textfile import Block, blocks, scrub_open_key
from dataward.protect.verify import VerifyResult, verify_output
from dataward.sources.base import Source, SourceFormat, Writer, sources, writable_formats
from dataward.sources.memory import rebuild
from dataward.sources.opening import format_for
from dataward.sources.output import atomic_output, output_limit

BATCH_ROWS = 16_384
_ROW = "\x00row"

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
    verify: dict[str, Any] = field(default_factory=dict)
    """How the output was verified: ``mode`` (``full``, ``sampled``, ``off``) and ``rows``."""
    receipt: dict[str, Any] | None = None
    """With ``decision=``: the signed receipt of the obligations met (evidence for decide)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "format": self.format,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "columns": self.columns,
            "findings": self.findings,
            "verify": self.verify,
            **({"receipt": self.receipt} if self.receipt is not None else {}),
        }


# -- formats --------------------------------------------------------------------------------


def output_format(source: Source, output: Path, format: str | None = None) -> SourceFormat:
    """The format to write ``output`` in: ``format``, else what its name says, else the
    input's. Raises :class:`ConfigError` for a format without a writer or a conversion that
    would lose the input's structure (JSON records and text lines stay what they are)."""
    given = sources.get(source.format)
    fmt = sources.get(format or format_for(output.name) or given.name)
    if fmt.writer is None:
        raise ConfigError(
            f"cannot write {fmt.name!r}; use one of {', '.join(writable_formats())}",
            format=fmt.name,
        )
    if fmt.name != given.name and given.shape != fmt.shape and given.shape != "table":
        raise ConfigError(
            f"cannot convert {given.name} to {fmt.name}; keep the input's format",
            format=fmt.name,
        )
    if fmt.shape == "lines" and given.shape != "lines":
        raise ConfigError(f"cannot convert {given.name} to {fmt.name}; keep the input's format")
    return fmt


def check_paths(input: Path, output: Path) -> None:
    member = "!" in str(input) and Path(str(input).partition("!")[0]).is_file()
    if not input.exists() and not member:  # an archive member is found by open_source
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
    verify: bool | None = None,
    decision: Any = None,
) -> FileReport:
    """Protect ``input`` into ``output`` (same format unless ``format`` names another).

    ``decision`` (a policy decision or its JSON): apply its obligations first (``rules`` are the
    base rules) and put a signed receipt in :attr:`FileReport.receipt` (see
    :mod:`dataward.policy.evidence`).

    ``verify`` (default: the ``protect.verify`` setting, on) re-scans the written output before
    it replaces anything and raises :class:`~dataward.protect.verify.VerifyError` if a
    protected value survived; ``verify=False`` is recorded in the audit event.
    """
    src_path, out_path = Path(input), Path(output)
    check_paths(src_path, out_path)
    ref = None
    if decision is not None:
        from dataward.policy import evidence

        if protector is not None:
            raise ConfigError("pass a decision or a protector, not both")
        ref = evidence.decision_ref(decision)
        rules = evidence.config_for(ref, rules)
        in_hash = evidence.file_sha256(src_path) if src_path.is_file() else None
    p = protector if protector is not None else Protector(rules, keyring=keyring)
    if ref is not None:
        p.dataset_tags = frozenset(ref.tags)
    from dataward.sources import open_source

    source = open_source(str(src_path))
    out_fmt = output_format(source, out_path, format)
    assert out_fmt.writer is not None
    report = FileReport(str(src_path), str(out_path), out_fmt.name)
    check = p.config.verify if verify is None else verify
    if ref is not None and not check:
        raise ConfigError(
            "a protect run under a decision must verify its output: its receipt is evidence "
            "for decide (drop --no-verify, or protect without --decision)"
        )
    limit = output_limit(source.size_bytes, p.config.max_output_ratio, p.config.max_output_bytes)
    with atomic_output(out_path, limit) as out:
        writer = out_fmt.writer(out.stream, format=out_fmt.name, like=source)
        shape = sources.get(source.format).shape
        if shape == "records":
            _protect_records(source, writer, p, batch_rows, on_progress)
        elif shape == "lines":
            _protect_lines(source, writer, p, on_progress)
        else:
            tables = p.protect_stream(_counted(source.table_batches(batch_rows), on_progress))
            write_tables(tables, writer, p, conform=out_fmt.shape == "table")
        writer.close()
        out.finish()
        verified = VerifyResult("off")
        if check:
            verified = verify_output(
                out.tmp,
                out_fmt.name,
                out.codec,
                p,
                rows=p.rows_out,
                limit=p.config.verify_rows,
                delimiter=getattr(writer, "delimiter", None),
            )
        fpe_versions.flush()  # the key versions are in the store before the output exists
        out.commit()
    report.verify = verified.to_dict()
    report.rows_in, report.rows_out = p.rows_in, p.rows_out
    report.columns = [
        {**c, "column": p.protect_name(c["column"])} for c in p.summary() if c["column"] != _ROW
    ]
    report.findings = dict(sorted(p.text_findings.items()))
    from dataward.audit import record
    from dataward.audit.events import ProtectEvent

    extra: dict[str, Any] = {}
    if ref is not None:
        met = evidence.met(p, ref)
        out_hash = evidence.file_sha256(out_path)
        extra = {
            "decision_id": ref.decision_id,
            "obligations": met,
            "input_sha256": in_hash,
            "output_sha256": out_hash,
        }
    event = record(
        ProtectEvent(
            input=src_path.name,
            output=out_path.name,
            rows_in=report.rows_in,
            rows_out=report.rows_out,
            columns={c["column"]: c.get("operator") for c in report.columns},
            findings=report.findings,
            verify=report.verify["mode"],
            verified_rows=report.verify.get("rows", 0),
            **extra,
        )
    )
    from dataward.lineage.emit import lineage_available, protect_run

    if lineage_available():  # input -> output, masking: true per operator (docs/lineage.md)
        raw = [c["column"] for c in p.summary() if c["column"] != _ROW]  # the input's names
        decided = extra.get("decision_id")
        protect_run(None, src_path, out_path, report.columns, sources=raw, decision_id=decided)
    if ref is not None:
        report.receipt = evidence.issue(
            ref,
            met,
            audit_index=event.index,
            output=out_path.name,
            input_sha256=in_hash,
            output_sha256=out_hash,
        )
    return report


def _counted(
    batches: Iterator[pa.RecordBatch], on_progress: Progress | None
) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        yield batch
        if on_progress is not None:
            on_progress(batch.num_rows)


def write_tables(
    tables: Iterator[pa.Table], writer: Writer, p: Protector | None = None, *, conform: bool = True
) -> None:
    """Write ``tables`` with ``writer``: column names holding a sensitive value protected
    (with ``p``), and (``conform``) every table cast to the first one's schema."""
    schema: pa.Schema | None = None
    names: list[str] | None = None
    for table in tables:
        if names is None:
            names = [p.protect_name(n) if p else n for n in table.column_names]
        if names != table.column_names:  # a column name that holds a sensitive value
            table = table.rename_columns(names)
        table = table.replace_schema_metadata(None)
        if conform:
            if schema is None:
                schema = table.schema
            table = _conform(table, schema)
        writer.write_table(table)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
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


# -- JSON records: keep each record's structure -------------------------------------------------


def _protect_records(
    source: Any, writer: Writer, p: Protector, batch_rows: int, on_progress: Progress | None
) -> None:
    """Flatten each record to columns (as the sources do), protect the columns, and write the
    protected leaves back into the original structure, keys in their order."""
    from dataward.sources.flatten import flatten, to_batch

    def chunks() -> Iterator[list[Any]]:
        records: list[Any] = []
        for _where, record, _size in source.records():
            records.append(record)
            if len(records) >= batch_rows:
                yield records
                records = []
        if records:
            yield records

    pending = (
        [protect_keys(r, p) for r in recs] for recs in chunks()
    )  # object keys are values: protected before the record is flattened
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
        writer.write_records(
            [
                rebuild(records[row], {n: col[i] for n, col in columns.items()})
                for i, row in enumerate(rows_kept)
            ]
        )
        if on_progress is not None:
            on_progress(len(records))


def protect_keys(record: Any, p: Protector) -> Any:
    """``record`` with every object key's sensitive findings replaced, same structure (keys
    are values too: ``{"<e-mail>": 5}``); records in memory get the same (``dw.protect``)."""
    try:
        return _keys(record, p)
    except RecursionError:
        raise SourceError("a record is nested too deeply to protect", reason="depth") from None


def _keys(value: Any, p: Protector) -> Any:
    if isinstance(value, Mapping):
        return {p.protect_name(str(k)): _keys(v, p) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(v, p) for v in value]
    return value


# -- plain text ----------------------------------------------------------------------------


def _protect_lines(source: Any, writer: Writer, p: Protector, on_progress: Progress | None) -> None:
    """Protect a text file in blocks of lines (multi-line values such as PEM keys whole)."""
    lines = (line.rstrip("\r") for _lineno, line in source.text_lines())
    for block in blocks(lines):
        out = _protect_block(block, p)
        p.rows_in += len(block.lines)
        p.rows_out += len(out)
        writer.write_lines(out)
        if on_progress is not None:
            on_progress(len(block.lines))


def _protect_block(block: Block, p: Protector) -> list[str]:
    lines = block.lines
    if block.open_key is not None:
        lines = scrub_open_key(lines, block.open_key)
    text = "\n".join(lines)
    if not text.strip():
        return lines
    try:
        protected = p.protect_text(text)
    except ScanIncompleteError:  # too much for the time budget: line by line, keys scrubbed
        protected = None
        for i, line in enumerate(lines):
            if "PRIVATE KEY" in line:
                lines = scrub_open_key(lines, i)
    if protected is not None:
        return protected.split("\n")
    # a suppress rule matched (or the block was too long): line by line, dropping only the
    # lines that hold what a suppress rule matched
    out: list[str] = []
    for line in lines:
        kept = p.protect_text(line) if line.strip() else line
        if kept is not None:
            out.append(kept)
    return out
