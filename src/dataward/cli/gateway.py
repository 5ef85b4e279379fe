"""``dataward gateway``: run the OpenAI-compatible LLM gateway in front of an upstream.

Exit codes as for every command: 2 a bad option (an unknown mode, a missing upstream key
variable, a URL that is not http(s)), 1 another Dataward error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from dataward.gateway.config import DEFAULT_UPSTREAM_KEY_ENV, GATEWAY_THRESHOLD


def register(app: typer.Typer) -> None:
    app.command("gateway")(gateway_command)


def gateway_command(
    upstream: str = typer.Option(
        ..., "--upstream", help="The upstream's base URL, as OpenAI's (https://HOST/v1)."
    ),
    port: int = typer.Option(8422, "--port", help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    mode: str = typer.Option(
        "pseudonymize", "--mode", help="pseudonymize (default), block or pass."
    ),
    upstream_key_env: str = typer.Option(
        DEFAULT_UPSTREAM_KEY_ENV,
        "--upstream-key-env",
        help="Environment variable holding the upstream's API key (never the caller's).",
    ),
    redis_url: str | None = typer.Option(
        None, "--redis", help="Keep the vault of pseudonyms in Redis (redis://HOST:PORT/DB)."
    ),
    ttl: float = typer.Option(
        3600.0, "--conversation-ttl", min=1, help="Seconds a conversation's pseudonyms live."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="Detection threshold (default: 0.15)."
    ),
    retention_rules: Path | None = typer.Option(
        None,
        "--retention-rules",
        help="Retention rules (YAML or JSON, docs/retention.md) whose duration each audit "
        "event records (artifact types prompt_log, completion_log).",
    ),
    detect_timeout: float = typer.Option(
        10.0, "--detect-timeout", min=0.01, help="Seconds a request's scan may take."
    ),
    rate_limit: float | None = typer.Option(
        None, "--rate-limit", min=0.1, help="Requests a second per caller key (per worker)."
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Worker processes (above 1 needs --redis for the vault)."
    ),
) -> None:
    """Serve POST /v1/chat/completions and /v1/responses; callers send a Dataward API key."""
    import uvicorn

    from dataward.cli.serve import uvicorn_options
    from dataward.errors import ConfigError
    from dataward.gateway import GatewayConfig, Mode, create_gateway
    from dataward.retention.rules import load_rules
    from dataward.runtime import open as open_runtime

    try:
        parsed = Mode(mode)
    except ValueError:
        raise typer.BadParameter("use pseudonymize, block or pass", param_hint="--mode") from None
    key = os.environ.get(upstream_key_env)
    if upstream_key_env != DEFAULT_UPSTREAM_KEY_ENV and not key:
        raise ConfigError(f"the variable {upstream_key_env} named by --upstream-key-env is empty")
    rules = tuple(load_rules(retention_rules)) if retention_rules is not None else ()
    config = GatewayConfig(
        upstream=upstream,
        mode=parsed,
        upstream_key=key or None,
        redis_url=redis_url,
        conversation_ttl=ttl,
        detect_timeout=detect_timeout,
        threshold=GATEWAY_THRESHOLD if threshold is None else threshold,
        retention_rules=rules,
        rate_per_second=rate_limit,
    )
    banner = f"dataward gateway ({parsed.value}) on http://{host}:{port}/v1 -> {upstream}"
    if workers > 1:
        if redis_url is None:
            raise ConfigError(
                "--workers above 1 needs --redis: each worker's memory vault would hold its "
                "own conversations"
            )
        from dataward.gateway.app import OPTIONS_VARIABLE

        open_runtime().close()  # migrate the store once before the workers start
        os.environ[OPTIONS_VARIABLE] = json.dumps(
            {
                "upstream": upstream,
                "mode": parsed.value,
                "upstream_key_env": upstream_key_env,
                "redis_url": redis_url,
                "conversation_ttl": ttl,
                "detect_timeout": detect_timeout,
                "threshold": config.threshold,
                "retention_rules": str(retention_rules.resolve()) if retention_rules else None,
                "rate_per_second": rate_limit,
            }
        )
        typer.echo(f"{banner} ({workers} workers)", err=True)
        uvicorn.run(
            "dataward.gateway.app:from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **uvicorn_options([]),
        )
        return
    # a runtime of its own whose settings are read once: a long-running server need not
    # re-read dataward.yaml on every request
    with open_runtime() as rt:
        rt.store  # noqa: B018 - open (and migrate) the store before the first request
        app = create_gateway(rt, config)
        typer.echo(banner, err=True)
        uvicorn.run(app, host=host, port=port, **uvicorn_options([]))
