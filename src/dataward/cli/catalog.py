"""``dataward catalog list|show``: what the catalog knows about datasets."""

from __future__ import annotations

import json

import typer

catalog_app = typer.Typer(
    help="Datasets, columns and tags recorded by scans.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")


@catalog_app.command("list")
def list_command(
    output_format: str = typer.Option("table", "--format", help="table or json."),
    removed: bool = typer.Option(False, "--removed", help="Include removed datasets."),
) -> None:
    """Every dataset with its rows and tags."""
    from dataward.catalog import Catalog

    items = Catalog.open().datasets(include_removed=removed)
    if output_format == "json":
        typer.echo(json.dumps({"datasets": items}, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for head in ("id", "dataset", "rows", "tags", "status"):
        table.add_column(head)
    for d in items:
        table.add_row(str(d["id"]), d["path"], f"{d['rows']:,}", ", ".join(d["tags"]), d["status"])
    Console().print(table)


@catalog_app.command("show")
def show_command(
    dataset: str = typer.Argument(..., help="Dataset id, path, or file name."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """One dataset: columns (entity, confidence, shares), tags and their reasons."""
    from dataward.catalog import Catalog

    d = Catalog.open().dataset(dataset)
    if output_format == "json":
        typer.echo(json.dumps(d, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"{d['path']}\n{d['summary']}\ntags: {', '.join(d['tags'])}")
    for c in d.get("content_classes", []):
        why = "; ".join(c["reasons"][:4])
        console.print(f"content: {c['class']} {c['confidence']:.0%} ({c['source']}): {why}")
    table = Table()
    for head in ("column", "entity", "conf", "kind", "method", "null", "unique", "examples"):
        table.add_column(head)
    for c in d["columns"]:
        table.add_row(
            c["name"],
            c["entity"] or "-",
            f"{c['confidence']:.2f}",
            c["kind"],
            c["method"],
            f"{c['null_share']:.0%}",
            f"{c['uniqueness']:.0%}",
            ", ".join(c["examples"]),
        )
    console.print(table)
    for t in d["tag_details"]:
        if t["column"] is None:
            console.print(
                f"{t['tag']} ({t['source']}, {t['confidence']:.2f}): {'; '.join(t['reasons'])}"
            )
