"""``dataward policy``: validate, test, explain, replay; approvals."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from dataward.errors import ConfigError, PolicyError


def register(app: typer.Typer) -> None:
    policy = typer.Typer(help="Policies: validate, test, explain, replay, approve.")
    policy.command("validate")(validate_command)
    policy.command("test")(test_command)
    policy.command("explain")(explain_command)
    policy.command("replay")(replay_command)
    policy.command("approve")(approve_command)
    policy.command("approvals")(approvals_command)
    policy.command("revoke")(revoke_command)
    policy.command("packs")(packs_command)
    app.add_typer(policy, name="policy")


def _engine(paths: list[Path], packs: str | None) -> Any:
    from dataward.policy import PolicyEngine, default_engine
    from dataward.settings import get_settings

    if packs is None:
        return default_engine(paths)
    names = [p.strip() for p in packs.split(",") if p.strip()]
    return PolicyEngine.load(names, [*get_settings().policy.paths, *paths])


def validate_command(
    paths: list[Path] = typer.Argument(None, help=".cedar files or folders (default: configured)."),
    packs: str | None = typer.Option(
        None, "--packs", help="Comma-separated packs (default: configured)."
    ),
) -> None:
    """Parse and type-check policies against Dataward's schema; errors say file:line."""
    engine = _engine(list(paths or []), packs)
    typer.echo(
        f"ok: {len(engine.policies)} policies from {len(engine.sources)} files, "
        f"revision {engine.revision}"
    )


def test_command(
    files: list[Path] = typer.Argument(..., help="YAML policy test files."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Run policy tests: each request must get its expected effect. Exit 1 if any fails."""
    from dataward.policy.testing import run_file

    results = [r for f in files for r in run_file(f)]
    failed = [r for r in results if not r.passed]
    if output_format == "json":
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        for r in results:
            typer.echo(f"{'PASS' if r.passed else 'FAIL'} {r.file}: {r.name}")
            for problem in r.problems:
                typer.echo(f"     {problem}")
        typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


def explain_command(
    request: str = typer.Argument(..., help="REQUEST.json, or '-' for stdin."),
    policies: list[Path] = typer.Option([], "--policies", help="Extra .cedar files or folders."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Show which policies match the request, which determined the answer, and why."""
    from dataward.cli.decide import read_request
    from dataward.policy import default_engine
    from dataward.policy.records import approvals_for

    engine = default_engine(policies)
    raw = read_request(request)
    from dataward.policy.api import default_store

    approvals = approvals_for(default_store(), raw, datetime.now(UTC))
    explanation = engine.explain(engine.prepare(raw, approvals))
    if output_format == "json":
        typer.echo(json.dumps(explanation, indent=2))
        return
    typer.echo(f"effect: {explanation['effect']}")
    for ob in explanation["obligations"]:
        typer.echo(
            f"  obligation: {ob['transform']} -> operator {ob['operator']} on {ob['target']}"
        )
    for ap in explanation["approvals"]:
        typer.echo(f"  approval: {ap['approver']}")
    resource = explanation["resource"]
    typer.echo(f"resource categories: {', '.join(resource['categories']) or '-'}")
    typer.echo("matching policies:")
    for m in explanation["matched"]:
        mark = "*" if m["determining"] else " "
        typer.echo(f" {mark} {m['effect']:6} {m['id']}  ({m['source']})")
        if m["reason"]:
            typer.echo(f"          {m['reason']}")
        if m["obligation"]:
            typer.echo(f"          lifted by: {m['obligation']}")
        if m["approval"]:
            typer.echo(f"          lifted by approval of: {m['approval']}")
    if not explanation["matched"]:
        typer.echo("   none: no permit applies, so the answer is deny")
    typer.echo("(* determined the answer)")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    m = re.fullmatch(r"(\d+)([smhd])", value)
    if m:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(m.group(1))})
    from dataward.policy.request import parse_time

    return parse_time(value, "--since")


