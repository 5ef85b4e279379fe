"""``dataward serve`` and ``dataward apikey``: run the service and manage its keys."""

from __future__ import annotations

import copy
import json
from typing import Any

import typer

from dataward.store import open_store

apikey_app = typer.Typer(
    help="Create, list and revoke API keys of the service.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.add_typer(apikey_app, name="apikey")


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8421, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
    trusted_proxy: list[str] = typer.Option(
        [],
        "--trusted-proxy",
        envvar="DATAWARD_TRUSTED_PROXIES",
        help="Address of a TLS-terminating proxy whose X-Forwarded-Proto and X-Forwarded-For "
        "are believed (repeat for several; '*' trusts any). Without one they are ignored.",
    ),
) -> None:
    """Run the HTTP service (OpenAPI at /docs, health at /health)."""
    import uvicorn

    open_store().close()  # migrate once before the workers start
    uvicorn.run(
        "dataward.server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **uvicorn_options(trusted_proxy),
    )


def uvicorn_options(trusted_proxies: list[str]) -> dict[str, Any]:
    """Logging and proxy settings for uvicorn: its access log is off (it would write every
    path and query string); the service writes its own JSON line per request instead, and
    ``X-Forwarded-*`` headers count only from the trusted proxies."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["message"] = {"format": "%(message)s"}
    config["handlers"]["requests"] = {
        "class": "logging.StreamHandler",
        "formatter": "message",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["dataward"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["dataward.server.requests"] = {
        "handlers": ["requests"],
        "level": "INFO",
        "propagate": False,
    }
    proxies = [p.strip() for item in trusted_proxies for p in item.split(",") if p.strip()]
    return {
        "log_config": config,
        "log_level": "info",
        "access_log": False,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
    }


@apikey_app.command("create")
def create(
    role: str = typer.Option(..., "--role", help="admin, steward, pipeline or auditor."),
    name: str = typer.Option(..., "--name", help="Who or what uses the key."),
) -> None:
    """Create a key and print it once; only its digest is stored."""
    from dataward.server.apikeys import create_key

    key, secret = create_key(open_store(), name, role)
    typer.echo(secret)
    typer.echo(f"created key {key.id} ({key.role.value}) for {name}; store it now", err=True)


@apikey_app.command("list")
def list_command() -> None:
    """List keys (ids, names, roles; never the keys)."""
    from dataward.server.apikeys import list_keys

    typer.echo(json.dumps(list_keys(open_store()), indent=2))


@apikey_app.command("revoke")
def revoke_command(key_id: str = typer.Argument(..., help="The key id (dw_<id>_...).")) -> None:
    """Revoke a key."""
    from dataward.errors import ConfigError
    from dataward.server.apikeys import revoke

    if not revoke(open_store(), key_id):
        raise ConfigError(f"no active key with id {key_id!r}", key_id=key_id)
    typer.echo(f"revoked {key_id}")
