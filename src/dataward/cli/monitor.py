"""``dataward monitor ingest|alerts|run|ack|suppress``: access monitoring.

Exit codes: 0 done (malformed rows are reported on stderr with file and line, and counted; the
other rows are still read); 1 a Dataward error (an unknown alert id); 2 bad usage (an unknown
source or severity, a bad ``--since``); 3 an input path that does not exist.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from dataward.monitor import Monitor, Outcome, Parsed, Settings

monitor_app = typer.Typer(
    help="Watch access to training data: baselines, approvals, explained alerts.",
    no_args_is_help=True,
)
SOURCE_HELP = "snowflake, cloudtrail, s3-access, pgaudit, databricks or ocsf."


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")


def _settings(learning_days: float | None, model_scores: bool = False) -> Settings:
    from dataward.monitor import Settings

    days = Settings().learning_days if learning_days is None else learning_days
    return Settings(learning_days=days, model_scores=model_scores)


def _check_source(source: str) -> None:
    from dataward.errors import UnknownNameError
    from dataward.monitor import SOURCES

    if source not in SOURCES:
        raise UnknownNameError("monitor source", source, SOURCES)


def _problems(report: object, limit: int = 20) -> None:
    problems = getattr(report, "problems", [])
    count = getattr(report, "problem_count", 0)
    for p in problems[:limit]:
        typer.echo(f"warning: {p}", err=True)
    if count > limit:
        typer.echo(f"warning: {count - limit} more malformed rows", err=True)


@monitor_app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Files or folders.", readable=False),
    source: str = typer.Option(..., "--source", help=SOURCE_HELP),
    learning_days: float = typer.Option(
        None, "--learning-days", help="Days of history before behavioural alerts (default 7)."
    ),
    output_format: str = typer.Option("text", "--format", help="text or json."),
    model_scores: bool = typer.Option(
        False, "--model-scores", help="Add river's HalfSpaceTrees scores as one more signal."
    ),
) -> None:
    """Read access logs into the monitor's state and judge them in time order."""
    from dataward.monitor import monitor, parse

    _check_source(source)
    parsed = parse(source, paths)
    mon = monitor(settings=_settings(learning_days, model_scores))
    outcome = _judge(mon, parsed)
    _problems(parsed.report)
    result = {**parsed.report.to_dict(), **outcome.to_dict()}
    if output_format == "json":
        result["details"] = result["details"][:100]
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(
        f"{parsed.report.events:,} events from {parsed.report.files} file(s), "
        f"{parsed.report.problem_count} malformed row(s); "
        f"{len(outcome.raised)} alert(s) raised, {len(outcome.updated)} updated"
        + (f"; {outcome.duplicates:,} already judged, skipped" if outcome.duplicates else "")
    )


def _judge(mon: Monitor, parsed: Parsed) -> Outcome:
    """Judge the parsed events in time order, with a progress bar on a terminal."""
    from dataward.monitor import Outcome

    mon.add_tags(parsed.tags)
    events = sorted(parsed.events, key=lambda e: e.time)
    outcome = Outcome()
    step = 20_000
    if len(events) <= step or not sys.stderr.isatty():
        mon.process(events, outcome)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("judging events", total=len(events))
            for start in range(0, len(events), step):
                mon.process(events[start : start + step], outcome)
                progress.advance(task, min(step, len(events) - start))
    mon.flush()
    return outcome


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO 8601 time", param_hint="--since"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@monitor_app.command("alerts")
def alerts_command(
    output_format: str = typer.Option("table", "--format", help="table, json or ocsf."),
    since: str = typer.Option(None, "--since", help="Only alerts from this ISO time on."),
    min_severity: str = typer.Option("low", "--min-severity", help="low, medium or high."),
    status: str = typer.Option(None, "--status", help="open, acknowledged or suppressed."),
    evidence: bool = typer.Option(False, "--evidence", help="Include the evidence (json)."),
) -> None:
    """Stored alerts, newest first."""
    from dataward.monitor import list_alerts
    from dataward.monitor.alerts import SEVERITIES
    from dataward.store import shared_store

    if min_severity not in SEVERITIES:
        raise typer.BadParameter(f"use {', '.join(SEVERITIES)}", param_hint="--min-severity")
    found = list_alerts(shared_store(), _since(since), min_severity, status)
    if output_format == "json":
        typer.echo(json.dumps({"alerts": [a.to_dict(evidence) for a in found]}, indent=2))
        return
    if output_format == "ocsf":
        for alert in found:
            typer.echo(json.dumps(alert.to_ocsf()))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for head in ("id", "time", "severity", "principal", "kind", "status", "summary"):
        table.add_column(head)
    for a in found:
        table.add_row(
            a.id,
            a.time.strftime("%Y-%m-%d %H:%M"),
            a.severity,
            a.principal,
            a.kind,
            a.status,
            a.summary,
        )
    Console().print(table)