def replay_command(
    candidate: Path = typer.Option(..., "--candidate", help="Folder of candidate .cedar files."),
    since: str | None = typer.Option(None, "--since", help="ISO time or 7d, 12h, 30m."),
    point: str | None = typer.Option(None, "--point", help="Only this enforcement point."),
    packs: str | None = typer.Option(
        None, "--packs", help="Packs next to the candidate files (default: configured; '' none)."
    ),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Re-evaluate logged requests against a candidate policy set; show what would change."""
    from dataward.policy import PolicyEngine, replay
    from dataward.policy.api import default_store
    from dataward.settings import get_settings

    if not candidate.is_dir():
        raise PolicyError(f"{candidate}: --candidate must be a folder of .cedar files")
    names = (
        get_settings().policy.packs
        if packs is None
        else [p.strip() for p in packs.split(",") if p.strip()]
    )
    engine = PolicyEngine.load(names, [candidate])
    report = replay(default_store(), engine, since=_since(since), point=point)
    if output_format == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    typer.echo(
        f"replayed {report.replayed} decisions against {report.candidate_revision}: "
        f"{len(report.changes)} would change"
    )
    for c in report.changes:
        b, a = c.before, c.after
        typer.echo(f"  {c.timestamp} {c.decision_id} [{c.point}]: {b['effect']} -> {a['effect']}")
        if b["obligations"] != a["obligations"]:
            typer.echo(f"      obligations {b['obligations']} -> {a['obligations']}")
        if a["reasons"]:
            typer.echo(f"      now: {', '.join(a['reasons'])}")


def _expiry(value: str) -> datetime:
    m = re.fullmatch(r"(\d+)([mhd])", value)
    if m:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        return datetime.now(UTC) + timedelta(**{unit: int(m.group(1))})
    from dataward.policy.request import parse_time

    return parse_time(value, "--expires")


def approve_command(
    approver: str = typer.Option(..., "--approver", help="The role approving: dpo, data-steward."),
    granted_by: str = typer.Option(..., "--by", help="Who approves (recorded)."),
    expires: str = typer.Option(..., "--expires", help="ISO time or 7d, 12h, 30m."),
    principal: str | None = typer.Option(None, "--principal", help="Only for this principal id."),
    action: str | None = typer.Option(None, "--action", help="Only for this action."),
    resource: str | None = typer.Option(None, "--resource", help="Only for this resource id."),
    purpose: str | None = typer.Option(None, "--purpose", help="Only for this purpose."),
    note: str = typer.Option("", "--note", help="Why (recorded)."),
) -> None:
    """Record an approval; decisions in its scope see it until it expires or is revoked."""
    from dataward.policy import grant_approval
    from dataward.policy.api import default_store

    scope = {
        k: v
        for k, v in (
            ("principal", principal),
            ("action", action),
            ("resource", resource),
            ("purpose", purpose),
        )
        if v is not None
    }
    if not scope:
        raise ConfigError("scope an approval with --principal, --action, --resource or --purpose")
    record = grant_approval(default_store(), approver, granted_by, scope, _expiry(expires), note)
    typer.echo(json.dumps(record.to_dict(), indent=2))


def approvals_command(
    all_: bool = typer.Option(False, "--all", help="Include expired and revoked approvals."),
) -> None:
    """List approvals (active ones unless --all) as JSON lines."""
    from dataward.policy import list_approvals
    from dataward.policy.api import default_store

    now = datetime.now(UTC)
    for record in list_approvals(default_store()):
        if all_ or record.active(now):
            typer.echo(json.dumps(record.to_dict()))


def revoke_command(approval_id: str = typer.Argument(..., help="The approval id.")) -> None:
    """Revoke an approval; later decisions no longer see it."""
    from dataward.policy import revoke_approval
    from dataward.policy.api import default_store

    if not revoke_approval(default_store(), approval_id):
        raise PolicyError(f"no active approval {approval_id!r}")
    typer.echo(f"revoked {approval_id}")


def packs_command() -> None:
    """List the built-in policy packs."""
    from dataward.policy import PACKS

    for name, file in PACKS.items():
        typer.echo(f"{name}\t{file}")
