"""``dataward demo``: the whole loop on generated sample data, with embedded defaults."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    directory: Path = typer.Option(
        Path("dataward-demo"), "--dir", help="Where the landing zone, outputs and report go."
    ),
) -> None:
    """Build a landing zone, scan it, decide, protect, decide again, verify the audit log, and
    write an HTML report (state lives in the home folder: `dataward home` says which)."""
    from rich.console import Console

    from dataward.demo.run import run_demo

    run_demo(directory, Console())