@monitor_app.command("run")
def run_command(
    nats_subject: str = typer.Option(None, "--nats", help="A NATS JetStream subject."),
    folder: Path = typer.Option(None, "--folder", help="A folder being written to."),
    source: str = typer.Option("ocsf", "--source", help=SOURCE_HELP),
    server: str = typer.Option("nats://127.0.0.1:4222", "--server", help="NATS server URL."),
    durable: str = typer.Option("dataward-monitor", "--durable", help="JetStream consumer name."),
    interval: float = typer.Option(1.0, "--interval", help="Folder poll interval, seconds."),
    max_seconds: float = typer.Option(None, "--max-seconds", help="Stop after this long."),
    once: bool = typer.Option(False, "--once", help="Folder: read what is there, then stop."),
    idle_exit: float = typer.Option(None, "--idle-exit", help="NATS: stop after this long idle."),
    learning_days: float = typer.Option(
        None, "--learning-days", help="Days before behavioural alerts."
    ),
    model_scores: bool = typer.Option(
        False, "--model-scores", help="Add river's HalfSpaceTrees scores as one more signal."
    ),
) -> None:
    """Stream events from NATS JetStream or a folder; print each new alert as a JSON line."""
    from dataward.monitor import Alert, monitor
    from dataward.monitor.stream import follow_folder, follow_nats

    _check_source(source)
    if (nats_subject is None) == (folder is None):
        raise typer.BadParameter("give one of --nats SUBJECT or --folder DIR")
    mon = monitor(settings=_settings(learning_days, model_scores))

    def show(alerts: list[Alert]) -> None:
        for alert in alerts:
            typer.echo(json.dumps(alert.to_dict()))
        sys.stdout.flush()

    if folder is not None:
        stats, report = follow_folder(
            mon,
            folder,
            source,
            interval=interval,
            max_seconds=max_seconds,
            once=once,
            on_alerts=show,
        )
    else:
        stats, report = asyncio.run(
            follow_nats(
                mon,
                nats_subject,
                source,
                server=server,
                durable=durable,
                max_seconds=max_seconds,
                idle_exit=idle_exit,
                on_alerts=show,
            )
        )
    _problems(report)
    typer.echo(
        f"{stats.events:,} events, {stats.alerts} alert(s), {report.problem_count} malformed",
        err=True,
    )


def _act(alert_id: str, status: str, reason: str) -> None:
    from dataward.audit.actors import current_actor
    from dataward.monitor import set_status
    from dataward.store import shared_store

    alert = set_status(shared_store(), alert_id, status, reason, current_actor())
    typer.echo(f"{alert.id} {status}")


@monitor_app.command("ack")
def ack_command(
    alert_id: str = typer.Argument(..., help="The alert's id."),
    reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit log)."),
) -> None:
    """Acknowledge an alert (audited)."""
    _act(alert_id, "acknowledged", reason)


@monitor_app.command("suppress")
def suppress_command(
    alert_id: str = typer.Argument(..., help="The alert's id."),
    reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit log)."),
    rule: bool = typer.Option(
        False, "--rule", help="Also suppress later alerts of this principal and kind."
    ),
) -> None:
    """Suppress an alert (audited); with --rule, later ones of its principal and kind too."""
    from dataward.monitor import get_alert, monitor
    from dataward.store import shared_store

    _act(alert_id, "suppressed", reason)
    if rule:
        alert = get_alert(shared_store(), alert_id)
        monitor().suppress_rule(alert.principal, alert.kind, reason)


@monitor_app.command("contain")
def contain_command(
    alert_id: str = typer.Argument(..., help="The alert's id."),
    reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit log)."),
    confirm: bool = typer.Option(False, "--confirm", help="Confirm the suggested containment."),
) -> None:
    """Confirm an alert's suggested containment (suspend the job's go tokens, or review the
    principal): audited, and sent to the integrations that act on it."""
    from dataward.audit.actors import current_actor
    from dataward.monitor import get_alert, monitor
    from dataward.monitor.alerts import containment
    from dataward.store import shared_store

    if not confirm:
        suggested = containment(get_alert(shared_store(), alert_id))
        typer.echo(json.dumps({"suggested": suggested, "confirm_with": "--confirm"}))
        return
    done = monitor().contain(alert_id, reason, current_actor())
    typer.echo(json.dumps({"contained": done}))


@monitor_app.command("narrate")
def narrate_command(
    alert_id: str = typer.Argument(..., help="The alert's id."),
    endpoint: str = typer.Option(..., "--endpoint", help="An OpenAI-compatible base URL (…/v1)."),
    model: str = typer.Option(..., "--model", help="The model name the endpoint serves."),
    api_key_env: str = typer.Option(
        None, "--api-key-env", help="Environment variable holding the API key."
    ),
) -> None:
    """Ask an OpenAI-compatible endpoint to explain an alert (metadata only, never values)."""
    from dataward.monitor import get_alert
    from dataward.monitor.narrative import api_key_from, narrate
    from dataward.store import shared_store

    store = shared_store()
    alert = get_alert(store, alert_id)
    text = narrate(alert, endpoint, model, api_key=api_key_from(api_key_env), store=store)
    typer.echo(text)
