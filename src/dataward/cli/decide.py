"""``dataward decide`` and ``dataward token verify``: policy decisions and go tokens."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from dataward.errors import ConfigError, PolicyError

DECISION_EXIT_CODES = {"allow": 0, "deny": 10, "allow_with_obligations": 11, "needs_approval": 12}
"""Exit codes of ``dataward decide --fail``."""


def register(app: typer.Typer) -> None:
    app.command("decide")(decide_command)
    token = typer.Typer(help="Go tokens: verify and re-validate.", no_args_is_help=True)
    token.command("verify")(verify_command)
    app.add_typer(token, name="token")


def read_request(path: str, what: str = "request") -> dict[str, Any]:
    """A JSON request (or receipt) from a file or '-' (stdin)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the {what}: {exc.strerror}", path=path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"{path}:{exc.lineno}: the {what} is not valid JSON: {exc.msg}", path=path
        ) from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: the {what} must be a JSON object", path=path)
    return data


def decide_command(
    request: str = typer.Argument(..., help="REQUEST.json, or '-' for stdin."),
    output_format: str = typer.Option("json", "--format", help="json or table."),
    point: str = typer.Option("default", "--point", help="Enforcement point (picks the mode)."),
    mode: str | None = typer.Option(None, "--mode", help="shadow, warn or enforce (override)."),
    policies: list[Path] = typer.Option(
        [], "--policies", help="Extra .cedar files or folders (repeatable)."
    ),
    no_log: bool = typer.Option(False, "--no-log", help="Do not write the decision log."),
    fail: bool = typer.Option(
        False, "--fail", help="Exit 10 deny, 11 obligations, 12 needs approval (0 allow)."
    ),
    evidence: list[str] = typer.Option(
        [],
        "--evidence",
        help="A protect receipt (OUTPUT.receipt.json from `dataward protect --decision`) "
        "proving obligations were applied (repeatable). Transforms only claimed in the "
        "request lift nothing.",
    ),
) -> None:
    """Decide a request: prints {decision_id, effect, obligations, reasons, mode,
    policy_revision, input_digest, expires_at, ...}."""
    from dataward.policy import MODES, decide, default_engine

    if output_format not in ("json", "table"):
        raise ConfigError("--format: use json or table")
    if mode is not None and mode not in MODES:
        raise ConfigError(f"--mode: use one of {', '.join(MODES)}")
    engine = default_engine(policies)
    decision = decide(
        read_request(request),
        engine=engine,
        point=point,
        mode=mode,
        log=False if no_log else None,
        evidence=[read_request(path, "receipt") for path in evidence],
    )
    if output_format == "json":
        typer.echo(json.dumps(decision.to_dict(), indent=2))
    else:
        _table(decision.to_dict())
    for warning in decision.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if fail:
        raise typer.Exit(DECISION_EXIT_CODES[decision.effect])


def _table(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False)
    for key in ("effect", "mode", "reasons", "expires_at", "policy_revision", "decision_id"):
        value = d.get(key)
        table.add_row(key, ", ".join(value) if isinstance(value, list) else str(value))
    for ob in d["obligations"]:
        table.add_row("obligation", f"{ob['operator']} {ob['target']} ({ob['transform']})")
    for ap in d["approvals"]:
        table.add_row("approval", f"{ap['approver']} ({', '.join(ap['policies'])})")
    for message in d["messages"]:
        table.add_row("why", message)
    Console().print(table)


def verify_command(
    token: str = typer.Argument(..., help="The go token (dwt1...)."),
    request: str | None = typer.Option(
        None, "--request", help="Re-validate against this request as it stands now."
    ),
    evidence: list[str] = typer.Option(
        [], "--evidence", help="With --request: the protect receipts the token names."
    ),
) -> None:
    """Verify a go token's signature and expiry (and, with --request, that it still holds)."""
    from dataward.policy import revalidate, verify_token

    if request is None:
        claims = verify_token(token)
        typer.echo(json.dumps({"valid": True, "claims": claims}, indent=2))
        return
    receipts = [read_request(path, "receipt") for path in evidence]
    check = revalidate(token, read_request(request), evidence=receipts)
    typer.echo(json.dumps(check.to_dict(), indent=2))
    if not check.valid:
        raise typer.Exit(1)
