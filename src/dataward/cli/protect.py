"""``dataward protect`` (a file into a protected copy) and ``dataward reveal`` (reverse tokens,
FPE and ciphertexts, audited)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from dataward.errors import ConfigError


def register(app: typer.Typer) -> None:
    app.command("protect")(protect_command)
    app.command("reveal")(reveal_command)


@contextmanager
def _progress(label: str, total: int | None) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar on stderr when it is a terminal; otherwise nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _row_total(path: Path) -> int | None:
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # the real read reports a broken file properly
            return None
    return None


def protect_command(
    input: Path = typer.Argument(
        ...,
        help="A CSV, TSV, JSON, JSONL, Parquet, Arrow or text file, or a folder of them.",
        readable=False,
    ),  # an unreadable input is reported by the reader (exit 3), not as a usage error
    output: Path = typer.Argument(
        ..., help="Where the protected copy goes (written atomically; a folder for a folder)."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="A YAML file with protect rules (default: dataward.yaml)."
    ),
    output_format: str | None = typer.Option(
        None,
        "--format",
        help="csv, tsv, json, jsonl, parquet, arrow, text (default: the input's).",
    ),
    batch_rows: int = typer.Option(16_384, "--batch-rows", min=1, help="Rows per batch."),
    report: bool = typer.Option(False, "--report", help="Print a JSON report on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
    no_verify: bool = typer.Option(
        False,
        "--no-verify",
        help="Skip re-scanning the output before it is renamed into place (audited).",
    ),
    decision: Path | None = typer.Option(
        None,
        "--decision",
        help="A decision (JSON from `dataward decide`): apply its obligations and write a "
        "signed receipt to OUTPUT.receipt.json (evidence for `dataward decide --evidence`).",
    ),
    skip_unsupported: bool = typer.Option(
        False,
        "--skip-unsupported",
        help="Folders: leave out the files that cannot be protected (listed) instead of "
        "stopping; they are never copied unprotected.",
    ),
    show_plan: bool = typer.Option(
        False,
        "--plan",
        help="Print what each column and text field would get, and why (a table; JSON with "
        "--format json), and write nothing.",
    ),
) -> None:
    """Protect every value the detectors find, in every cell, key and line, and every sensitive
    column, each with its type's default operator unless a rule says otherwise. The output is
    re-scanned before it is renamed into place. Same key and input give the same output."""
    from dataward.protect.apply import Protector
    from dataward.protect.config import load_config
    from dataward.protect.files import protect_file
    from dataward.sources import writable_formats

    if show_plan:
        _print_plan(input, config, decision, output_format, skip_unsupported)
        return
    if output_format is not None and output_format not in writable_formats():
        raise typer.BadParameter(
            f"use one of {', '.join(writable_formats())}", param_hint="--format"
        )
    decided = _read_decision(decision)
    if input.is_dir():
        if output_format is not None:
            raise ConfigError("--format applies to one file; a folder keeps each file's format")
        _protect_folder(
            input,
            output,
            load_config(config),
            batch_rows=batch_rows,
            verify=False if no_verify else None,
            decision=decided,
            skip_unsupported=skip_unsupported,
            report=report,
            quiet=quiet,
        )
        return
    protector = None if decided is not None else Protector(load_config(config))
    with _progress("protecting", _row_total(input)) as on_rows:
        result = protect_file(
            input,
            output,
            load_config(config) if decided is not None else None,
            format=output_format,
            protector=protector,
            batch_rows=batch_rows,
            on_progress=on_rows,
            verify=False if no_verify else None,
            decision=decided,
        )
    if result.receipt is not None:
        from dataward.sources.output import atomic_file

        receipt_path = output.with_name(output.name + ".receipt.json")
        with atomic_file(receipt_path) as fh:
            fh.write((json.dumps(result.receipt, indent=2) + "\n").encode())
        if not quiet:
            sys.stderr.write(f"receipt: {receipt_path}\n")
    if report:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    if not quiet:
        _summary(result.to_dict())


def _protect_folder(
    input: Path, output: Path, rules: Any, *, report: bool, quiet: bool, **options: Any
) -> None:
    """Protect a folder file by file: a bar of files on a terminal, then one line per file."""
    from dataward.protect.folders import protect_folder

    with _file_progress() as on_file:
        result = protect_folder(input, output, rules, on_file=on_file, **options)
    if report:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    if quiet:
        return
    err = sys.stderr
    for rel, why in result.unsupported.items():
        err.write(f"  skipped (not protected, not copied): {rel}: {why}\n")
    err.write(
        f"protected {len(result.files)} file(s) of {input} into {output}"
        f" ({len(result.resumed)} already done, {len(result.unsupported)} left out)\n"
    )


@contextmanager
def _file_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """A Rich bar of files on stderr when it is a terminal; otherwise nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("protecting", total=None)

        def on_file(rel: str, n: int, total: int) -> None:
            bar.update(task, completed=n - 1, total=total, description=f"protecting {rel}")

        yield on_file


