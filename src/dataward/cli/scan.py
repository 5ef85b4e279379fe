"""``dataward scan``: classify datasets and record them in the catalog; ``dataward watch``.

Exit codes: 0 done; 5 ``--fail-on`` matched (data with that tag was found); 3 an input could not
be read or scanned (it is reported on one line and the others are scanned); others as for every
command (1 Dataward error, 2 usage).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

FAIL_ON_EXIT = 5
"""Exit code when ``--fail-on TAG`` finds data with that tag."""
UNREADABLE_EXIT = 3
"""Exit code when an input could not be read or scanned (the others still are)."""


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
    app.command("watch")(watch_command)


def scan_command(
    paths: list[Path] = typer.Argument(
        ..., help="Files or folders to scan.", readable=False
    ),  # the scan reports an unreadable input itself (exit 3), not as a usage error
    sample: int = typer.Option(10_000, "--sample", min=1, help="Rows sampled per file."),
    full: bool = typer.Option(False, "--full", help="Scan every row."),
    head: bool = typer.Option(False, "--head", help="Sample the first rows, not uniformly."),
    force: bool = typer.Option(False, "--force", help="Re-scan unchanged files."),
    include: list[str] = typer.Option([], "--include", help="Only files matching GLOB."),
    exclude: list[str] = typer.Option([], "--exclude", help="Skip files matching GLOB."),
    output_format: str = typer.Option("table", "--format", help="table, json or markdown."),
    fail_on: list[str] = typer.Option(
        [],
        "--fail-on",
        help="Exit 5 when a dataset has this tag: PII_HIGH, PHI, PCI, SECRET, PII, "
        "CONFIDENTIAL, INTELLECTUAL_PROPERTY, INTERNAL or PUBLIC (another name is an error).",
    ),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Processes (default: all)."),
    subjects: bool = typer.Option(
        False, "--subjects", help="Also index data subjects (every row; see dataward subject)."
    ),
) -> None:
    """Classify datasets: column entities, record counts and sensitivity tags."""
    if output_format not in ("table", "json", "markdown"):
        raise typer.BadParameter("use table, json or markdown", param_hint="--format")
    from dataward.classify.dataset import dataset_tags
    from dataward.classify.scan import scan

    wanted = dataset_tags(fail_on)  # a typo stops here (exit 2), before anything is scanned
    progress = _progress() if sys.stderr.isatty() else None  # type: ignore[no-untyped-call]
    try:
        result = scan(
            list(paths),
            sample=sample,
            sampling="head" if head else "reservoir",
            full=full,
            force=force,
            include=include,
            exclude=exclude,
            workers=workers,
            on_rows=progress[1] if progress else None,
        )
    finally:
        if progress is not None:
            progress[0].stop()
    if output_format == "json":
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif output_format == "markdown":
        typer.echo(_markdown(result))
    else:
        _table(result)
    if subjects:  # the subject index is built from what this scan read new or changed
        from dataward.subjects.index import index_scan

        result.errors.extend(index_scan(result)[1])
    for err in result.errors:
        typer.echo(f"error: {err}", err=True)
    hit = sorted(wanted & result.tags())
    if hit:
        typer.echo(f"found data tagged {', '.join(hit)} (--fail-on)", err=True)
        sys.exit(FAIL_ON_EXIT)
    if result.errors:
        sys.exit(UNREADABLE_EXIT)  # a gate must not pass data it could not read


def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import Progress, SpinnerColumn, TextColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.completed:,} rows read"), transient=True)
    task = bar.add_task("scan", total=None)
    bar.start()
    return bar, lambda n: bar.advance(task, n)


def _table(result) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for d in result.datasets:
        table = Table(title=d.summary(new_rows=d.rows), title_justify="left")
        for head in ("column", "entity", "conf", "kind", "method", "match", "null", "unique"):
            table.add_column(head)
        for c in d.columns:
            table.add_row(
                c.name,
                c.entity or "-",
                f"{c.confidence:.2f}",
                c.kind,
                c.method,
                f"{c.value_share:.0%}",
                f"{c.null_share:.0%}",
                f"{c.uniqueness:.0%}",
            )
        console.print(table)
        console.print("tags: " + ", ".join(d.tag_names))
    console.print(result.summary().splitlines()[0])


def _markdown(result) -> str:  # type: ignore[no-untyped-def]
    out = []
    for d in result.datasets:
        out.append(
            f"## {d.path}\n\n{d.summary(new_rows=d.rows)}\n\nTags: {', '.join(d.tag_names)}\n"
        )
        out.append("| column | entity | confidence | kind | method |\n|---|---|---|---|---|")
        for c in d.columns:
            out.append(
                f"| {c.name} | {c.entity or '-'} | {c.confidence:.2f} | {c.kind} | {c.method} |"
            )
        out.append("")
    out.append(result.summary().splitlines()[0])
    return "\n".join(out)


def watch_command(
    folder: Path = typer.Argument(..., help="The folder to watch for new files."),
    webhook: list[str] = typer.Option([], "--webhook", help="POST a JSON event here."),
    slack: list[str] = typer.Option([], "--slack", help="POST a Slack-style message here."),
    secret_env: str = typer.Option(
        "DATAWARD_WEBHOOK_SECRET", "--secret-env", help="Variable holding the HMAC secret."
    ),
    sample: int = typer.Option(10_000, "--sample", min=1, help="Rows sampled per file."),
    full: bool = typer.Option(False, "--full", help="Scan every row."),
    include: list[str] = typer.Option([], "--include", help="Only files matching GLOB."),
    exclude: list[str] = typer.Option([], "--exclude", help="Skip files matching GLOB."),
) -> None:
    """Scan files as they land in FOLDER, record them, and notify webhooks (Ctrl-C stops)."""
    import os

    from dataward.classify.notify import Webhook
    from dataward.classify.watch import Watcher

    secret = os.environ.get(secret_env, "").encode() or None
    hooks = [Webhook(u, secret=secret) for u in webhook]
    hooks += [Webhook(u, secret=secret, style="slack") for u in slack]

    def report(line: str) -> None:
        typer.echo(line, err=True)

    watcher = Watcher(
        folder, hooks, sample=sample, full=full, include=include, exclude=exclude, on_result=report
    )
    watcher.run_forever()
