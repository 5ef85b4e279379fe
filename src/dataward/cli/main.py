"""Entry point: ``dataward COMMAND``. Errors become one readable line and a documented exit code.

Exit codes: 0 success; 1 a Dataward error (or a file that cannot be written); 2 bad
configuration or usage; 3 unreadable input; 4 audit verification failed; 130 interrupted.
``--debug`` shows tracebacks.
"""

from __future__ import annotations

import logging
import sys

import typer

from dataward import __version__
from dataward.cli import (
    audit,
    card,
    catalog,
    decide,
    demo,
    detect,
    entities,
    gateway,
    home,
    lineage,
    monitor,
    policy,
    protect,
    rag,
    report,
    retention,
    scan,
    serve,
    subject,
)
from dataward.errors import DatawardError

app = typer.Typer(
    name="dataward",
    help="Data protection for AI pipelines: detect, classify, protect, decide, prove.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dataward {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


detect.register(app)
entities.register(app)
demo.register(app)
serve.register(app)
audit.register(app)
decide.register(app)
policy.register(app)
scan.register(app)
catalog.register(app)
protect.register(app)
rag.register(app)
home.register(app)
lineage.register(app)
card.register(app)
monitor.register(app)
subject.register(app)
retention.register(app)
report.register(app)
gateway.register(app)


def run() -> None:
    """Console-script entry point."""
    debug = "--debug" in sys.argv[1:]
    created = home.note_new_home()  # "dataward: created home ..." after a command that made it
    from dataward.runtime import Runtime, use

    try:
        with Runtime() as runtime, use(runtime):  # one runtime per command, closed at its end
            code = app(standalone_mode=False)
    except DatawardError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except OSError as exc:  # a file the command could not read or write, not named by a check
        if debug:
            raise
        typer.echo(f"error: {_os_problem(exc)}", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        if exc.exit_code == 0 and created is not None:
            created()
        sys.exit(exc.exit_code)
    except Exception as exc:  # usage errors (click's) arrive here in non-standalone mode
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        raise
    code = code if isinstance(code, int) else 0
    if code == 0 and created is not None:
        created()
    sys.exit(code)


def _os_problem(exc: OSError) -> str:
    """``path: reason`` of an OS error, without the OS's own wording around it."""
    from dataward.sources.locations import describe_os_error

    where = exc.filename if exc.filename is not None else "a file"
    return f"{where}: {describe_os_error(exc)}"


if __name__ == "__main__":
    run()
