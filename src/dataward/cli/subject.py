"""``dataward subject index|find|erase|consent|certificate``: where a person's records are,
erasing them everywhere, consent withdrawal.

An IDENTIFIER of ``-`` is read from standard input (so it is not in the process list). Output
names subjects by keyed hash only. Exit codes: 0 done (``erase --execute``: every step that was
not blocked verified); 1 a step failed to verify, or a Dataward error; 2 usage; 3 an input could
not be read (``index``; the others are indexed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

UNREADABLE_EXIT = 3
NOT_VERIFIED_EXIT = 1

subject_app = typer.Typer(
    help="Find and erase a data subject's records; consent withdrawal.", no_args_is_help=True
)
consent_app = typer.Typer(help="Withdraw or give consent by subject or purpose.")


def register(app: typer.Typer) -> None:
    subject_app.add_typer(consent_app, name="consent")
    app.add_typer(subject_app, name="subject")


def _identifier(value: str) -> str:
    if value == "-":
        value = sys.stdin.readline().rstrip("\r\n")
    if not value.strip():
        raise typer.BadParameter("the identifier is empty", param_hint="IDENTIFIER")
    return value


def _config(entities: list[str], id_columns: list[str]):  # type: ignore[no-untyped-def]
    from dataward.subjects.hashing import DEFAULT_ENTITIES, SubjectConfig

    return SubjectConfig(
        entities=tuple(entities) or DEFAULT_ENTITIES,
        id_columns=tuple(id_columns) or ("customer_id",),
    )


def _format(value: str) -> str:
    if value not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    return value


ENTITY_HELP = "Entity type that identifies a subject (repeat; default: e-mail, SSN, MRN, phone)."
ID_COLUMN_HELP = "Column whose values are customer ids (repeat; default: customer_id)."


@subject_app.command("index")
def index_command(
    paths: list[str] = typer.Argument(..., help="Files, folders or fsspec URLs."),
    kind: str = typer.Option("dataset", "--kind", help="dataset, features or model."),
    entity: list[str] = typer.Option([], "--entity", help=ENTITY_HELP),
    id_column: list[str] = typer.Option([], "--id-column", help=ID_COLUMN_HELP),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Index the subjects of every row of each dataset (keyed hashes, never the values)."""
    from dataward.subjects.index import index_paths

    _format(output_format)
    progress = _progress() if sys.stderr.isatty() else None  # type: ignore[no-untyped-call]
    try:
        done, errors = index_paths(
            paths,
            kind=kind,
            config=_config(entity, id_column),
            on_rows=progress[1] if progress else None,
        )
    finally:
        if progress is not None:
            progress[0].stop()
    if output_format == "json":
        items = [
            {
                "dataset": d.dataset,
                "version": d.version,
                "kind": d.kind,
                "rows": d.rows,
                "subjects": d.subjects,
            }
            for d in done
        ]
        typer.echo(json.dumps({"indexed": items, "errors": errors}, indent=2))
    else:
        for d in done:
            typer.echo(f"{d.dataset}: {d.rows:,} rows, {d.subjects:,} subjects ({d.kind})")
    for err in errors:
        typer.echo(f"error: {err}", err=True)
    if errors:
        raise typer.Exit(UNREADABLE_EXIT)


