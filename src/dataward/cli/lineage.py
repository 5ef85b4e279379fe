"""``dataward lineage show|ingest|export|sync``: the lineage graph, OpenLineage in and out."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

lineage_app = typer.Typer(
    help="Lineage from datasets to features to models (OpenLineage in and out).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(lineage_app, name="lineage")


@lineage_app.command("show")
def show_command(
    name: str = typer.Argument(..., help="A dataset (its catalog path), feature table or model."),
    output_format: str = typer.Option("json", "--format", help="json or dot."),
) -> None:
    """The node, everything upstream and downstream of it, labels with their evidence, and
    the decisions, go tokens and receipts linked to it."""
    from dataward.errors import ConfigError
    from dataward.lineage.io import sync_decisions
    from dataward.lineage.view import lineage_graph, to_dot, to_json

    if output_format not in ("json", "dot"):
        raise ConfigError("--format must be json or dot")
    sync_decisions(None)
    graph = lineage_graph(None, _named(name))
    if not graph["known"]:
        typer.echo(f"dataward: no lineage recorded for {name}", err=True)
    typer.echo(to_json(graph) if output_format == "json" else to_dot(graph), nl=False)
    if output_format == "json":
        typer.echo()


def _named(name: str) -> str:
    """``name`` as the graph knows it: a path to a local file becomes its catalog path."""
    from dataward.catalog.identity import canonical_path
    from dataward.lineage.graph import nodes

    if nodes(None, name) or "://" in name:
        return name
    path = canonical_path(name)
    return path if nodes(None, path) else name


@lineage_app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(
        ..., help="OpenLineage event files (JSON lines, a JSON array) or folders of *.json."
    ),
) -> None:
    """Read OpenLineage run events from files (Airflow, Spark, dbt, Flink, a toy job)."""
    from dataward.lineage.emit import record
    from dataward.lineage.io import read_events

    count = 0
    for path in paths:
        for event in read_events(path):
            record(None, event, source="file")
            count += 1
    typer.echo(f"ingested {count} lineage events")


@lineage_app.command("export")
def export_command(
    out: Path | None = typer.Option(None, "--out", help="Write JSON lines to this file."),
    url: str | None = typer.Option(
        None, "--url", help="POST to this OpenLineage consumer (Marquez: http://host:5000)."
    ),
    api_key_env: str | None = typer.Option(
        None, "--api-key-env", help="Name of the environment variable holding a bearer key."
    ),
    names: list[str] = typer.Option([], "--node", help="Only runs touching these nodes."),
) -> None:
    """Send every stored run as an OpenLineage event to a file, a consumer, or stdout."""
    import json

    from dataward.errors import ConfigError
    from dataward.lineage.io import export_events, send, sync_decisions, write_events

    sync_decisions(None)
    events = export_events(None, names or None)
    if out is None and url is None:
        for event in events:
            typer.echo(json.dumps(event, sort_keys=True))
        return
    if out is not None:
        typer.echo(f"wrote {write_events(events, out)} events to {out}")
    if url is not None:
        key = None
        if api_key_env:
            key = os.environ.get(api_key_env)
            if not key:
                raise ConfigError(f"--api-key-env: {api_key_env} is not set")
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("sending lineage events", total=len(events))

            def counted() -> Iterator[dict[str, Any]]:
                for event in events:
                    yield event
                    progress.advance(task)

            sent = send(counted(), url, api_key=key)
        typer.echo(f"sent {sent} events")


@lineage_app.command("sync")
def sync_command() -> None:
    """Make every logged decision a lineage run on its resource."""
    from dataward.lineage.io import sync_decisions

    typer.echo(f"{sync_decisions(None)} decisions added to the lineage graph")
