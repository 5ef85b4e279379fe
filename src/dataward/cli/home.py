"""``dataward home`` and ``dataward init``: which home is in use, and making one on purpose.

The home is found like git finds a repository (:func:`dataward.settings.find_home`):
``DATAWARD_HOME``, else the nearest ``.dataward`` upward from the working directory, else the
per-user default. The settings file is found the same way
(:func:`dataward.settings.find_config`). Every command that creates a home says so on stderr
(:func:`note_new_home`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import typer

from dataward.errors import DatawardError

SOURCES = {
    "env": "DATAWARD_HOME",
    "settings": "set in dataward.yaml or by the caller",
    "found": "found upward from the working directory",
    "default": "the per-user default (no .dataward at or above the working directory)",
}
"""How ``dataward home`` describes :attr:`dataward.settings.Settings.home_source`."""


def register(app: typer.Typer) -> None:
    app.command("home")(home_command)
    app.command("init")(init_command)


def home_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print the home in use, where it came from, the settings file read, the store (password
    hidden) and the key ring's fingerprint. Creates nothing."""
    from dataward.settings import get_settings
    from dataward.store.core import database_url

    settings = get_settings()
    home = settings.home
    info = {
        "home": str(home),
        "source": settings.home_source,
        "config": str(settings.config_file) if settings.config_file else None,
        "exists": home.is_dir(),
        "store": _redacted(database_url(settings, create=False)),
        "keyring": _fingerprint(home),
    }
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    state = "" if info["exists"] else " (not created yet: made on first write)"
    typer.echo(f"home:     {home}{state}")
    typer.echo(f"source:   {SOURCES[settings.home_source]}")
    typer.echo(f"config:   {info['config'] or 'none'}")
    typer.echo(f"store:    {info['store']}")
    typer.echo(f"key ring: {info['keyring'] or 'none yet (made on first protect)'}")


def init_command() -> None:
    """Make ./.dataward the home of this folder and every folder below it (a new one, or one an
    older Dataward made here). Commands run anywhere under it then share its keys and store."""
    from dataward.settings import HOME_FOLDER
    from dataward.store.home import adopt_home

    folder = Path.cwd() / HOME_FOLDER
    made = adopt_home(folder)
    typer.echo(f"dataward: {'created' if made else 'using existing'} home {folder}", err=True)
    if os.environ.get("DATAWARD_HOME"):
        typer.echo(
            f"note: DATAWARD_HOME is set ({os.environ['DATAWARD_HOME']}) and wins over {folder}",
            err=True,
        )


def note_new_home() -> Callable[[], None] | None:
    """Before a command: a function to call after it, which says on stderr when the command
    created the home (and marks it, as :func:`dataward.store.home.create_home` does). ``None``
    when no home can be found: the command itself reports that, if it needs one."""
    from dataward.settings import get_settings

    try:
        home = get_settings().home
    except DatawardError:
        return None
    if home.exists():
        return None

    def after() -> None:
        from dataward.store.home import create_home

        if home.is_dir():
            create_home(home)
            typer.echo(f"dataward: created home {home}", err=True)

    return after


def _redacted(url: str) -> str:
    """A database URL with its password hidden."""
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # an invalid URL: it may hold a password where the parser did not see it
        return "(not a valid database URL: see DATAWARD_DATABASE_URL)"


def _fingerprint(home: Path) -> str | None:
    """The fingerprint of the key ring in ``home``, ``None`` when there is none yet."""
    from dataward.protect import KeyRing

    path = home / "keys.json"
    if not path.exists():
        return None
    try:
        return KeyRing.load(path).fingerprint
    except DatawardError as exc:
        return f"cannot read {path}: {exc}"
