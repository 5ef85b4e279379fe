"""``dataward rag``: governed retrieval. ``compile-filter`` prints the filter a store applies.

Exit codes: 0 printed; 2 a bad store name, principal file or purpose; 3 the principal file cannot
be read; 1 the policy cannot be compiled soundly (a condition no store filter can express).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from dataward.errors import ConfigError, SourceError

rag_app = typer.Typer(help="Governed retrieval: filters compiled from the retrieval policy.")


def register(app: typer.Typer) -> None:
    app.add_typer(rag_app, name="rag")


@rag_app.command("compile-filter")
def compile_filter_command(
    principal_file: Path = typer.Argument(
        ..., metavar="PRINCIPAL.json", help="The caller: id, tenant, groups, clearance, roles."
    ),
    store: str = typer.Option(
        ..., "--store", help="lancedb, qdrant, chroma, pgvector, pinecone, weaviate or python."
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="Why the caller retrieves (else the file's 'purpose')."
    ),
    policy_file: Path | None = typer.Option(
        None, "--policy", help="A .cedar retrieval policy (default: the built-in one)."
    ),
) -> None:
    """Print the retrieval policy compiled for PRINCIPAL.json in the store's filter syntax."""
    from dataward.rag import RetrievalError, RetrievalPolicy, compile_filter

    try:
        data = json.loads(principal_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"cannot read {principal_file}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ConfigError(f"{principal_file} is not JSON{where}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{principal_file} must hold a JSON object")
    why = purpose if purpose is not None else data.pop("purpose", None)
    data.pop("purpose", None)
    if not isinstance(why, str) or not why:
        raise ConfigError("give --purpose or a 'purpose' in the principal file")
    try:
        policy = RetrievalPolicy.load(policy_file) if policy_file is not None else None
        from dataward.rag.model import Principal

        who = Principal.of(data)
    except RetrievalError as exc:
        raise ConfigError(str(exc)) from None
    compiled = compile_filter(who, why, store, policy)
    typer.echo(json.dumps(compiled, indent=2, sort_keys=False))
