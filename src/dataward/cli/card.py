"""``dataward card DATASET --format croissant|hf|md [--out PATH]``: a data card from the
catalog, the decision log, the lineage graph and the audit log; ``--model`` for a model card's
training-data section."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("card")(card_command)


def _write(text: str, out: Path) -> None:
    """Write ``text`` to ``out`` atomically (temporary file, then rename)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        Path(tmp).replace(out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def card_command(
    dataset: str = typer.Argument(..., help="Dataset id, path or file name (or a model name)."),
    output_format: str = typer.Option("croissant", "--format", help="croissant, hf or md."),
    out: Path | None = typer.Option(None, "--out", help="Write the card here, not to stdout."),
    license: str | None = typer.Option(
        None, "--license", help="The dataset's license (SPDX id or URL); no record holds it."
    ),
    model: bool = typer.Option(
        False, "--model", help="DATASET names a model: print its training-data governance."
    ),
) -> None:
    """A data card: Croissant 1.1 with RAI fields, a Hugging Face dataset card, or Markdown."""
    from dataward.cards import FORMATS, card, model_section
    from dataward.errors import ConfigError

    if output_format not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}")
    if model:
        text = model_section(None, dataset)
    else:
        made = card(None, dataset, output_format, license=license)
        text = (
            json.dumps(made, indent=2, ensure_ascii=False) + "\n"
            if isinstance(made, dict)
            else made
        )
    if out is None:
        typer.echo(text, nl=False)
        return
    _write(text, out)
    typer.echo(f"wrote {out}")