@subject_app.command("find")
def find_command(
    identifier: str = typer.Argument(..., help="The identifier (- reads it from stdin)."),
    entity: str | None = typer.Option(None, "--type", help="Its type (default: detected)."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    no_confirm: bool = typer.Option(
        False, "--no-confirm", help="Trust the index; do not re-read the datasets it names."
    ),
    entities: list[str] = typer.Option([], "--entity", help=ENTITY_HELP),
    id_column: list[str] = typer.Option([], "--id-column", help=ID_COLUMN_HELP),
) -> None:
    """Every dataset version, feature table and model (through lineage) holding the subject."""
    from dataward.subjects.index import find

    _format(output_format)
    found = find(
        _identifier(identifier),
        entity=entity,
        config=_config(entities, id_column),
        confirm_hits=not no_confirm,
    )
    if output_format == "json":
        typer.echo(json.dumps({"locations": [f.to_dict() for f in found]}, indent=2))
        return
    if not found:
        typer.echo("no dataset holds this subject")
    for f in found:
        via = f" (from {f.via})" if f.via else ""
        typer.echo(f"{f.kind:8} {f.dataset} @ {f.version or '-'}: {f.rows:,} rows{via}")


@subject_app.command("erase")
def erase_command(
    identifier: str = typer.Argument(..., help="The identifier (- reads it from stdin)."),
    do_plan: bool = typer.Option(False, "--plan", help="Print the plan (the default)."),
    execute: bool = typer.Option(False, "--execute", help="Carry the plan out and certify it."),
    entity: str | None = typer.Option(None, "--type", help="Its type (default: detected)."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    exempt: list[str] = typer.Option(
        [], "--exempt", help="DATASET=LEGAL_BASIS: keep this part (repeat)."
    ),
    retrain: bool = typer.Option(False, "--retrain", help="Plan models for retraining."),
    certificate: Path | None = typer.Option(
        None, "--certificate", help="Also write the signed certificate here (JSON)."
    ),
    entities: list[str] = typer.Option([], "--entity", help=ENTITY_HELP),
    id_column: list[str] = typer.Option([], "--id-column", help=ID_COLUMN_HELP),
) -> None:
    """Plan (``--plan``) or carry out (``--execute``) the erasure of a subject everywhere."""
    from dataward.subjects.erase import execute as run
    from dataward.subjects.erase import plan

    _format(output_format)
    if do_plan and execute:
        raise typer.BadParameter("choose --plan or --execute", param_hint="--execute")
    exemptions: dict[str, str] = {}
    for item in exempt:
        dataset, sep, basis = item.partition("=")
        if not sep or not dataset or not basis.strip():
            raise typer.BadParameter("use DATASET=LEGAL_BASIS", param_hint="--exempt")
        exemptions[dataset] = basis.strip()
    value = _identifier(identifier)
    config = _config(entities, id_column)
    erasure = plan(value, entity=entity, config=config, exempt=exemptions, retrain=retrain)
    if not execute:
        if output_format == "json":
            typer.echo(json.dumps(erasure.to_dict(), indent=2))
        else:
            _show_plan(erasure)
        return
    result = run(erasure, value, config=config)
    if certificate is not None:
        from dataward.sources.output import atomic_file

        with atomic_file(certificate) as fh:
            fh.write(result.certificate.to_json().encode())
    if output_format == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _show_plan(erasure)
        typer.echo(f"certificate {result.certificate.sha256}")
    for problem in result.problems:
        typer.echo(f"error: {problem}", err=True)
    if not result.verified:
        raise typer.Exit(NOT_VERIFIED_EXIT)


def _show_plan(erasure) -> None:  # type: ignore[no-untyped-def]
    typer.echo(f"subject {erasure.subject.hash[:16]}… ({erasure.subject.entity})")
    for s in erasure.steps:
        typer.echo(f"  {s.action:12} {s.kind:8} {s.dataset}: {s.rows:,} rows")
    for b in erasure.blocked:
        typer.echo(f"  blocked      {b.dataset}: {b.reason}")
    if not erasure.steps and not erasure.blocked:
        typer.echo("  nothing holds this subject")


@subject_app.command("certificate")
def certificate_command(
    sha256: str = typer.Argument(..., help="The certificate's SHA-256 (from erase)."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Show a deletion certificate and verify it (signature, audit event). Exit 4 if it fails."""
    from dataward.subjects.certificates import load_certificate, verify_certificate

    _format(output_format)
    cert = load_certificate(sha256)
    problems = verify_certificate(cert)
    if output_format == "json":
        typer.echo(json.dumps({**cert.to_dict(), "problems": problems}, indent=2, sort_keys=True))
    else:
        typer.echo(json.dumps(cert.document, indent=2, sort_keys=True))
        typer.echo("verified" if not problems else "\n".join(f"problem: {p}" for p in problems))
    if problems:
        raise typer.Exit(4)


@consent_app.command("withdraw")
def withdraw_command(
    identifier: str | None = typer.Argument(None, help="The subject (- reads it from stdin)."),
    purpose: str | None = typer.Option(None, "--purpose", help="Withdraw for this purpose."),
    entity: str | None = typer.Option(None, "--type", help="The identifier's type."),
) -> None:
    """Withdraw consent: of a subject, or for a purpose (go tokens and approvals relying on it
    stop holding)."""
    from dataward.subjects.consent import withdraw

    if identifier is None and purpose is None:
        raise typer.BadParameter("give an IDENTIFIER or --purpose", param_hint="IDENTIFIER")
    value = _identifier(identifier) if identifier is not None else None
    result = withdraw(value, entity=entity, purpose=purpose)
    typer.echo(json.dumps(result.to_dict(), indent=2))


@consent_app.command("give")
def give_command(
    identifier: str | None = typer.Argument(None, help="The subject (- reads it from stdin)."),
    purpose: str | None = typer.Option(None, "--purpose", help="Give for this purpose."),
    entity: str | None = typer.Option(None, "--type", help="The identifier's type."),
) -> None:
    """Consent given again (a withdrawal stops applying; invalidated tokens stay invalid)."""
    from dataward.subjects.consent import give

    if identifier is None and purpose is None:
        raise typer.BadParameter("give an IDENTIFIER or --purpose", param_hint="IDENTIFIER")
    value = _identifier(identifier) if identifier is not None else None
    typer.echo(json.dumps(give(value, entity=entity, purpose=purpose).to_dict(), indent=2))


def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import Progress, SpinnerColumn, TextColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.completed:,} rows indexed"), transient=True)
    task = bar.add_task("index", total=None)
    bar.start()
    return bar, lambda n: bar.advance(task, n)
