"""``dataward report posture``: the posture and compliance report (``docs/report.md``).

Exit codes: 0 written; 1 the report could not be built or written (no Chromium for a PDF, a
summary endpoint that failed); 2 a bad option (an unknown framework or format, a bad date).
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from dataward.store import Store

report_app = typer.Typer(help="Posture and compliance reports.", no_args_is_help=True)

_RELATIVE = re.compile(r"(\d{1,5})([dhw])")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def parse_when(value: str | None, option: str) -> datetime | timedelta | None:
    """``2026-11-01``, ``2026-11-01T10:00:00Z``, or a span (``7d``, ``12h``, ``2w``) back from
    the report's time (the store's latest event, so the same store gives the same report);
    ``None`` stays ``None``."""
    if value is None:
        return None
    match = _RELATIVE.fullmatch(value.strip())
    if match:
        n, unit = int(match.group(1)), match.group(2)
        return {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            "use a date (2026-11-01), a time (2026-11-01T10:00:00Z) or a span (7d, 12h, 2w)",
            param_hint=option,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@report_app.command("posture")
def posture_command(
    output_format: str = typer.Option(
        "html", "--format", help="html, pdf, json, oscal or csv (GDPR Art. 30 records)."
    ),
    out: Path = typer.Option(..., "--out", help="Where to write the report."),
    framework: str | None = typer.Option(
        None, "--framework", help="gdpr,hipaa,ccpa,pci,eu_ai_act (default: all)."
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        help="Count activity from this date, or a span back from the report's time (7d).",
    ),
    generated_at: str | None = typer.Option(
        None,
        "--generated-at",
        help="The report's time (default: the store's latest audit event, so the same store "
        "gives the same report).",
    ),
    llm_url: str | None = typer.Option(
        None,
        "--llm-url",
        help="Draft the summary with this OpenAI-compatible endpoint (metadata only).",
    ),
    llm_model: str = typer.Option("gpt-4o-mini", "--llm-model", help="The model to ask."),
    record: bool = typer.Option(
        True, "--record/--no-record", help="Record the report as an audit event with its hash."
    ),
) -> None:
    """Posture of the estate: datasets, protection, decisions, audit; mapped to controls."""
    import os

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from dataward.report import build, parse_frameworks
    from dataward.report.render import FORMATS, render, write_atomic
    from dataward.report.runs import publish

    if output_format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    frameworks = parse_frameworks(framework)
    start = parse_when(since, "--since")
    at = parse_when(generated_at, "--generated-at")
    if isinstance(at, timedelta):
        raise typer.BadParameter("give a date or a time, not a span", param_hint="--generated-at")
    summarize = None
    if llm_url:
        from dataward.report.summary import llm_summarizer

        summarize = llm_summarizer(
            llm_url, model=llm_model, api_key=os.environ.get("DATAWARD_LLM_API_KEY")
        )
    console = Console(stderr=True)
    store = _store()
    steps = 3 if record else 2
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("reading the store and assessing controls", total=steps)
        doc = build(store, frameworks=frameworks, since=start, generated_at=at, summarize=summarize)
        progress.update(task, advance=1, description=f"rendering {output_format}")
        body = render(doc, output_format)
        write_atomic(out, body)
        progress.update(task, advance=1, description="recording the report in the audit log")
        published = None
        if record:
            published = publish(store, body, fmt=output_format, generated_at=doc["generated_at"])
            progress.update(task, advance=1)
    ds = doc["datasets"]
    statuses = doc["controls_by_status"]
    line = (
        f"wrote {out} ({output_format}, {len(body):,} bytes): {ds['total']} datasets, "
        f"{ds['scanned']} scanned in {ds['scanned_window_days']} days, "
        f"{doc['decisions']['total']} decisions, {len(doc['controls'])} controls "
        f"({statuses.get('met', 0)} met, {statuses.get('partial', 0)} partial, "
        f"{statuses.get('not_met', 0)} not met)"
    )
    if published is not None:
        line += f"; audit event {published.event_index}, sha256 {published.sha256[:16]}…"
    print(line, file=sys.stderr)


def _store() -> Store:
    """The store of the runtime in use (the command's own runtime)."""
    from dataward.store.shared import shared_store

    return shared_store()


@report_app.command("scheduled")
def scheduled_command(
    loop: bool = typer.Option(False, "--loop", help="Keep running, checking every --check s."),
    check: float = typer.Option(60.0, "--check", min=1.0, help="Seconds between checks."),
) -> None:
    """Write the reports the ``report:`` section of dataward.yaml says are due (for cron)."""
    import time

    from dataward.report.schedule import run_due, schedule_config
    from dataward.settings import get_settings

    settings = get_settings()
    schedule = schedule_config(settings.report)
    if schedule is None:
        raise typer.BadParameter(
            "dataward.yaml has no report: section (report: {every: 24h, formats: [json, html]})"
        )
    while True:
        written = run_due(_store(), schedule, Path(settings.home))
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
        if not written:
            print("no report due", file=sys.stderr)
        if not loop:
            return
        time.sleep(check)
