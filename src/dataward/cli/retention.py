"""``dataward retention plan|apply|hold|release|holds``: how long artifacts are kept, legal
holds, and deletion with certificates.

``plan`` is a dry run; ``apply`` deletes what is expired, not held and not feeding a model
(unless ``--override``), and records each deletion and refusal in the audit log. Exit codes: 0
done; 1 a deletion could not be carried out or verified, or a Dataward error; 2 usage or bad
rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

retention_app = typer.Typer(
    help="Retention rules, legal holds, lifecycle advice and deletion.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")


def _plan(  # type: ignore[no-untyped-def]
    rules: Path,
    paths: list[str],
    artifact_type: str,
    use: list[str],
    jurisdiction: list[str],
    decision_log: bool,
    override: list[str],
    archive_after: str,
):
    from dataward.retention import load_rules, plan
    from dataward.retention.rules import ARTIFACT_TYPES

    if artifact_type not in ARTIFACT_TYPES:
        raise typer.BadParameter(f"use one of {', '.join(ARTIFACT_TYPES)}", param_hint="--type")
    return plan(
        load_rules(rules),
        paths,
        artifact_type=artifact_type,
        uses=use,
        jurisdictions=jurisdiction,
        decision_log=decision_log,
        override=override,
        archive_after=archive_after,
    )


RULES = typer.Option(..., "--rules", help="Retention rules (YAML or JSON).")
PATHS = typer.Argument(None, help="Files, folders or fsspec URLs of artifacts.")
TYPE = typer.Option("dataset", "--type", help="The artifacts' type (prompt_log, model...).")
USE = typer.Option([], "--use", help="A use of the data (repeat).")
JURISDICTION = typer.Option([], "--jurisdiction", help="A jurisdiction (repeat).")
DECISION_LOG = typer.Option(False, "--decision-log", help="Include the decision log.")
OVERRIDE = typer.Option([], "--override", help="Delete this artifact though a model uses it.")
ARCHIVE = typer.Option("P180D", "--archive-after", help="Advise archiving when unread this long.")
FORMAT = typer.Option("table", "--format", help="table or json.")


def _show(doc: dict, key: str, output_format: str) -> None:  # type: ignore[type-arg]
    if output_format == "json":
        typer.echo(json.dumps(doc, indent=2))
        return
    for i in doc[key]:
        done = "" if "done" not in i else (" done" if i["done"] else " FAILED")
        typer.echo(f"{i['action']:8} {i['artifact_type']:12} {i['artifact']}: {i['reason']}{done}")
        for e in i["evidence"]:
            typer.echo(f"         - {e}")


@retention_app.command("plan")
def plan_command(
    paths: list[str] | None = PATHS,
    rules: Path = RULES,
    artifact_type: str = TYPE,
    use: list[str] = USE,
    jurisdiction: list[str] = JURISDICTION,
    decision_log: bool = DECISION_LOG,
    override: list[str] = OVERRIDE,
    archive_after: str = ARCHIVE,
    output_format: str = FORMAT,
) -> None:
    """Dry run: what each artifact's retention is, with the evidence, and what would go."""
    result = _plan(
        rules, paths or [], artifact_type, use, jurisdiction, decision_log, override, archive_after
    )
    _show(result.to_dict(), "items", output_format)


@retention_app.command("apply")
def apply_command(
    paths: list[str] | None = PATHS,
    rules: Path = RULES,
    artifact_type: str = TYPE,
    use: list[str] = USE,
    jurisdiction: list[str] = JURISDICTION,
    decision_log: bool = DECISION_LOG,
    override: list[str] = OVERRIDE,
    archive_after: str = ARCHIVE,
    output_format: str = FORMAT,
) -> None:
    """Delete what the plan says is expired; record deletions and refusals; certify each."""
    from dataward.retention import apply

    result = apply(
        _plan(
            rules,
            paths or [],
            artifact_type,
            use,
            jurisdiction,
            decision_log,
            override,
            archive_after,
        )
    )
    _show(result.to_dict(), "applied", output_format)
    if not result.ok:
        raise typer.Exit(1)


@retention_app.command("hold")
def hold_command(
    artifact: str = typer.Argument(..., help="Dataset path, model or log name."),
    matter: str = typer.Option(..., "--matter", help="The legal matter."),
) -> None:
    """Place a legal hold: nothing deletes the artifact while any matter holds it."""
    from dataward.retention import place_hold

    placed = place_hold(matter, artifact)
    typer.echo(f"held for {matter}" if placed else f"already held for {matter}")


@retention_app.command("release")
def release_command(
    artifact: str = typer.Argument(..., help="Dataset path, model or log name."),
    matter: str = typer.Option(..., "--matter", help="The legal matter."),
) -> None:
    """Release one matter's hold (other matters' holds stay)."""
    from dataward.retention import holds_on, release_hold

    if not release_hold(matter, artifact):
        typer.echo(f"error: {matter} holds no such artifact", err=True)
        raise typer.Exit(1)
    left = holds_on(artifact)
    typer.echo(f"released; still held by {', '.join(left)}" if left else "released; not held")


@retention_app.command("holds")
def holds_command(output_format: str = FORMAT) -> None:
    """Every held artifact and its matters."""
    from dataward.retention import all_holds

    held = all_holds()
    if output_format == "json":
        typer.echo(json.dumps({"holds": held}, indent=2))
        return
    for artifact, matters in held.items():
        typer.echo(f"{artifact}: {', '.join(matters)}")
