"""``dataward entities``: the entity types Dataward knows."""

from __future__ import annotations

import json

import typer

from dataward.taxonomy import taxonomy


def register(app: typer.Typer) -> None:
    app.command("entities")(entities_command)


def entities_command(
    output_format: str = typer.Option("table", "--format", help="table or json."),
    category: str | None = typer.Option(None, "--category", help="Only types of this category."),
) -> None:
    """List entity types with categories, sensitivity, regulations and data category."""
    types = [t for t in taxonomy() if category is None or category.upper() in t.categories]
    if output_format == "json":
        typer.echo(json.dumps([t.to_dict() for t in types], indent=2))
        return
    if output_format != "table":
        raise typer.BadParameter("use table or json", param_hint="--format")
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(types)} entity types")
    for col in ("name", "categories", "sensitivity", "regulations", "data category"):
        table.add_column(col)
    for t in types:
        table.add_row(
            t.name,
            ", ".join(t.categories),
            t.sensitivity.name.lower(),
            ", ".join(t.regulations),
            t.data_category,
        )
    Console().print(table)