def _print_plan(
    input: Path, config: Path | None, decision: Path | None, fmt: str | None, skip: bool
) -> None:
    """``--plan``: the plan of ``input`` (of each file of a folder: the files protect would
    process) on stdout; nothing is written."""
    from dataward.protect.config import load_config
    from dataward.protect.plan import plan

    if fmt not in (None, "table", "json"):
        raise typer.BadParameter("with --plan use table or json", param_hint="--format")
    decided = _read_decision(decision)
    rules = load_config(config)
    if not input.is_dir():
        planned = plan(input, rules, decision=decided)
        typer.echo(planned.to_json() if fmt == "json" else str(planned))
        return
    from dataward.protect.folders import plan_folder

    chosen = plan_folder(input, rules, decision=decided, skip_unsupported=skip)
    plans = [(str(input / rel), p) for rel, p in chosen]
    if fmt == "json":
        files = [{"path": uri, **p.to_dict()} for uri, p in plans]
        typer.echo(json.dumps({"files": files}, indent=2, ensure_ascii=False))
    else:
        typer.echo("\n\n".join(f"{uri}\n{p}" for uri, p in plans))


def _read_decision(path: Path | None) -> dict[str, Any] | None:
    """The decision of ``--decision`` (``None`` without one), checked to name what it decided."""
    if path is None:
        return None
    decided = _read_json(path, "decision")
    from dataward.policy.evidence import EvidenceError, decision_ref

    try:
        decision_ref(decided)
    except EvidenceError as exc:
        raise ConfigError(f"{path}: {exc}", path=str(path)) from None
    return decided


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the {what}: {exc.strerror}", path=str(path)
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}:{exc.lineno}: the {what} is not valid JSON", path=str(path)
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the {what} must be a JSON object", path=str(path))
    return data


def _summary(doc: dict[str, Any]) -> None:
    err = sys.stderr
    err.write(
        f"protected {doc['rows_in']} rows into {doc['output']} ({doc['format']}); "
        f"{doc['rows_out']} rows written; verified: {doc['verify'].get('mode', 'off')}\n"
    )
    for col in doc["columns"]:
        if col["mode"] == "keep":
            continue
        if col["mode"] == "scan" and not col["changed"]:
            continue
        what = col["operator"] if col["mode"] == "value" else "findings in text"
        entity = col["entity"] or "-"
        err.write(f"  {col['column']}: {entity} -> {what} ({col['reason']}, {col['changed']})\n")


def _params(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter("use NAME=VALUE", param_hint="--param")
        try:
            out[key.replace("-", "_")] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.replace("-", "_")] = raw
    return out


def reveal_command(
    value_or_input: str = typer.Argument(..., help="A protected value, or an input file."),
    output: Path | None = typer.Argument(None, help="File mode: where the revealed copy goes."),
    operator: str = typer.Option("token", "--operator", help="token, fpe or encrypt."),
    columns: str | None = typer.Option(
        None, "--columns", help="File mode: comma-separated columns to reveal."
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Who reveals (recorded in the audit log; default: your login)."
    ),
    context: str | None = typer.Option(None, "--context", help="The operator's key context."),
    param: list[str] = typer.Option(
        [], "--param", help="Operator parameter NAME=VALUE, as used to protect (repeatable)."
    ),
) -> None:
    """Reverse a token, FPE value or ciphertext with your key ring. Every reveal is recorded in
    the audit log first (who, which operator, how many; never the values)."""
    from dataward.protect.revealing import reveal_file, reveal_value

    params = _params(param)
    if context is not None:
        params["context"] = context
    if output is None:
        if columns is not None:
            raise ConfigError("--columns needs an OUTPUT file")
        typer.echo(reveal_value(value_or_input, operator, actor=actor, params=params))
        return
    names = [c.strip() for c in (columns or "").split(",") if c.strip()]
    result = reveal_file(value_or_input, output, names, operator, actor=actor, params=params)
    sys.stderr.write(
        f"revealed {result.revealed} values in {result.rows} rows into {result.output}"
        + (f"; {result.failed} could not be reversed" if result.failed else "")
        + "\n"
    )
